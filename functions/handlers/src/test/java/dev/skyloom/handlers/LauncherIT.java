package dev.skyloom.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./skyloom up} as a user runs it: it starts the local cloud in the foreground, prints the URLs, serves the
 * health route, and stops cleanly on SIGTERM.
 */
class LauncherIT {
    private static final Pattern API = Pattern.compile("REST API\\s+(http://localhost:\\d+)/api/v1");

    @TempDir
    Path dataDir;

    @Test
    void up_servesHealth_thenStopsCleanlyOnSigterm() throws Exception {
        Path root = Path.of(System.getProperty("skyloom.root", "../..")).toAbsolutePath().normalize();
        Process process = new ProcessBuilder(List.of(root.resolve("skyloom").toString(), "up",
                "--data-dir", dataDir.toString(), "--edge-port", "0", "--api-port", "0"))
                .redirectErrorStream(true).start();
        StringBuilder output = new StringBuilder();
        CompletableFuture<URI> api = new CompletableFuture<>();
        Thread reader = Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    synchronized (output) {
                        output.append(line).append('\n');
                    }
                    Matcher m = API.matcher(line);
                    if (m.find()) {
                        api.complete(URI.create(m.group(1)));
                    }
                }
            } catch (IOException e) {
                api.completeExceptionally(e);
            }
            api.completeExceptionally(new IllegalStateException("skyloom up ended before printing its URLs"));
        });
        try {
            URI base = api.get(120, TimeUnit.SECONDS);
            HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    base.resolve("/api/v1/health")).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains("\"status\":\"ok\"");

            // SIGTERM through the handle: Process.destroy() would also close our end of its output pipe
            process.toHandle().destroy();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("stopped within 30 s of SIGTERM").isTrue();
            reader.join(Duration.ofSeconds(10));
            synchronized (output) {
                assertThat(output.toString()).contains("AWS edge", "admin key", "stopped; data kept in",
                        "example pipelines created: engineering, research");
            }
        } finally {
            process.destroyForcibly();
        }
    }
}
