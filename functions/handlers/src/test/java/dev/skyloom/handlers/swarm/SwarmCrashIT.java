package dev.skyloom.handlers.swarm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;

import com.fasterxml.jackson.databind.node.ArrayNode;
import software.amazon.awssdk.services.sfn.model.ExecutionListItem;

/**
 * {@code kill -9} of the local cloud in the middle of a swarm (some tasks done, some running, workers parked):
 * after a restart on the same data the swarm completes, every task completed, and no task ran twice (one agent-step
 * child per task). The local cloud runs in a child JVM, as in {@code AgentStepCrashIT}.
 */
class SwarmCrashIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Pattern EDGE = Pattern.compile("AWS edge\\s+(http://[^\\s]+)");
    private static final Pattern API = Pattern.compile("REST API\\s+(http://[^\\s]+)/api/v1");

    @TempDir
    Path dir;

    /** A local cloud in a child JVM, its edge and API. */
    private record Cloud(Process process, URI edge, URI api, StringBuilder output) {
    }

    private Cloud start() throws Exception {
        Path models = dir.resolve("models");
        if (!Files.exists(models)) {
            Files.createDirectories(models);
            for (String name : List.of("swarm-1s.yaml", "swarm-2s.yaml")) {
                try (var in = SwarmCrashIT.class.getResourceAsStream("/scenarios/" + name)) {
                    Files.copy(in, models.resolve(name));
                }
            }
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString()));
        if (Runtime.version().feature() >= 24) {
            command.add("--enable-native-access=ALL-UNNAMED");
            command.add("--sun-misc-unsafe-memory-access=allow");
        }
        command.addAll(List.of("-Xmx768m", "-cp", System.getProperty("java.class.path"),
                "dev.skyloom.local.cloud.LocalCloudMain", "--data-dir", dir.resolve("cloud").toString(),
                "--functions", Path.of(System.getProperty("skyloom.functionsJar", "target/skyloom-functions.jar")).toAbsolutePath().toString(),
                "--state-machines", Path.of(System.getProperty("skyloom.stateMachines", "../../statemachines")).toAbsolutePath().normalize().toString(), "--models-dir", models.toString(),
                "--edge-port", "0", "--api-port", "0"));
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
        return new Cloud(process, edge.get(120, TimeUnit.SECONDS), api.get(10, TimeUnit.SECONDS), output);
    }

    private static JsonNode api(Cloud cloud, String method, String path, String token, String body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(cloud.api().resolve(path))
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

    private static SfnClient sfn(Cloud cloud) {
        return SfnClient.builder().endpointOverride(cloud.edge()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .build();
    }

    /** stepId -> statuses of the agent-step children of this swarm. */
    private static Map<String, List<String>> children(SfnClient sfn, String swarmId) throws Exception {
        String machine = sfn.listStateMachines().stateMachines().stream()
                .filter(m -> m.name().equals("skyloom-agent-step")).findFirst().orElseThrow().stateMachineArn();
        List<ExecutionListItem> all = new ArrayList<>();
        sfn.listExecutionsPaginator(b -> b.stateMachineArn(machine).maxResults(1000))
                .forEach(page -> all.addAll(page.executions()));
        Map<String, List<String>> out = new HashMap<>();
        for (ExecutionListItem item : all) {
            JsonNode input = JSON.readTree(sfn.describeExecution(b -> b.executionArn(item.executionArn())).input());
            if (swarmId.equals(input.path("runId").asText())) {
                out.computeIfAbsent(input.path("stepId").asText(), k -> new ArrayList<>()).add(item.statusAsString());
            }
        }
        return out;
    }

    @Test
    void killMinus9MidSwarm_thenRestart_completesEveryTaskOnce() throws Exception {
        Cloud first = start();
        String admin = Files.readString(dir.resolve("cloud").resolve("admin.key")).trim();
        String key = api(first, "POST", "/api/v1/tenants", admin, "{\"id\":\"crash\",\"name\":\"Crash\"}")
                .path("adminKey").path("token").asText();
        ObjectNode agent = JSON.createObjectNode().put("name", "Worker").put("memoryProfile", "none");
        agent.putObject("model").put("provider", "bedrock").put("modelId", "skyloom.scenario.swarm-2s");
        agent.putArray("tools");
        String agentId = api(first, "POST", "/api/v1/agents", key, agent.toString()).path("id").asText();
        // a -> (b, c, d) -> e -> f: 2 s tasks, 2 slots
        ObjectNode input = JSON.createObjectNode().put("tenantId", "crash").put("swarmId", "swm-crash");
        ObjectNode swarm = input.putObject("swarm").put("maxConcurrent", 2).put("globalTimeoutSeconds", 600);
        ArrayNode tasks = swarm.putArray("tasks");
        String[][] dag = {{"a"}, {"b", "a"}, {"c", "a"}, {"d", "a"}, {"e", "b", "c", "d"}, {"f", "e"}};
        for (String[] t : dag) {
            ObjectNode task = tasks.addObject().put("key", t[0]).put("agentId", agentId).put("prompt", "Task " + t[0])
                    .put("timeoutSeconds", 120);
            ArrayNode deps = task.putArray("dependencies");
            for (int i = 1; i < t.length; i++) {
                deps.add(t[i]);
            }
        }
        String executionArn;
        try (SfnClient sfn = sfn(first)) {
            String machine = sfn.listStateMachines().stateMachines().stream()
                    .filter(m -> m.name().equals("skyloom-swarm")).findFirst().orElseThrow().stateMachineArn();
            executionArn = sfn.startExecution(b -> b.stateMachineArn(machine).name("swm-crash")
                    .input(input.toString())).executionArn();
            // wait until the middle: a done, and some of b, c, d running
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (System.nanoTime() < deadline) {
                Map<String, List<String>> children = children(sfn, "swm-crash");
                if (children.getOrDefault("a", List.of()).contains("SUCCEEDED")
                        && children.values().stream().flatMap(List::stream).anyMatch("RUNNING"::equals)
                        && children.size() >= 2) {
                    break;
                }
                LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
            }
            assertThat(children(sfn, "swm-crash")).as("in the middle of the swarm").containsKey("a")
                    .doesNotContainKey("f");
        }

        first.process().destroyForcibly();
        assertThat(first.process().waitFor(30, TimeUnit.SECONDS)).isTrue();

        Cloud second = start();
        try (SfnClient sfn = sfn(second)) {
            DescribeExecutionResponse done = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(240).toNanos();
            while (System.nanoTime() < deadline) {
                done = sfn.describeExecution(b -> b.executionArn(executionArn));
                if (done.status() != ExecutionStatus.RUNNING) {
                    break;
                }
                LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
            }
            assertThat(done.status()).as(done.error() + ": " + done.cause()).isEqualTo(ExecutionStatus.SUCCEEDED);
            JsonNode summary = JSON.readTree(done.output());
            assertThat(summary.path("counts").path("completed").asInt()).isEqualTo(6);
            Map<String, List<String>> children = children(sfn, "swm-crash");
            assertThat(children).containsOnlyKeys("a", "b", "c", "d", "e", "f");
            children.forEach((task, runs) -> assertThat(runs).as("task " + task + " ran once")
                    .containsExactly("SUCCEEDED"));
        } finally {
            second.process().toHandle().destroy();
            second.process().waitFor(30, TimeUnit.SECONDS);
        }
    }
}
