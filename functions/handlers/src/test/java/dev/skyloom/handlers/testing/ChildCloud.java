package dev.skyloom.handlers.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * The local cloud in a child JVM ({@code LocalCloudMain}, as {@code ./skyloom up} starts it) with the deployment
 * jar, the platform's state machines and a scenario folder, on free ports: for tests that {@code kill -9} it and
 * start it again on the same data.
 *
 * @param output everything the child printed so far (for assertion messages)
 */
public record ChildCloud(Process process, URI edge, URI api, StringBuilder output) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Pattern EDGE = Pattern.compile("AWS edge\\s+(http://[^\\s]+)");
    private static final Pattern API = Pattern.compile("REST API\\s+(http://[^\\s]+)/api/v1");

    /** Starts a local cloud on {@code dataDir} and waits until it printed its URLs. */
    public static ChildCloud start(Path dataDir, Path models) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString()));
        if (Runtime.version().feature() >= 24) {
            command.add("--enable-native-access=ALL-UNNAMED");
            command.add("--sun-misc-unsafe-memory-access=allow");
        }
        Path jar = Path.of(System.getProperty("skyloom.functionsJar", "target/skyloom-functions.jar"));
        assertThat(jar).as("the deployment jar is built before the integration tests").exists();
        Path stateMachines = Path.of(System.getProperty("skyloom.stateMachines", "../../statemachines"));
        command.addAll(List.of("-Xmx768m", "-cp", System.getProperty("java.class.path"),
                "dev.skyloom.local.cloud.LocalCloudMain", "--data-dir", dataDir.toString(),
                "--functions", jar.toAbsolutePath().toString(),
                "--state-machines", stateMachines.toAbsolutePath().normalize().toString(),
                "--models-dir", models.toString(), "--edge-port", "0", "--api-port", "0"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        StringBuilder output = new StringBuilder();
        CompletableFuture<URI> edge = new CompletableFuture<>();
        CompletableFuture<URI> api = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    synchronized (output) {
                        output.append(line).append('\n');
                    }
                    Matcher e = EDGE.matcher(line);
                    if (e.find()) {
                        edge.complete(URI.create(e.group(1)));
                    }
                    Matcher a = API.matcher(line);
                    if (a.find()) {
                        api.complete(URI.create(a.group(1)));
                    }
                }
            } catch (IOException e) {
                edge.completeExceptionally(e);
            }
            edge.completeExceptionally(new IllegalStateException("the local cloud ended before printing its URLs"));
            api.completeExceptionally(new IllegalStateException("the local cloud ended before printing its URLs"));
        });
        return new ChildCloud(process, edge.get(120, TimeUnit.SECONDS), api.get(10, TimeUnit.SECONDS), output);
    }

    /** A call of the REST API that must answer 2xx; its JSON body. */
    public JsonNode api(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(api.resolve(path))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isBetween(200, 299);
        return JSON.readTree(response.body());
    }

    /** A Step Functions client on the edge. */
    public SfnClient sfn() {
        return SfnClient.builder().endpointOverride(edge).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .build();
    }

    /** {@code kill -9}: nothing is flushed or closed. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    /** SIGTERM, as Ctrl-C: the cloud shuts down cleanly. */
    public void stop() throws InterruptedException {
        process.toHandle().destroy();
        process.waitFor(30, TimeUnit.SECONDS);
    }
}
