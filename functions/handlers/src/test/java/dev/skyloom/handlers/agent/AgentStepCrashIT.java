package dev.skyloom.handlers.agent;

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
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;

/**
 * {@code kill -9} of the local cloud in the middle of a multi-turn agent step: after a restart on the same data the
 * step completes, and no turn's tool side effect is applied twice (three board tasks and two memories, exactly).
 * The local cloud runs in a child JVM ({@code LocalCloudMain}, as {@code ./skyloom up} starts it).
 */
class AgentStepCrashIT {
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
            AgentStepIT.copyScenarios(models);
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString()));
        if (Runtime.version().feature() >= 24) {
            command.add("--enable-native-access=ALL-UNNAMED");
            command.add("--sun-misc-unsafe-memory-access=allow");
        }
        command.addAll(List.of("-Xmx768m", "-cp", System.getProperty("java.class.path"),
                "dev.skyloom.local.cloud.LocalCloudMain", "--data-dir", dir.resolve("cloud").toString(),
                "--functions", AgentStepIT.functionsJar().toAbsolutePath().toString(),
                "--state-machines", AgentStepIT.stateMachines().toString(), "--models-dir", models.toString(),
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

    @Test
    void killMinus9MidStep_thenRestart_completesTheStep_andAppliesNoSideEffectTwice() throws Exception {
        Cloud first = start();
        String admin = Files.readString(dir.resolve("cloud").resolve("admin.key")).trim();
        String key = api(first, "POST", "/api/v1/tenants", admin, "{\"id\":\"crash\",\"name\":\"Crash\"}")
                .path("adminKey").path("token").asText();
        String projectId = api(first, "POST", "/api/v1/projects", key, "{\"name\":\"Board\"}").path("id").asText();
        ObjectNode agent = JSON.createObjectNode().put("name", "Planner").put("memoryProfile", "persistent");
        agent.putObject("model").put("provider", "bedrock").put("modelId", "skyloom.scenario.agent-crash");
        agent.putPOJO("tools", List.of("create_task", "remember"));
        String agentId = api(first, "POST", "/api/v1/agents", key, agent.toString()).path("id").asText();
        ObjectNode step = JSON.createObjectNode().put("tenantId", "crash").put("runId", "run-crash")
                .put("stepId", "plan").put("agentId", agentId).put("projectId", projectId)
                .put("prompt", "Plan three tasks");
        String executionArn;
        try (SfnClient sfn = sfn(first)) {
            String machine = sfn.listStateMachines().stateMachines().stream()
                    .filter(m -> m.name().equals("skyloom-agent-step")).findFirst().orElseThrow().stateMachineArn();
            executionArn = sfn.startExecution(b -> b.stateMachineArn(machine).name("run-crash")
                    .input(step.toString())).executionArn();
        }
        // wait until the step is in the middle: two model calls recorded, more to come
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        int calls = 0;
        while (calls < 2 && System.nanoTime() < deadline) {
            calls = api(first, "GET", "/api/v1/llm-calls?runId=run-crash", key, null).path("items").size();
            LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
        }
        assertThat(calls).as("two turns made before the crash").isBetween(2, 5);

        first.process().destroyForcibly();
        assertThat(first.process().waitFor(30, TimeUnit.SECONDS)).isTrue();

        Cloud second = start();
        try (SfnClient sfn = sfn(second); DynamoDbClient dynamoDb = DynamoDbClient.builder()
                .endpointOverride(second.edge()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .build()) {
            DescribeExecutionResponse done = null;
            deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (System.nanoTime() < deadline) {
                done = sfn.describeExecution(b -> b.executionArn(executionArn));
                if (done.status() != ExecutionStatus.RUNNING) {
                    break;
                }
                LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
            }
            assertThat(done.status()).as(done.error() + ": " + done.cause() + "\n" + second.output())
                    .isEqualTo(ExecutionStatus.SUCCEEDED);
            JsonNode output = JSON.readTree(done.output());
            assertThat(output.path("turns").asInt()).isEqualTo(6);
            assertThat(output.path("result").asText()).isEqualTo("DONE");

            JsonNode tasks = api(second, "GET", "/api/v1/projects/" + projectId + "/tasks?limit=100", key, null)
                    .path("items");
            List<String> titles = new ArrayList<>();
            tasks.forEach(t -> titles.add(t.path("title").asText()));
            assertThat(titles).as("each create_task applied once").containsExactlyInAnyOrder("Task one", "Task two",
                    "Task three");
            List<Map<String, AttributeValue>> memories = dynamoDb.query(b -> b.tableName("skyloom-main")
                    .keyConditionExpression("pk = :pk AND begins_with(sk, :prefix)")
                    .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("TENANT#crash"),
                            ":prefix", AttributeValue.fromS("MEMORY#AGENT#" + agentId + "#")))).items();
            assertThat(memories).as("each remember applied once").hasSize(2);
        } finally {
            second.process().toHandle().destroy();
            second.process().waitFor(30, TimeUnit.SECONDS);
        }
    }
}
