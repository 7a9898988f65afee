package dev.skyloom.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.local.cloud.LocalCloud;
import dev.skyloom.local.cloud.LocalCloudConfig;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * One local cloud for a class of pipeline ITs, and the API calls they make on :8080: a tenant of its own with stored
 * agents on the local model, scenario files copied from {@code /scenarios/} into the models directory (more can be
 * written while the cloud runs: the model server re-reads them), runs started and followed, LLM calls and events read
 * back. Every answer is checked against the OpenAPI document.
 */
final class PipelineHarness implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    record Answer(int status, JsonNode body) {
    }

    private final Path dataDir;
    private final Path models;
    private final LocalCloud cloud;
    private final String key;
    private final Map<String, String> agentIds = new LinkedHashMap<>();

    private PipelineHarness(Path dataDir, Path models, LocalCloud cloud, String key) {
        this.dataDir = dataDir;
        this.models = models;
        this.cloud = cloud;
        this.key = key;
    }

    /** Starts the cloud, creates a tenant and the stored {@code agents} (by name, on {@code skyloom.local}). */
    static PipelineHarness start(Path dataDir, List<String> scenarios, List<String> agents) throws Exception {
        Path models = Files.createDirectories(dataDir.resolve("models"));
        for (String name : scenarios) {
            try (var in = PipelineHarness.class.getResourceAsStream("/scenarios/" + name)) {
                assertThat(in).as("scenario resource " + name).isNotNull();
                Files.copy(in, models.resolve(name));
            }
        }
        Path jar = Path.of(System.getProperty("skyloom.functionsJar", "target/skyloom-functions.jar"));
        LocalCloud cloud = new LocalCloud(LocalCloudConfig.ephemeral(dataDir.resolve("cloud"), jar)
                .withStateMachines(stateMachines()).withModelsDir(models)).start();
        PipelineHarness harness = new PipelineHarness(dataDir, models, cloud, null);
        String tenant = "t" + UUID.randomUUID().toString().substring(0, 8);
        String key = harness.call("POST", "/api/v1/tenants", harness.adminKey(), "{\"id\":\"" + tenant
                + "\",\"name\":\"" + tenant + "\"}", "application/json").body().path("adminKey").path("token").asText();
        PipelineHarness ready = new PipelineHarness(dataDir, models, cloud, key);
        for (String name : agents) {
            ObjectNode agent = JSON.createObjectNode().put("name", name).put("role", name)
                    .put("systemPrompt", "Do the task.");
            agent.putObject("model").put("provider", "bedrock").put("modelId", "skyloom.local");
            ready.agentIds.put(name, ready.ok("POST", "/api/v1/agents", agent.toString()).path("id").asText());
        }
        return ready;
    }

    static Path stateMachines() {
        return Path.of(System.getProperty("skyloom.stateMachines", "../../statemachines")).toAbsolutePath()
                .normalize();
    }

    @Override
    public void close() {
        cloud.close();
    }

    LocalCloud cloud() {
        return cloud;
    }

    String key() {
        return key;
    }

    String adminKey() throws Exception {
        return Files.readString(dataDir.resolve("cloud").resolve("admin.key")).trim();
    }

    /** The id of a stored agent this harness created (scenarios key their scripts by agent id). */
    String agentId(String name) {
        return agentIds.get(name);
    }

    /** Writes a scenario file while the cloud runs (the model server reads it on first use). */
    void writeScenario(String name, String yaml) throws Exception {
        Files.writeString(models.resolve(name + ".yaml"), yaml);
    }

    Answer call(String method, String path, String token, String body, String contentType) throws Exception {
        return call(method, path, token, body, contentType, null);
    }

    Answer call(String method, String path, String token, String body, String contentType, String idempotencyKey)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(cloud.apiEndpoint().orElseThrow().resolve(path))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", contentType);
        }
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = response.body().isEmpty() ? JSON.nullNode() : JSON.readTree(response.body());
        String template = path.replaceFirst("\\?.*$", "");
        assertThat(ResponseSchemas.problems(method, template, response.statusCode(), json))
                .as(method + " " + path + " " + response.statusCode() + ": " + json).isEmpty();
        return new Answer(response.statusCode(), json);
    }

    JsonNode ok(String method, String path, String body) throws Exception {
        Answer answer = call(method, path, key, body, "application/json");
        assertThat(answer.status()).as(method + " " + path + ": " + answer.body()).isBetween(200, 299);
        return answer.body();
    }

    /** Stores a pipeline (deploying it) from YAML; 201. */
    JsonNode deploy(String yaml) throws Exception {
        Answer created = call("POST", "/api/v1/pipelines", key, yaml, "application/yaml");
        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
        return created.body();
    }

    String startRun(String pipeline, String body) throws Exception {
        Answer answer = call("POST", "/api/v1/pipelines/" + pipeline + "/runs", key, body, "application/json");
        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(202);
        return answer.body().path("id").asText();
    }

    JsonNode until(String runId, Predicate<JsonNode> done, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        JsonNode run = null;
        while (System.nanoTime() < deadline) {
            run = ok("GET", "/api/v1/runs/" + runId, null);
            if (done.test(run)) {
                return run;
            }
            if (!List.of("QUEUED", "RUNNING").contains(run.path("status").asText())) {
                throw new AssertionError("run " + runId + " ended before it was " + what + ": " + run);
            }
            LockSupport.parkNanos(Duration.ofMillis(300).toNanos());
        }
        throw new AssertionError("run " + runId + " not " + what + " after 120 s: " + run);
    }

    List<JsonNode> llmCalls(String runId) throws Exception {
        List<JsonNode> calls = new ArrayList<>();
        ok("GET", "/api/v1/llm-calls?limit=100&runId=" + runId, null).path("items").forEach(calls::add);
        return calls;
    }

    long llmCalls(String runId, String stepId) throws Exception {
        return llmCalls(runId).stream().filter(c -> c.path("stepId").asText().equals(stepId)).count();
    }

    /**
     * The run's events in order once one of type {@code last} is stored (the bus and the ingest queue deliver them
     * after the execution has moved on).
     */
    List<JsonNode> events(String runId, String last) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        List<JsonNode> events = List.of();
        while (System.nanoTime() < deadline) {
            events = new ArrayList<>();
            long after = 0;
            while (true) {
                JsonNode page = ok("GET", "/api/v1/runs/" + runId + "/events?limit=500&after=" + after, null);
                page.path("items").forEach(events::add);
                if (page.path("items").isEmpty() || page.path("next").asLong() <= after) {
                    break;
                }
                after = page.path("next").asLong();
            }
            if (events.stream().anyMatch(e -> e.path("type").asText().equals(last))) {
                return events;
            }
            LockSupport.parkNanos(Duration.ofMillis(300).toNanos());
        }
        throw new AssertionError("no " + last + " event of run " + runId + " after 60 s; events: " + events);
    }

    static List<JsonNode> ofType(List<JsonNode> events, String type) {
        return events.stream().filter(e -> e.path("type").asText().equals(type)).toList();
    }

    static Predicate<JsonNode> waitingFor(String step) {
        return run -> run.path("waitingApprovals").toString().contains("\"" + step + "\"");
    }

    static Predicate<JsonNode> status(String status) {
        return run -> run.path("status").asText().equals(status);
    }

    static JsonNode step(JsonNode run, String id) {
        for (JsonNode step : run.path("steps")) {
            if (step.path("id").asText().equals(id)) {
                return step;
            }
        }
        throw new AssertionError("no step " + id + " in " + run);
    }

    static String example(String name) throws Exception {
        return Files.readString(stateMachines().resolve("examples").resolve(name + ".yaml"));
    }
}
