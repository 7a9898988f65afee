package dev.skyloom.handlers;

import static dev.skyloom.handlers.PipelineHarness.JSON;
import static dev.skyloom.handlers.PipelineHarness.example;
import static dev.skyloom.handlers.PipelineHarness.status;
import static dev.skyloom.handlers.PipelineHarness.step;
import static dev.skyloom.handlers.PipelineHarness.waitingFor;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.handlers.PipelineHarness.Answer;
import dev.skyloom.handlers.testing.Sse;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Pipelines end to end through the API on :8080 of one local cloud: deployed as state machines on POST/PUT,
 * run with {@code POST /pipelines/{id}/runs}, followed with {@code GET /runs/{id}}, approved, rejected, cancelled
 * and retried; agents answer from the local model (the default model passes gates and completes steps) or from
 * scripted scenarios chosen per step by the run's {@code scenarios}. Every answer is checked against the OpenAPI
 * document.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PipelineRunIT {
    @TempDir
    static Path dataDir;
    private PipelineHarness api;

    @BeforeAll
    void start() throws Exception {
        api = PipelineHarness.start(dataDir,
                List.of("pipeline-flaky.yaml", "pipeline-plan.yaml", "agent-approval.yaml"),
                List.of("planner", "coder", "writer"));
    }

    @AfterAll
    void stop() {
        if (api != null) {
            api.close();
        }
    }

    String deployEngineering() throws Exception {
        Answer existing = api.call("GET", "/api/v1/pipelines/engineering", api.key(), null, null);
        if (existing.status() == 200) {
            return "engineering";
        }
        api.deploy(example("engineering"));
        return "engineering";
    }

    @Test
    void engineering_runsToTheApproval_isApproved_andCompletes_withStepsUsageAndNoTokenInEvents() throws Exception {
        deployEngineering();
        String runId = api.startRun("engineering", "{\"input\": {\"request\": \"add a health check\"}, "
                + "\"scenarios\": {\"plan\": \"pipeline-plan\"}}");

        JsonNode waiting = api.until(runId, waitingFor("ship"), "waiting for ship");
        assertThat(waiting.path("status").asText()).isEqualTo("RUNNING");
        assertThat(step(waiting, "plan").path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(step(waiting, "review").path("result").asText()).isEqualTo("PASS");
        assertThat(step(waiting, "ship").path("status").asText()).isEqualTo("WAITING_APPROVAL");
        JsonNode approvals = api.ok("GET", "/api/v1/runs/" + runId + "/approvals", null).path("items");
        assertThat(approvals).singleElement().satisfies(a -> {
            assertThat(a.path("kind").asText()).isEqualTo("step");
            assertThat(a.path("id").asText()).isEqualTo("ship");
            assertThat(a.path("decide").asText()).isEqualTo("/api/v1/runs/" + runId + "/approvals/ship");
            assertThat(java.time.Instant.parse(a.path("expiresAt").asText()))
                    .isAfter(java.time.Instant.parse(a.path("requestedAt").asText()));
        });
        assertThat(approvals.toString()).doesNotContain("taskToken");

        Answer wrongStep = api.call("POST", "/api/v1/runs/" + runId + "/approvals/plan", api.key(),
                "{\"decision\": \"approve\"}", "application/json");
        assertThat(wrongStep.status()).isEqualTo(409);

        api.ok("POST", "/api/v1/runs/" + runId + "/approvals/ship",
                "{\"decision\": \"approve\", \"comment\": \"ship it\"}");
        JsonNode done = api.until(runId, status("SUCCEEDED"), "succeeded");
        for (String id : List.of("plan", "build", "review", "ship")) {
            JsonNode step = step(done, id);
            assertThat(step.path("status").asText()).as(id).isEqualTo("SUCCEEDED");
            assertThat(step.path("durationMs").asLong()).as(id).isGreaterThanOrEqualTo(0);
        }
        assertThat(step(done, "ship").path("result").asText()).isEqualTo("APPROVED");
        assertThat(done.path("outputs").path("ship").asText()).isEqualTo("ship it");
        assertThat(done.path("usage").path("calls").asLong()).isGreaterThanOrEqualTo(3);
        assertThat(done.path("usage").path("inputTokens").asLong()).isPositive();

        Answer again = api.call("POST", "/api/v1/runs/" + runId + "/approvals/ship", api.key(),
                "{\"decision\": \"approve\"}", "application/json");
        assertThat(again.status()).isEqualTo(409);

        // the approval's task token never reaches the run's followers
        JsonNode events = api.ok("GET", "/api/v1/runs/" + runId + "/events?limit=500", null);
        assertThat(events.toString()).contains("APPROVAL_REQUIRED").doesNotContain("taskToken");

        JsonNode listed = api.ok("GET", "/api/v1/runs?pipelineId=engineering&status=SUCCEEDED", null);
        assertThat(listed.path("items").toString()).contains(runId);
    }

    @Test
    void anAgentStepsDangerousToolCall_inARun_isListedAndApprovedThroughTheApi_andTheRunCompletes() throws Exception {
        String yaml = """
                id: cleanup
                name: Cleanup
                agents:
                  - name: janitor
                    role: cleans up
                    systemPrompt: Do the task with your tools.
                    model: {provider: bedrock, modelId: skyloom.local}
                    tools: [write_file, delete_file]
                steps:
                  - id: tidy
                    agent: janitor
                    input: "Write a draft, then remove it"
                """;
        api.ok("POST", "/api/v1/pipelines", JSON.createObjectNode().put("definition", yaml).toString());
        String runId = api.startRun("cleanup", "{\"input\": {}, \"scenarios\": {\"tidy\": \"agent-approval\"}}");

        JsonNode approval = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (approval == null && System.nanoTime() < deadline) {
            JsonNode items = api.ok("GET", "/api/v1/runs/" + runId + "/approvals", null).path("items");
            approval = items.isEmpty() ? null : items.get(0);
            LockSupport.parkNanos(Duration.ofMillis(300).toNanos());
        }
        assertThat(approval).as("the agent step's tool approval, listed with the run's").isNotNull();
        assertThat(approval.path("kind").asText()).isEqualTo("tool");
        assertThat(approval.path("stepId").asText()).isEqualTo("tidy");
        assertThat(approval.path("tool").asText()).isEqualTo("delete_file");
        assertThat(approval.path("input").path("path").asText()).isEqualTo("draft.txt");
        assertThat(api.ok("GET", "/api/v1/runs/" + runId, null).path("status").asText()).isEqualTo("RUNNING");

        JsonNode decided = api.ok("POST", approval.path("decide").asText(), "{\"decision\": \"approve\"}");
        assertThat(decided.path("status").asText()).isEqualTo("APPROVED");
        JsonNode done = api.until(runId, status("SUCCEEDED"), "succeeded");
        assertThat(step(done, "tidy").path("status").asText()).isEqualTo("SUCCEEDED");
        Answer again = api.call("POST", approval.path("decide").asText(), api.key(), "{\"decision\": \"approve\"}",
                "application/json");
        assertThat(again.status()).as(again.body().toString()).isEqualTo(409);
        JsonNode events = api.ok("GET", "/api/v1/runs/" + runId + "/events?limit=500", null);
        long stored = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!events.toString().contains("RUN_COMPLETE") && System.nanoTime() < stored) {
            LockSupport.parkNanos(Duration.ofMillis(300).toNanos());
            events = api.ok("GET", "/api/v1/runs/" + runId + "/events?limit=500", null);
        }
        assertThat(events.path("items")).anySatisfy(e -> {
            assertThat(e.path("type").asText()).isEqualTo("TOOL_CALL_END");
            assertThat(e.path("data").path("tool").asText()).isEqualTo("delete_file");
            assertThat(e.path("data").path("error").asBoolean()).as("the approved delete ran").isFalse();
        });
        assertThat(events.path("items")).anySatisfy(e -> {
            assertThat(e.path("type").asText()).isEqualTo("APPROVAL_DECIDED");
            assertThat(e.path("data").path("kind").asText()).isEqualTo("tool");
            assertThat(e.path("data").path("pipelineId").asText()).isEqualTo("cleanup");
        });
        assertThat(events.toString()).doesNotContain("taskToken");
    }

    @Test
    void aRejection_sendsTheRunBackToBuild_andAnApprovalThenCompletesIt() throws Exception {
        deployEngineering();
        String runId = api.startRun("engineering", "{\"input\": {\"request\": \"rename a field\"}, "
                + "\"scenarios\": {\"plan\": \"pipeline-plan\"}}");
        api.until(runId, waitingFor("ship"), "waiting for ship");

        api.ok("POST", "/api/v1/runs/" + runId + "/approvals/ship",
                "{\"decision\": \"reject\", \"comment\": \"needs docs\"}");
        JsonNode again = api.until(runId,
                run -> waitingFor("ship").test(run) && step(run, "build").path("runs").asInt() == 2, "back at ship");
        assertThat(api.llmCalls(runId).stream().filter(c -> c.path("stepId").asText().equals("build")).count())
                .isGreaterThanOrEqualTo(2);
        api.ok("POST", "/api/v1/runs/" + runId + "/approvals/ship", "{\"decision\": \"approve\"}");
        assertThat(api.until(runId, status("SUCCEEDED"), "succeeded").path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(again.path("status").asText()).isEqualTo("RUNNING");
    }

    @Test
    void research_loopsOverTheQuestions_andItsCouncilSynthesises() throws Exception {
        Answer created = api.call("POST", "/api/v1/pipelines", api.key(),
                JSON.createObjectNode().put("yaml", example("research")).toString(), "application/json");
        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
        String runId = api.startRun("research", "{\"input\": {\"questions\": [\"Why?\", \"How?\", \"When?\"]}}");
        JsonNode done = api.until(runId, status("SUCCEEDED"), "succeeded");
        assertThat(step(done, "investigate").path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(step(done, "synthesis").path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(done.path("outputs").path("investigate")).hasSize(3);
        List<JsonNode> calls = api.llmCalls(runId);
        // three loop items, two members and the leader's synthesis
        assertThat(calls.stream().map(c -> c.path("stepId").asText()).distinct().toList())
                .contains("investigate", "synthesis-1", "synthesis-2", "synthesis");
    }

    @Test
    void theExamplePipelines_ofSkyloomUp_areCreatedOnce_inTheDefaultTenant_andEngineeringRuns() throws Exception {
        String admin = api.adminKey();
        Path examples = PipelineHarness.stateMachines().resolve("examples");
        var shipped = new dev.skyloom.local.cloud.provision.ExamplePipelines(api.cloud().apiEndpoint().orElseThrow(),
                admin);
        assertThat(shipped.ensure(examples)).containsExactly("engineering", "research", "every-step");
        assertThat(shipped.ensure(examples)).isEmpty();
        Answer engineering = api.call("GET", "/api/v1/pipelines/engineering", admin, null, null);
        assertThat(engineering.status()).isEqualTo(200);
        assertThat(engineering.body().path("latestVersion").asLong()).isEqualTo(1);
    }

    @Test
    void aCancelledRun_stops_andTakesNoDecision() throws Exception {
        deployEngineering();
        String runId = api.startRun("engineering",
                "{\"input\": {\"request\": \"x\"}, \"scenarios\": {\"plan\": \"pipeline-plan\"}}");
        api.until(runId, waitingFor("ship"), "waiting for ship");
        // a repeated start with the same Idempotency-Key is the same run
        String key1 = UUID.randomUUID().toString();
        String body = "{\"input\": {\"request\": \"y\"}, \"scenarios\": {\"plan\": \"pipeline-plan\"}}";
        Answer first = api.call("POST", "/api/v1/pipelines/engineering/runs", api.key(), body, "application/json",
                key1);
        Answer second = api.call("POST", "/api/v1/pipelines/engineering/runs", api.key(), body, "application/json",
                key1);
        assertThat(first.status()).isEqualTo(202);
        assertThat(second.body().path("id").asText()).isEqualTo(first.body().path("id").asText());
        api.ok("POST", "/api/v1/runs/" + first.body().path("id").asText() + "/cancel", null);

        JsonNode cancelled = api.ok("POST", "/api/v1/runs/" + runId + "/cancel", null);
        assertThat(cancelled.path("status").asText()).isEqualTo("CANCELLED");
        assertThat(api.call("POST", "/api/v1/runs/" + runId + "/approvals/ship", api.key(),
                "{\"decision\": \"approve\"}", "application/json").status()).isEqualTo(409);
        assertThat(api.call("POST", "/api/v1/runs/" + runId + "/cancel", api.key(), null, null).status())
                .isEqualTo(409);
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
        JsonNode created = api.ok("POST", "/api/v1/pipelines",
                JSON.createObjectNode().put("definition", yaml).toString());
        assertThat(created.path("id").asText()).isEqualTo("three");
        String runId = api.startRun("three",
                "{\"input\": {\"topic\": \"t\"}, \"scenarios\": {\"second\": \"pipeline-flaky\"}}");
        JsonNode failed = api.until(runId, status("FAILED"), "failed");
        assertThat(step(failed, "first").path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(step(failed, "second").path("status").asText()).isEqualTo("FAILED");
        long firstCalls = api.llmCalls(runId).stream().filter(c -> c.path("stepId").asText().equals("first")).count();
        assertThat(firstCalls).isPositive();

        Answer retried = api.call("POST", "/api/v1/runs/" + runId + "/retry", api.key(), null, null);
        assertThat(retried.status()).as(retried.body().toString()).isEqualTo(202);
        JsonNode done = api.until(runId, status("SUCCEEDED"), "succeeded");
        assertThat(done.path("attempts").asInt()).isEqualTo(2);
        assertThat(step(done, "third").path("status").asText()).isEqualTo("SUCCEEDED");
        List<JsonNode> calls = api.llmCalls(runId);
        assertThat(calls.stream().filter(c -> c.path("stepId").asText().equals("first")).count())
                .as("the first step is not run again").isEqualTo(firstCalls);
        assertThat(calls.stream().filter(c -> c.path("stepId").asText().equals("third")).count()).isPositive();
        assertThat(done.path("outputs").path("first").isMissingNode()).isFalse();
    }

    /** Every event of the run, read back in pages of {@code limit} with {@code ?after=} until a page is empty. */
    List<JsonNode> eventPages(String runId, int limit) throws Exception {
        List<JsonNode> items = new ArrayList<>();
        long after = 0;
        while (true) {
            JsonNode page = api.ok("GET", "/api/v1/runs/" + runId + "/events?limit=" + limit + "&after=" + after, null);
            if (page.path("items").isEmpty()) {
                return items;
            }
            page.path("items").forEach(items::add);
            after = page.path("next").asLong();
        }
    }

    @Test
    void aRunFollowedOverSse_acrossAReconnectMidRun_getsEveryEventOnceInOrder_andAnSqsRedeliveryAddsNone()
            throws Exception {
        Answer created = api.call("POST", "/api/v1/pipelines", api.key(),
                JSON.createObjectNode().put("yaml", example("approval")).toString(), "application/json");
        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
        String runId = api.startRun("press-release", "{\"input\": {\"topic\": \"the new loom\"}}");
        URI stream = api.cloud().apiEndpoint().orElseThrow().resolve("/api/v1/runs/" + runId + "/stream");

        // the first connection takes two events and goes: the run cannot be over, it waits for signoff later on
        List<Sse.Event> first = Sse.read(stream, api.key(), null, got -> got.size() >= 2, Duration.ofSeconds(60));
        assertThat(first).extracting(Sse.Event::id).containsExactly(1L, 2L);
        assertThat(first).extracting(Sse.Event::type).doesNotContain("RUN_COMPLETE", "APPROVAL_REQUIRED");

        // SQS delivers at least once: the first event's EventBridge envelope arrives twice more on the events queue
        JsonNode original = JSON.readTree(first.getFirst().data());
        ObjectNode envelope = JSON.createObjectNode().put("version", "0").put("id", original.path("eventId").asText())
                .put("detail-type", original.path("type").asText()).put("source", original.path("source").asText())
                .put("account", "000000000000").put("time", original.path("time").asText()).put("region", "us-east-1");
        envelope.putArray("resources");
        envelope.set("detail", original.path("data"));
        var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));
        try (SqsClient sqs = SqsClient.builder().endpointOverride(api.cloud().edgeEndpoint()).region(Region.US_EAST_1)
                .credentialsProvider(credentials).build()) {
            String queue = api.cloud().provisioned().orElseThrow().queueUrls().get("events");
            sqs.sendMessage(b -> b.queueUrl(queue).messageBody(envelope.toString()));
            sqs.sendMessage(b -> b.queueUrl(queue).messageBody(envelope.toString()));

            // the reconnect resumes after the last event held and follows the run live through the approval
            CompletableFuture<List<Sse.Event>> second = CompletableFuture.supplyAsync(() -> {
                try {
                    return Sse.read(stream, api.key(), first.getLast().id(), got -> !got.isEmpty()
                            && got.getLast().type().equals("RUN_COMPLETE"), Duration.ofSeconds(150));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            api.until(runId, waitingFor("signoff"), "waiting for signoff");
            api.ok("POST", "/api/v1/runs/" + runId + "/approvals/signoff", "{\"decision\": \"approve\", "
                    + "\"comment\": \"fine\"}");
            assertThat(api.until(runId, status("SUCCEEDED"), "succeeded").path("status").asText())
                    .isEqualTo("SUCCEEDED");
            List<Sse.Event> resumed = second.get(160, TimeUnit.SECONDS);
            assertThat(resumed).as("the resumed stream ends with RUN_COMPLETE").isNotEmpty();
            assertThat(resumed.getLast().type()).isEqualTo("RUN_COMPLETE");

            // everything the queue held is handled, the duplicates included, before the stream is compared
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            Map<QueueAttributeName, String> depth;
            do {
                LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
                depth = sqs.getQueueAttributes(b -> b.queueUrl(queue).attributeNames(
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
            } while (!depth.values().stream().allMatch("0"::equals) && System.nanoTime() < deadline);
            assertThat(depth.values()).as("the events queue drained").containsOnly("0");

            List<Sse.Event> streamed = new ArrayList<>(first);
            streamed.addAll(resumed);
            List<JsonNode> stored = eventPages(runId, 7);
            assertThat(streamed).extracting(Sse.Event::id).as("seqs 1..N over both connections, each once")
                    .isEqualTo(LongStream.rangeClosed(1, streamed.size()).boxed().toList());
            assertThat(stored.stream().map(e -> e.path("seq").asLong() + " " + e.path("type").asText() + " "
                    + e.path("eventId").asText()).toList()).as("the stream is the stored run, in the same order")
                    .isEqualTo(streamed.stream().map(e -> {
                        JsonNode item = readJson(e.data());
                        assertThat(item.path("seq").asLong()).isEqualTo(e.id());
                        assertThat(item.path("type").asText()).isEqualTo(e.type());
                        return e.id() + " " + e.type() + " " + item.path("eventId").asText();
                    }).toList());
            assertThat(stored.stream().map(e -> e.path("eventId").asText()).distinct()).hasSize(stored.size());
            assertThat(stored.getLast().path("type").asText()).isEqualTo("RUN_COMPLETE");
            assertThat(stored.stream().map(e -> e.path("type").asText()).toList())
                    .containsSubsequence("RUN_CREATED", "APPROVAL_REQUIRED", "APPROVAL_DECIDED", "RUN_COMPLETE");
            assertThat(streamed.toString()).as("no task token over SSE").doesNotContain("taskToken");
            assertThat(stored.toString()).as("no task token in the events").doesNotContain("taskToken");
            System.out.println("figure: run " + runId + " followed over SSE with a reconnect after 2 events: "
                    + stored.size() + " events, seqs 1.." + stored.size() + ", 2 SQS duplicates stored 0 times");
        }
    }

    static JsonNode readJson(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalStateException(text, e);
        }
    }
}
