package dev.skyloom.handlers.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.handlers.testing.Sse;
import dev.skyloom.local.cloud.LocalCloud;
import dev.skyloom.local.cloud.LocalCloudConfig;
import java.io.IOException;
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
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;
import software.amazon.awssdk.services.sfn.model.HistoryEventType;

/**
 * Agent steps end to end on the local cloud: {@code statemachines/agent-step.asl.json} on the local Step Functions
 * engine, the AgentTurn function in the local Lambda, the model answered by the edge's Bedrock-compatible model
 * server from scripted scenarios, tools on s3proxy and DynamoDB Local, events through the local EventBridge, the
 * events queue and the ingest function into the events API. Everything is read back through the real SDK clients
 * and the REST API.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgentStepIT {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final StaticCredentialsProvider CREDENTIALS = StaticCredentialsProvider.create(
            AwsBasicCredentials.create("test", "test"));

    @TempDir
    static Path dataDir;
    private LocalCloud cloud;
    private SfnClient sfn;
    private S3Client s3;
    private DynamoDbClient dynamoDb;
    private String stateMachineArn;

    static Path stateMachines() {
        return Path.of(System.getProperty("skyloom.stateMachines", "../../statemachines")).toAbsolutePath()
                .normalize();
    }

    static Path functionsJar() {
        Path jar = Path.of(System.getProperty("skyloom.functionsJar", "target/skyloom-functions.jar"));
        assertThat(jar).as("the deployment jar is built before the integration tests").exists();
        return jar;
    }

    @BeforeAll
    void start() throws Exception {
        Path models = Files.createDirectories(dataDir.resolve("models"));
        copyScenarios(models);
        cloud = new LocalCloud(LocalCloudConfig.ephemeral(dataDir.resolve("cloud"), functionsJar())
                .withStateMachines(stateMachines()).withModelsDir(models)).start();
        URI edge = cloud.edgeEndpoint();
        sfn = SfnClient.builder().endpointOverride(edge).region(Region.US_EAST_1).credentialsProvider(CREDENTIALS)
                .build();
        s3 = S3Client.builder().endpointOverride(edge).region(Region.US_EAST_1).credentialsProvider(CREDENTIALS)
                .forcePathStyle(true).build();
        dynamoDb = DynamoDbClient.builder().endpointOverride(edge).region(Region.US_EAST_1)
                .credentialsProvider(CREDENTIALS).build();
        stateMachineArn = sfn.listStateMachines().stateMachines().stream()
                .filter(m -> m.name().equals("skyloom-agent-step")).findFirst().orElseThrow().stateMachineArn();
    }

    @AfterAll
    void stop() {
        if (cloud != null) {
            cloud.close();
        }
    }

    static void copyScenarios(Path models) throws IOException {
        for (String name : List.of("agent-files.yaml", "agent-throttled.yaml", "agent-loop.yaml",
                "agent-greedy.yaml", "agent-crash.yaml", "agent-approval.yaml")) {
            try (var in = AgentStepIT.class.getResourceAsStream("/scenarios/" + name)) {
                assertThat(in).as(name).isNotNull();
                Files.copy(in, models.resolve(name));
            }
        }
    }

    /** A tenant of its own, its admin key, and an agent that uses the scenario as its model. */
    record Tenant(String id, String key, String agentId) {
    }

    Tenant tenant(String scenario, List<String> tools, String budgets) throws Exception {
        String admin = Files.readString(dataDir.resolve("cloud").resolve("admin.key")).trim();
        String id = "t" + UUID.randomUUID().toString().substring(0, 8);
        JsonNode created = api("POST", "/api/v1/tenants", admin, "{\"id\":\"" + id + "\",\"name\":\"" + id + "\"}");
        String key = created.path("adminKey").path("token").asText();
        assertThat(key).as(created.toString()).startsWith("sky_");
        ObjectNode agent = JSON.createObjectNode().put("name", "Writer").put("role", "writes files")
                .put("systemPrompt", "Do the task with your tools.").put("memoryProfile", "persistent");
        agent.putObject("model").put("provider", "bedrock").put("modelId", "skyloom.scenario." + scenario);
        agent.putPOJO("tools", tools);
        if (budgets != null) {
            agent.set("budgets", JSON.readTree(budgets));
        }
        JsonNode stored = api("POST", "/api/v1/agents", key, agent.toString());
        return new Tenant(id, key, stored.path("id").asText());
    }

    JsonNode api(String method, String path, String token, String body) throws Exception {
        Answer answer = call(method, path, token, body);
        assertThat(answer.status()).as(method + " " + path + ": " + answer.body()).isBetween(200, 299);
        return answer.body();
    }

    /** An API answer: its status and body. */
    record Answer(int status, JsonNode body) {
    }

    Answer call(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(cloud.apiEndpoint().orElseThrow().resolve(path))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.body().isEmpty() ? JSON.nullNode()
                : JSON.readTree(response.body()));
    }

    static ObjectNode step(Tenant tenant, String runId, String prompt) {
        ObjectNode step = JSON.createObjectNode().put("tenantId", tenant.id()).put("runId", runId)
                .put("stepId", "write").put("agentId", tenant.agentId()).put("stepType", "agent")
                .put("prompt", prompt);
        step.putObject("limits").put("maxTurns", 12);
        return step;
    }

    String run(ObjectNode input) {
        return sfn.startExecution(b -> b.stateMachineArn(stateMachineArn).name(input.path("runId").asText())
                .input(input.toString())).executionArn();
    }

    DescribeExecutionResponse finished(String executionArn, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            DescribeExecutionResponse execution = sfn.describeExecution(b -> b.executionArn(executionArn));
            if (execution.status() != ExecutionStatus.RUNNING) {
                return execution;
            }
            LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
        }
        throw new AssertionError("execution " + executionArn + " still running after " + timeout);
    }

    /** What went wrong, for assertion messages: the execution's error and cause and every failed task's. */
    String explain(DescribeExecutionResponse execution) {
        StringBuilder out = new StringBuilder(execution.status() + " " + execution.error() + ": " + execution.cause());
        for (HistoryEvent event : history(execution.executionArn())) {
            if (event.type() == HistoryEventType.TASK_FAILED) {
                out.append("\n  task failed: ").append(event.taskFailedEventDetails().error()).append(": ")
                        .append(event.taskFailedEventDetails().cause());
            }
        }
        return out.toString();
    }

    List<HistoryEvent> history(String executionArn) {
        List<HistoryEvent> all = new ArrayList<>();
        sfn.getExecutionHistoryPaginator(b -> b.executionArn(executionArn).maxResults(1000))
                .forEach(page -> all.addAll(page.events()));
        return all;
    }

    /**
     * The run's events as the API serves them (the ingest function consumes the events queue): each as
     * {@code {"detail-type", "source", "detail"}}, in stream order, once the stream has stopped growing.
     */
    List<JsonNode> eventsOf(Tenant tenant, String runId) throws Exception {
        List<JsonNode> events = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        int quiet = 0;
        while (quiet < 2 && System.nanoTime() < deadline) {
            JsonNode page = api("GET", "/api/v1/runs/" + runId + "/events?limit=500&wait=1&after="
                    + (events.isEmpty() ? 0 : events.getLast().path("seq").asLong()), tenant.key(), null);
            quiet = page.path("items").isEmpty() ? quiet + 1 : 0;
            page.path("items").forEach(item -> events.add(JSON.createObjectNode().put("seq", item.path("seq").asLong())
                    .put("detail-type", item.path("type").asText()).put("source", item.path("source").asText())
                    .set("detail", item.path("data"))));
        }
        return events;
    }

    String workspaceObject(Tenant tenant, String runId, String path) {
        return s3.getObjectAsBytes(b -> b.bucket("skyloom-workspaces")
                .key("tenants/" + tenant.id() + "/runs/" + runId + "/workspace/" + path))
                .asString(StandardCharsets.UTF_8);
    }

    @Test
    void aScriptedStep_readsAndWritesFiles_remembers_andCompletes_withCallLogAndEvents() throws Exception {
        Tenant tenant = tenant("agent-files", List.of("read_file", "write_file", "remember", "recall"), null);
        String runId = "run-files-" + tenant.id();
        s3.putObject(b -> b.bucket("skyloom-workspaces")
                        .key("tenants/" + tenant.id() + "/runs/" + runId + "/workspace/notes.txt"),
                RequestBody.fromString("The launch is on Friday."));

        String execution = run(step(tenant, runId, "Summarise notes.txt into summary.md"));
        DescribeExecutionResponse done = finished(execution, Duration.ofSeconds(120));

        assertThat(done.status()).as(explain(done)).isEqualTo(ExecutionStatus.SUCCEEDED);
        JsonNode output = JSON.readTree(done.output());
        assertThat(output.path("text").asText()).isEqualTo("Summary written to summary.md");
        assertThat(output.path("result").asText()).isEqualTo("DONE");
        assertThat(output.path("turns").asInt()).isEqualTo(4);
        assertThat(output.path("usage").path("inputTokens").asLong()).isEqualTo(4 * 1000);
        assertThat(output.path("usage").path("outputTokens").asLong()).isEqualTo(4 * 100);
        // skyloom.scenario.* is priced at $3 / $15 per million tokens
        assertThat(output.path("costMicroUsd").asLong()).isEqualTo(4 * (1000 * 3 + 100 * 15));

        assertThat(workspaceObject(tenant, runId, "summary.md")).isEqualTo("# Summary\nLaunch: Friday.\n");

        Map<String, AttributeValue> pk = Map.of(":pk", AttributeValue.fromS("TENANT#" + tenant.id()),
                ":prefix", AttributeValue.fromS("MEMORY#AGENT#" + tenant.agentId() + "#"));
        List<Map<String, AttributeValue>> memories = dynamoDb.query(b -> b.tableName("skyloom-main")
                .keyConditionExpression("pk = :pk AND begins_with(sk, :prefix)").expressionAttributeValues(pk))
                .items();
        assertThat(memories).hasSize(1);
        assertThat(memories.get(0).toString()).contains("The launch is on Friday");

        JsonNode calls = api("GET", "/api/v1/llm-calls?runId=" + runId, tenant.key(), null).path("items");
        assertThat(calls).hasSize(4).allSatisfy(call -> {
            assertThat(call.path("agentId").asText()).isEqualTo(tenant.agentId());
            assertThat(call.path("inputTokens").asLong()).isEqualTo(1000);
            assertThat(call.path("outputTokens").asLong()).isEqualTo(100);
            assertThat(call.path("costMicroUsd").asLong()).isEqualTo(1000 * 3 + 100 * 15);
            assertThat(call.path("modelId").asText()).isEqualTo("skyloom.scenario.agent-files");
        });
        JsonNode summary = api("GET", "/api/v1/usage/summary?groupBy=agent", tenant.key(), null);
        assertThat(summary.path("groups").get(0).path("calls").asLong()).isEqualTo(4);

        List<JsonNode> runEvents = eventsOf(tenant, runId);
        List<String> types = runEvents.stream().map(e -> e.path("detail-type").asText()).toList();
        assertThat(types).containsSubsequence("STEP_STARTED", "LLM_CALL", "TOOL_CALL_START", "TOOL_CALL_END",
                "LLM_CALL", "TOOL_CALL_START", "TOOL_CALL_END", "STEP_COMPLETE");
        assertThat(types.stream().filter("LLM_CALL"::equals)).hasSize(4);
        assertThat(types.stream().filter("TOOL_CALL_END"::equals)).hasSize(4);
        assertThat(runEvents).allSatisfy(e -> assertThat(e.path("source").asText()).isEqualTo("skyloom.agent"));

        long turns = history(execution).stream().filter(e -> e.type() == HistoryEventType.TASK_STATE_ENTERED
                && e.stateEnteredEventDetails().name().equals("Turn")).count();
        assertThat(turns).as("every turn is a state of the execution").isEqualTo(4);
    }

    @Test
    void throttlingOnHalfTheCalls_isRetriedWithJitter_andTheStepStillCompletes() throws Exception {
        Tenant tenant = tenant("agent-throttled", List.of("write_file"), null);
        String runId = "run-throttled-" + tenant.id();

        String execution = run(step(tenant, runId, "Write three files"));
        DescribeExecutionResponse done = finished(execution, Duration.ofSeconds(180));

        assertThat(done.status()).as(explain(done)).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(JSON.readTree(done.output()).path("turns").asInt()).isEqualTo(4);
        List<HistoryEvent> history = history(execution);
        long throttled = history.stream().filter(e -> e.type() == HistoryEventType.TASK_FAILED
                && e.taskFailedEventDetails().error().equals("dev.skyloom.core.agent.ModelThrottledException"))
                .count();
        long turns = history.stream().filter(e -> e.type() == HistoryEventType.TASK_SCHEDULED).count();
        // calls 2, 4 and 6 of the scenario are throttled: the first attempts of turns 2, 3 and 4
        assertThat(throttled).as("every other model call was throttled and retried").isEqualTo(3);
        assertThat(turns).as("4 turns + 3 retries, bounded").isEqualTo(7);
        assertThat(api("GET", "/api/v1/llm-calls?runId=" + runId, tenant.key(), null).path("items")).hasSize(4);
        assertThat(workspaceObject(tenant, runId, "c.txt")).isEqualTo("three");
    }

    @Test
    void aLoopingScript_hitsTheLoopGuard_withAClearError() throws Exception {
        Tenant tenant = tenant("agent-loop", List.of("list_files"), null);
        String runId = "run-loop-" + tenant.id();
        ObjectNode input = step(tenant, runId, "List the files until you find one");
        ((ObjectNode) input.path("limits")).put("loopGuard", 3);

        DescribeExecutionResponse done = finished(run(input), Duration.ofSeconds(120));

        assertThat(done.status()).as(explain(done)).isEqualTo(ExecutionStatus.FAILED);
        assertThat(done.error()).as(explain(done)).isEqualTo("LOOP_DETECTED");
        assertThat(done.cause()).contains("list_files").contains("4 times").contains("loop guard: 3");
        JsonNode calls = api("GET", "/api/v1/llm-calls?runId=" + runId, tenant.key(), null).path("items");
        assertThat(calls).as("the guard trips on the call after the cap").hasSize(4);
        assertThat(eventsOf(tenant, runId)).anySatisfy(e -> {
            assertThat(e.path("detail-type").asText()).isEqualTo("STEP_FAILED");
            assertThat(e.path("detail").path("code").asText()).isEqualTo("LOOP_DETECTED");
        });
    }

    @Test
    void aGreedyScript_hitsTheDollarBudget_withinTheCapPlusOneCall() throws Exception {
        // each call: 100,000 input and 20,000 output tokens = $0.30 + $0.30 = $0.60; the agent may spend $1.00
        Tenant tenant = tenant("agent-greedy", List.of("write_file"), "{\"maxDollarsPerRun\": 1.0}");
        String runId = "run-greedy-" + tenant.id();

        DescribeExecutionResponse done = finished(run(step(tenant, runId, "Write an epic")), Duration.ofSeconds(120));

        assertThat(done.status()).as(explain(done)).isEqualTo(ExecutionStatus.FAILED);
        assertThat(done.error()).as(explain(done)).isEqualTo("BUDGET_EXCEEDED");
        assertThat(done.cause()).contains("$1.2").contains("$1 budget");
        JsonNode calls = api("GET", "/api/v1/llm-calls?runId=" + runId, tenant.key(), null).path("items");
        long spent = 0;
        for (JsonNode call : calls) {
            spent += call.path("costMicroUsd").asLong();
        }
        assertThat(calls).hasSize(2);
        assertThat(spent).as("within the cap plus one call").isLessThanOrEqualTo(1_000_000 + 600_000);
    }

    /** The tool approvals waiting in the run, as {@code GET /runs/{id}/approvals} lists them, once there is one. */
    JsonNode waitingToolApprovals(Tenant tenant, String runId) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            Answer answer = call("GET", "/api/v1/runs/" + runId + "/approvals", tenant.key(), null);
            if (answer.status() == 200 && !answer.body().path("items").isEmpty()) {
                return answer.body().path("items");
            }
            assertThat(answer.status()).as("a run without events yet is a 404: " + answer.body()).isIn(200, 404);
            LockSupport.parkNanos(Duration.ofMillis(300).toNanos());
        }
        throw new AssertionError("no tool approval listed for " + runId + " after 60 s");
    }

    @Test
    void aDangerousToolCall_waitsDurablyForAPerson_isApprovedThroughTheApi_thenRuns() throws Exception {
        Tenant tenant = tenant("agent-approval", List.of("write_file", "delete_file"), null);
        String runId = "run-approval-" + tenant.id();
        String execution = run(step(tenant, runId, "Write a draft, then remove it"));

        JsonNode request = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (request == null && System.nanoTime() < deadline) {
            request = eventsOf(tenant, runId).stream().filter(e -> e.path("detail-type").asText()
                    .equals("TOOL_APPROVAL_REQUIRED")).findFirst().orElse(null);
        }
        assertThat(request).as("TOOL_APPROVAL_REQUIRED for " + runId).isNotNull();
        JsonNode pending = request.path("detail").path("pending");
        assertThat(pending.path("tool").asText()).isEqualTo("delete_file");
        assertThat(pending.path("input").path("path").asText()).isEqualTo("draft.txt");
        assertThat(workspaceObject(tenant, runId, "draft.txt")).as("nothing deleted before the decision")
                .isEqualTo("temporary");
        assertThat(sfn.describeExecution(b -> b.executionArn(execution)).status()).isEqualTo(ExecutionStatus.RUNNING);

        // the token is where the platform reads it, in the execution's history: the run's followers never see it
        String token = null;
        for (HistoryEvent event : history(execution)) {
            if (event.type() == HistoryEventType.TASK_SCHEDULED) {
                JsonNode detail = JSON.readTree(event.taskScheduledEventDetails().parameters()).path("Entries").path(0)
                        .path("Detail");
                detail = detail.isTextual() ? JSON.readTree(detail.asText()) : detail;
                if (detail.path("taskToken").isTextual()) {
                    token = detail.path("taskToken").asText();
                }
            }
        }
        assertThat(token).as("AwaitApproval's task token in the history").isNotBlank();
        assertThat(request.path("detail").has("taskToken")).as("TOOL_APPROVAL_REQUIRED on the events API").isFalse();
        assertThat(eventsOf(tenant, runId).toString()).doesNotContain(token);
        List<Sse.Event> streamed = Sse.read(cloud.apiEndpoint().orElseThrow().resolve("/api/v1/runs/" + runId
                + "/stream"), tenant.key(), null, got -> got.stream().anyMatch(e -> e.type()
                .equals("TOOL_APPROVAL_REQUIRED")), Duration.ofSeconds(30));
        assertThat(streamed).extracting(Sse.Event::type).contains("TOOL_APPROVAL_REQUIRED");
        assertThat(streamed.toString()).as("no task token over SSE").doesNotContain(token).doesNotContain("taskToken");

        // the approvals route lists it (a standalone agent-step execution: a run known by its events), no token
        JsonNode approvals = waitingToolApprovals(tenant, runId);
        assertThat(approvals.toString()).doesNotContain(token).doesNotContain("taskToken");
        assertThat(approvals).singleElement().satisfies(a -> {
            assertThat(a.path("kind").asText()).isEqualTo("tool");
            assertThat(a.path("id").asText()).isEqualTo(pending.path("callKey").asText().replace('/', '.'));
            assertThat(a.path("stepId").asText()).isEqualTo("write");
            assertThat(a.path("agentId").asText()).isEqualTo(tenant.agentId());
            assertThat(a.path("tool").asText()).isEqualTo("delete_file");
            assertThat(a.path("input").path("path").asText()).isEqualTo("draft.txt");
            assertThat(a.path("status").asText()).isEqualTo("WAITING");
            assertThat(java.time.Instant.parse(a.path("expiresAt").asText())).isEqualTo(
                    java.time.Instant.parse(a.path("requestedAt").asText()).plus(Duration.ofHours(24)));
        });
        String id = approvals.get(0).path("id").asText();
        String decide = "/api/v1/runs/" + runId + "/tool-approvals/" + id;
        assertThat(approvals.get(0).path("decide").asText()).isEqualTo(decide);

        // who may only read the run cannot decide; an unknown id and a bad body say what is wrong
        String reader = api("POST", "/api/v1/api-keys", tenant.key(),
                "{\"name\":\"follower\",\"scopes\":[\"runs:read\"]}").path("token").asText();
        assertThat(call("GET", "/api/v1/runs/" + runId + "/approvals", reader, null).status()).isEqualTo(200);
        Answer forbidden = call("POST", decide, reader, "{\"decision\": \"approve\"}");
        assertThat(forbidden.status()).as(forbidden.body().toString()).isEqualTo(403);
        Answer unknown = call("POST", "/api/v1/runs/" + runId + "/tool-approvals/0000000000000000.1.0", tenant.key(),
                "{\"decision\": \"approve\"}");
        assertThat(unknown.status()).as(unknown.body().toString()).isEqualTo(404);
        Answer bad = call("POST", decide, tenant.key(), "{\"decision\": \"maybe\"}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body().toString()).contains("decision").contains("approve or reject");
        assertThat(sfn.describeExecution(b -> b.executionArn(execution)).status()).isEqualTo(ExecutionStatus.RUNNING);

        JsonNode decided = api("POST", decide, tenant.key(), "{\"decision\": \"approve\", \"comment\": \"ok\"}");
        String by = api("GET", "/api/v1/me", tenant.key(), null).path("userId").asText();
        assertThat(decided.path("status").asText()).isEqualTo("APPROVED");
        assertThat(decided.path("decidedBy").asText()).isEqualTo(by);
        assertThat(decided.toString()).doesNotContain(token);
        DescribeExecutionResponse done = finished(execution, Duration.ofSeconds(60));

        assertThat(done.status()).as(explain(done)).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(s3.listObjectsV2(b -> b.bucket("skyloom-workspaces")
                .prefix("tenants/" + tenant.id() + "/runs/" + runId + "/workspace/")).contents())
                .as("the approved delete ran").isEmpty();
        Answer again = call("POST", decide, tenant.key(), "{\"decision\": \"reject\"}");
        assertThat(again.status()).as(again.body().toString()).isEqualTo(409);
        assertThat(again.body().toString()).contains("decided already");
        assertThat(api("GET", "/api/v1/runs/" + runId + "/approvals", tenant.key(), null).path("items")).isEmpty();
        List<JsonNode> after = eventsOf(tenant, runId);
        assertThat(after).anySatisfy(e -> {
            assertThat(e.path("detail-type").asText()).isEqualTo("TOOL_APPROVAL_DECIDED");
            assertThat(e.path("detail").path("by").asText()).isEqualTo(by);
        });
        assertThat(after).anySatisfy(e -> {
            assertThat(e.path("detail-type").asText()).isEqualTo("APPROVAL_DECIDED");
            assertThat(e.path("source").asText()).isEqualTo("skyloom.api");
            assertThat(e.path("detail").path("kind").asText()).isEqualTo("tool");
            assertThat(e.path("detail").path("approvalId").asText()).isEqualTo(id);
            assertThat(e.path("detail").path("decision").asText()).isEqualTo("approve");
            assertThat(e.path("detail").path("by").asText()).isEqualTo(by);
        });
        assertThat(after.stream().filter(e -> e.path("detail-type").asText().equals("APPROVAL_DECIDED")))
                .as("the second decision emitted nothing").hasSize(1);
    }

    @Test
    void aRejectedToolCall_doesNotRun_andTheAgentIsToldWhyAndByWhom() throws Exception {
        Tenant tenant = tenant("agent-approval", List.of("write_file", "delete_file"), null);
        String runId = "run-rejected-" + tenant.id();
        String execution = run(step(tenant, runId, "Write a draft, then remove it"));

        JsonNode approval = waitingToolApprovals(tenant, runId).get(0);
        assertThat(approval.path("tool").asText()).isEqualTo("delete_file");
        JsonNode decided = api("POST", approval.path("decide").asText(), tenant.key(),
                "{\"decision\": \"reject\", \"comment\": \"keep the draft\"}");
        assertThat(decided.path("status").asText()).isEqualTo("REJECTED");
        assertThat(decided.path("comment").asText()).isEqualTo("keep the draft");
        DescribeExecutionResponse done = finished(execution, Duration.ofSeconds(60));

        assertThat(done.status()).as(explain(done)).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(workspaceObject(tenant, runId, "draft.txt")).as("the rejected delete did not run")
                .isEqualTo("temporary");
        String by = decided.path("decidedBy").asText();
        assertThat(eventsOf(tenant, runId)).anySatisfy(e -> {
            assertThat(e.path("detail-type").asText()).isEqualTo("TOOL_CALL_END");
            assertThat(e.path("detail").path("tool").asText()).isEqualTo("delete_file");
            assertThat(e.path("detail").path("error").asBoolean()).isTrue();
            assertThat(e.path("detail").path("resultPreview").asText()).as("what the agent was told")
                    .contains("rejected").contains(by).contains("keep the draft");
        });
        Answer again = call("POST", approval.path("decide").asText(), tenant.key(), "{\"decision\": \"approve\"}");
        assertThat(again.status()).isEqualTo(409);
    }
}
