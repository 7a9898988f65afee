package dev.skyloom.local.cloud;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A local cloud in a child JVM, so a test can kill it as a crash would ({@code kill -9}) or stop it as an operator
 * would (SIGTERM). The child's {@link #main} prints {@code EDGE <url>} once it is up.
 */
final class CloudProcess implements AutoCloseable {
    private final Process process;
    private final URI edge;

    private CloudProcess(Process process, URI edge) {
        this.process = process;
        this.edge = edge;
    }

    static CloudProcess start(Path dataDir) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (Runtime.version().feature() >= 24) {
            command.add("--enable-native-access=ALL-UNNAMED");
            command.add("--sun-misc-unsafe-memory-access=allow");
        }
        command.addAll(List.of("-Xmx512m", "-cp", System.getProperty("java.class.path"),
                CloudProcess.class.getName(), dataDir.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        CompletableFuture<URI> edge = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.startsWith("EDGE ")) {
                        edge.complete(URI.create(line.substring(5).trim()));
                    }
                    System.out.println("[cloud " + process.pid() + "] " + line);
                }
            } catch (IOException e) {
                edge.completeExceptionally(e);
            }
            edge.completeExceptionally(new IllegalStateException("the cloud process ended before it was up"));
        });
        try {
            return new CloudProcess(process, edge.get(60, TimeUnit.SECONDS));
        } catch (Exception e) {
            process.destroyForcibly();
            throw new IllegalStateException("the local cloud did not come up in a child JVM", e);
        }
    }

    URI edge() {
        return edge;
    }

    /** SIGKILL: nothing runs on the way down, as in a crash. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM: the shutdown hook stops the cloud cleanly. Returns the exit code. */
    int terminate(Duration timeout) throws InterruptedException {
        process.toHandle().destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the local cloud did not stop within " + timeout + " of SIGTERM");
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }

    public static void main(String[] args) throws Exception {
        LocalCloud cloud = new LocalCloud(LocalCloudConfig.ephemeral(Path.of(args[0]), null));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            cloud.close();
            stopped.countDown();
        }));
        cloud.start();
        System.out.println("EDGE " + cloud.edgeEndpoint());
        stopped.await();
    }
}
