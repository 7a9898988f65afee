package dev.skyloom.local.cloud.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs an AWS CLI against a local cloud's edge with test credentials, and fails the test when the command fails.
 * Shared by the modules' CLI compatibility tests (the local cloud's test jar).
 */
public final class AwsCli {
    /** The AWS CLI v2 of the Debian package awscli, which ./skyloom test installs. */
    public static final List<String> V2 = List.of("/usr/bin/aws");
    /**
     * The AWS CLI v1 these machines carry in their Python (awscli 1.45, current botocore): it knows operations newer
     * than Debian's v2 (2.9.19), such as RedriveExecution.
     */
    public static final List<String> V1_CURRENT_MODELS = List.of("python3", "-m", "awscli");

    private final List<String> cli;
    private final URI edge;
    private final Path home;

    public AwsCli(List<String> cli, URI edge, Path home) {
        this.cli = List.copyOf(cli);
        this.edge = edge;
        this.home = home;
    }

    /** Runs {@code <cli> --endpoint-url <edge> --output json <args>} and returns its output. */
    public String run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(cli);
        command.addAll(List.of("--endpoint-url", edge.toString(), "--output", "json"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.put("AWS_ACCESS_KEY_ID", "test");
        env.put("AWS_SECRET_ACCESS_KEY", "test");
        env.put("AWS_DEFAULT_REGION", "us-east-1");
        env.put("AWS_PAGER", "");
        env.put("HOME", home.toString());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("%s finished within 60 s", command).isTrue();
        assertThat(process.exitValue()).as("%s failed: %s", String.join(" ", command), output).isZero();
        return output;
    }
}
