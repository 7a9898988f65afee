package dev.skyloom.local.cloud.emulators;

import java.net.URI;

/** A real emulator of an AWS service, running in this JVM on a loopback port that only the edge talks to. */
public interface Emulator extends AutoCloseable {

    /** The service name as it appears in SigV4 credential scopes ({@code dynamodb}, {@code sqs}, {@code s3}). */
    String service();

    /** Starts the emulator; returns once it accepts requests. */
    void start() throws Exception;

    /** Where the edge forwards this service's requests. Valid after {@link #start()}. */
    URI endpoint();

    @Override
    void close();
}
