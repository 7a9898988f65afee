package dev.skyloom.local.cloud.testfunctions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Appends a line to the file named in its payload ({@code "<path>|<fail>"}): a side effect the test can observe for
 * asynchronous invocations. With {@code fail=true} it fails after writing, so retries show as extra lines.
 */
public class FileWriterHandler implements RequestStreamHandler {
    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        String payload = new String(input.readAllBytes(), StandardCharsets.UTF_8).trim();
        String[] parts = payload.replace("\"", "").split("\\|");
        Files.writeString(Path.of(parts[0]), context.getAwsRequestId() + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        if (parts.length > 1 && parts[1].equals("fail")) {
            throw new IllegalStateException("asked to fail");
        }
        output.write("\"written\"".getBytes(StandardCharsets.UTF_8));
    }
}
