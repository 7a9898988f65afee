package dev.skyloom.handlers;

import static dev.skyloom.handlers.PipelineHarness.example;
import static dev.skyloom.handlers.PipelineHarness.status;
import static dev.skyloom.handlers.PipelineHarness.step;
import static dev.skyloom.handlers.PipelineHarness.waitingFor;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skyloom.handlers.PipelineHarness.Answer;
import dev.skyloom.local.cloud.LocalCloud;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
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
    static final ObjectMapper JSON = PipelineHarness.JSON;

    @TempDir
    static Path dataDir;
    private PipelineHarness harness;
    private LocalCloud cloud;
    private String key;

    @BeforeAll
    void start() throws Exception {
        harness = PipelineHarness.start(dataDir, List.of("pipeline-flaky.yaml", "pipeline-plan.yaml"),
                List.of("planner", "coder"));
        cloud = harness.cloud();
        key = harness.key();
    }

    @AfterAll
    void stop() {
        if (harness != null) {
            harness.close();
        }
    }

    Answer call(String method, String path, String token, String body, String contentType) throws Exception {
        return harness.call(method, path, token, body, contentType);
    }

    Answer call(String method, String path, String token, String body, String contentType, String idempotencyKey)
            throws Exception {
        return harness.call(method, path, token, body, contentType, idempotencyKey);
    }

    JsonNode ok(String method, String path, String body) throws Exception {
        return harness.ok(method, path, body);
    }

    JsonNode until(String runId, Predicate<JsonNode> done, String what) throws Exception {
        return harness.until(runId, done, what);
    }

    String deployEngineering() throws Exception {
        Answer existing = call("GET", "/api/v1/pipelines/engineering", key, null, null);
        if (existing.status() == 200) {
            return "engineering";
        }
        harness.deploy(example("engineering"));
        return "engineering";
    }

    String startRun(String pipeline, String body) throws Exception {
        return harness.startRun(pipeline, body);
    }

    List<JsonNode> llmCalls(String runId) throws Exception {
        return harness.llmCalls(runId);
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
        assertThat(shipped.ensure(examples)).containsExactly("engineering", "research");
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
