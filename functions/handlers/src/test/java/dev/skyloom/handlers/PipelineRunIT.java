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
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pipelines end to end through the API on :8080 of one local cloud: deployed as state machines on POST/PUT,
 * run with {@code POST /pipelines/{id}/runs}, followed with {@code GET /runs/{id}}, approved, rejected, cancelled
 * and retried; agents answer from the local model (the default model passes gates and completes steps) or from
 * scripted scenarios chosen per step by the run's {@code scenarios}. Every answer is checked against the OpenAPI
 * document.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PipelineRunIT {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path dataDir;
    private LocalCloud cloud;
    private String key;

    record Answer(int status, JsonNode body) {
    }

    @BeforeAll
    void start() throws Exception {
        Path models = Files.createDirectories(dataDir.resolve("models"));
        for (String name : List.of("pipeline-flaky.yaml", "pipeline-plan.yaml")) {
            try (var in = PipelineRunIT.class.getResourceAsStream("/scenarios/" + name)) {
                Files.copy(in, models.resolve(name));
            }
        }
        Path jar = Path.of(System.getProperty("skyloom.functionsJar", "target/skyloom-functions.jar"));
        Path machines = Path.of(System.getProperty("skyloom.stateMachines", "../../statemachines")).toAbsolutePath()
                .normalize();
        cloud = new LocalCloud(LocalCloudConfig.ephemeral(dataDir.resolve("cloud"), jar).withStateMachines(machines)
                .withModelsDir(models)).start();
        String admin = Files.readString(dataDir.resolve("cloud").resolve("admin.key")).trim();
        String tenant = "t" + UUID.randomUUID().toString().substring(0, 8);
        key = call("POST", "/api/v1/tenants", admin, "{\"id\":\"" + tenant + "\",\"name\":\"" + tenant + "\"}",
                "application/json").body().path("adminKey").path("token").asText();
        for (String name : List.of("planner", "coder")) {
            ObjectNode agent = JSON.createObjectNode().put("name", name).put("role", name)
                    .put("systemPrompt", "Do the task.");
            agent.putObject("model").put("provider", "bedrock").put("modelId", "skyloom.local");
            ok("POST", "/api/v1/agents", agent.toString());
        }
    }

    @AfterAll
    void stop() {
        if (cloud != null) {
            cloud.close();
        }
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
        return Files.readString(Path.of(System.getProperty("skyloom.stateMachines", "../../statemachines"))
                .resolve("examples").resolve(name + ".yaml"));
    }

    String deployEngineering() throws Exception {
        Answer existing = call("GET", "/api/v1/pipelines/engineering", key, null, null);
        if (existing.status() == 200) {
            return "engineering";
        }
        Answer created = call("POST", "/api/v1/pipelines", key, example("engineering"), "application/yaml");
        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
        return "engineering";
    }

    String startRun(String pipeline, String body) throws Exception {
        Answer answer = call("POST", "/api/v1/pipelines/" + pipeline + "/runs", key, body, "application/json");
        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(202);
        return answer.body().path("id").asText();
    }

    List<JsonNode> llmCalls(String runId) throws Exception {
        List<JsonNode> calls = new ArrayList<>();
        ok("GET", "/api/v1/llm-calls?limit=100&runId=" + runId, null).path("items").forEach(calls::add);
        return calls;
    }

    @Test
    void engineering_runsToTheApproval_isApproved_andCompletes_withStepsUsageAndNoTokenInEvents() throws Exception {
        deployEngineering();
        String runId = startRun("engineering", "{\"input\": {\"request\": \"add a health check\"}, "
                + "\"scenarios\": {\"plan\": \"pipeline-plan\"}}");

        JsonNode waiting = until(runId, waitingFor("ship"), "waiting for ship");
        assertThat(waiting.path("status").asText()).isEqualTo("RUNNING");
        assertThat(step(waiting, "plan").path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(step(waiting, "review").path("result").asText()).isEqualTo("PASS");
        assertThat(step(waiting, "ship").path("status").asText()).isEqualTo("WAITING_APPROVAL");

        Answer wrongStep = call("POST", "/api/v1/runs/" + runId + "/approvals/plan", key,
                "{\"decision\": \"approve\"}", "application/json");
        assertThat(wrongStep.status()).isEqualTo(409);

        ok("POST", "/api/v1/runs/" + runId + "/approvals/ship", "{\"decision\": \"approve\", \"comment\": \"ship it\"}");
        JsonNode done = until(runId, status("SUCCEEDED"), "succeeded");
        for (String id : List.of("plan", "build", "review", "ship")) {
            JsonNode step = step(done, id);
            assertThat(step.path("status").asText()).as(id).isEqualTo("SUCCEEDED");
            assertThat(step.path("durationMs").asLong()).as(id).isGreaterThanOrEqualTo(0);
        }
        assertThat(step(done, "ship").path("result").asText()).isEqualTo("APPROVED");
        assertThat(done.path("outputs").path("ship").asText()).isEqualTo("ship it");
        assertThat(done.path("usage").path("calls").asLong()).isGreaterThanOrEqualTo(3);
        assertThat(done.path("usage").path("inputTokens").asLong()).isPositive();

        Answer again = call("POST", "/api/v1/runs/" + runId + "/approvals/ship", key, "{\"decision\": \"approve\"}",
                "application/json");
        assertThat(again.status()).isEqualTo(409);

        // the approval's task token never reaches the run's followers
        JsonNode events = ok("GET", "/api/v1/runs/" + runId + "/events?limit=500", null);
        assertThat(events.toString()).contains("APPROVAL_REQUIRED").doesNotContain("taskToken");

        JsonNode listed = ok("GET", "/api/v1/runs?pipelineId=engineering&status=SUCCEEDED", null);
        assertThat(listed.path("items").toString()).contains(runId);
    }

    @Test
    void aRejection_sendsTheRunBackToBuild_andAnApprovalThenCompletesIt() throws Exception {
        deployEngineering();
        String runId = startRun("engineering", "{\"input\": {\"request\": \"rename a field\"}, "
                + "\"scenarios\": {\"plan\": \"pipeline-plan\"}}");
        until(runId, waitingFor("ship"), "waiting for ship");

        ok("POST", "/api/v1/runs/" + runId + "/approvals/ship", "{\"decision\": \"reject\", \"comment\": \"needs docs\"}");
        JsonNode again = until(runId, run -> waitingFor("ship").test(run) && step(run, "build").path("runs").asInt() == 2,
                "back at ship");
        assertThat(llmCalls(runId).stream().filter(c -> c.path("stepId").asText().equals("build")).count())
                .isGreaterThanOrEqualTo(2);
        ok("POST", "/api/v1/runs/" + runId + "/approvals/ship", "{\"decision\": \"approve\"}");
        assertThat(until(runId, status("SUCCEEDED"), "succeeded").path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(again.path("status").asText()).isEqualTo("RUNNING");
    }

    @Test
    void research_loopsOverTheQuestions_andItsCouncilSynthesises() throws Exception {
        Answer created = call("POST", "/api/v1/pipelines", key,
                JSON.createObjectNode().put("yaml", example("research")).toString(), "application/json");
        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
        String runId = startRun("research", "{\"input\": {\"questions\": [\"Why?\", \"How?\", \"When?\"]}}");
        JsonNode done = until(runId, status("SUCCEEDED"), "succeeded");
        assertThat(step(done, "investigate").path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(step(done, "synthesis").path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(done.path("outputs").path("investigate")).hasSize(3);
        List<JsonNode> calls = llmCalls(runId);
        // three loop items, two members and the leader's synthesis
        assertThat(calls.stream().map(c -> c.path("stepId").asText()).distinct().toList())
                .contains("investigate", "synthesis-1", "synthesis-2", "synthesis");
    }

    @Test
    void theExamplePipelines_ofSkyloomUp_areCreatedOnce_inTheDefaultTenant_andEngineeringRuns() throws Exception {
        String admin = Files.readString(dataDir.resolve("cloud").resolve("admin.key")).trim();
        Path examples = Path.of(System.getProperty("skyloom.stateMachines", "../../statemachines"))
                .resolve("examples");
        var shipped = new dev.skyloom.local.cloud.provision.ExamplePipelines(cloud.apiEndpoint().orElseThrow(), admin);
        assertThat(shipped.ensure(examples)).containsExactly("engineering", "research", "every-step");
        assertThat(shipped.ensure(examples)).isEmpty();
        Answer engineering = call("GET", "/api/v1/pipelines/engineering", admin, null, null);
        assertThat(engineering.status()).isEqualTo(200);
        assertThat(engineering.body().path("latestVersion").asLong()).isEqualTo(1);
    }

    @Test
    void aCancelledRun_stops_andTakesNoDecision() throws Exception {
        deployEngineering();
        String runId = startRun("engineering", "{\"input\": {\"request\": \"x\"}, \"scenarios\": {\"plan\": \"pipeline-plan\"}}");
        until(runId, waitingFor("ship"), "waiting for ship");
        // a repeated start with the same Idempotency-Key is the same run
        String key1 = UUID.randomUUID().toString();
        String body = "{\"input\": {\"request\": \"y\"}, \"scenarios\": {\"plan\": \"pipeline-plan\"}}";
        Answer first = call("POST", "/api/v1/pipelines/engineering/runs", key, body, "application/json", key1);
        Answer second = call("POST", "/api/v1/pipelines/engineering/runs", key, body, "application/json", key1);
        assertThat(first.status()).isEqualTo(202);
        assertThat(second.body().path("id").asText()).isEqualTo(first.body().path("id").asText());
        ok("POST", "/api/v1/runs/" + first.body().path("id").asText() + "/cancel", null);

        JsonNode cancelled = ok("POST", "/api/v1/runs/" + runId + "/cancel", null);
        assertThat(cancelled.path("status").asText()).isEqualTo("CANCELLED");
        assertThat(call("POST", "/api/v1/runs/" + runId + "/approvals/ship", key, "{\"decision\": \"approve\"}",
                "application/json").status()).isEqualTo(409);
        assertThat(call("POST", "/api/v1/runs/" + runId + "/cancel", key, null, null).status()).isEqualTo(409);
    }

    @Test
    void aFailedRun_retried_resumesAtTheFailedStep_withoutNewCallsOfEarlierSteps() throws Exception {
        String yaml = """
                id: three
                name: Three steps
                defaults: {maxRetries: 0}
                agents: [planner, coder]
                steps:
                  - id: first
                    agent: planner
                    input: "Start {{run.input.topic}}"
                  - id: second
                    agent: coder
                    input: "Continue: {{steps.first.output}}"
                  - id: third
                    agent: coder
                    input: "Finish: {{steps.second.output}}"
                """;
        JsonNode created = ok("POST", "/api/v1/pipelines", JSON.createObjectNode().put("definition", yaml).toString());
        assertThat(created.path("id").asText()).isEqualTo("three");
        String runId = startRun("three", "{\"input\": {\"topic\": \"t\"}, \"scenarios\": {\"second\": \"pipeline-flaky\"}}");
        JsonNode failed = until(runId, status("FAILED"), "failed");
        assertThat(step(failed, "first").path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(step(failed, "second").path("status").asText()).isEqualTo("FAILED");
        long firstCalls = llmCalls(runId).stream().filter(c -> c.path("stepId").asText().equals("first")).count();
        assertThat(firstCalls).isPositive();

        Answer retried = call("POST", "/api/v1/runs/" + runId + "/retry", key, null, null);
        assertThat(retried.status()).as(retried.body().toString()).isEqualTo(202);
        JsonNode done = until(runId, status("SUCCEEDED"), "succeeded");
        assertThat(done.path("attempts").asInt()).isEqualTo(2);
        assertThat(step(done, "third").path("status").asText()).isEqualTo("SUCCEEDED");
        List<JsonNode> calls = llmCalls(runId);
        assertThat(calls.stream().filter(c -> c.path("stepId").asText().equals("first")).count())
                .as("the first step is not run again").isEqualTo(firstCalls);
        assertThat(calls.stream().filter(c -> c.path("stepId").asText().equals("third")).count()).isPositive();
        assertThat(done.path("outputs").path("first").isMissingNode()).isFalse();
    }

}
