package dev.skyloom.handlers.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyloom.handlers.testing.ChildCloud;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;

/**
 * {@code kill -9} of the local cloud in the middle of work, then a restart on the same data, with two things in flight
 * at the kill (one child JVM pair for both: starting a cloud is what costs):
 * <ul>
 *   <li>a multi-turn agent step: it completes, and no turn's tool side effect is applied twice (three board tasks
 *   and two memories, exactly);</li>
 *   <li>a pipeline run waiting for a person's approval: it still waits after the restart, approving it through the
 *   API finishes the run, and its events go on with the same gapless seqs.</li>
 * </ul>
 * The local cloud runs in a child JVM ({@code LocalCloudMain}, as {@code ./skyloom up} starts it).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgentStepCrashIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    private ChildCloud second;
    private String key;
    private String projectId;
    private String agentId;
    private String executionArn;
    private String pipelineRun;
    private List<JsonNode> pipelineEventsBeforeTheKill;

    private ChildCloud start() throws Exception {
        Path models = dir.resolve("models");
        if (!Files.exists(models)) {
            Files.createDirectories(models);
            AgentStepIT.copyScenarios(models);
        }
        return ChildCloud.start(dir.resolve("cloud"), models);
    }

    /** Every event of the run through the API, in pages of 50. */
    private static List<JsonNode> events(ChildCloud cloud, String token, String runId) throws Exception {
        List<JsonNode> items = new ArrayList<>();
        long after = 0;
        while (true) {
            JsonNode page = cloud.api("GET", "/api/v1/runs/" + runId + "/events?limit=50&after=" + after, token, null);
            if (page.path("items").isEmpty()) {
                return items;
            }
            page.path("items").forEach(items::add);
            after = page.path("next").asLong();
        }
    }

    private static List<String> types(List<JsonNode> events) {
        return events.stream().map(e -> e.path("type").asText()).toList();
    }

    @BeforeAll
    void startWork_killMinus9_andRestart() throws Exception {
        long t0 = System.nanoTime();
        ChildCloud first = start();
        long started = System.nanoTime();
        String admin = Files.readString(dir.resolve("cloud").resolve("admin.key")).trim();
        key = first.api("POST", "/api/v1/tenants", admin, "{\"id\":\"crash\",\"name\":\"Crash\"}")
                .path("adminKey").path("token").asText();
        projectId = first.api("POST", "/api/v1/projects", key, "{\"name\":\"Board\"}").path("id").asText();

        // a pipeline run that reaches its approval step and waits there (stored events included)
        ObjectNode writer = JSON.createObjectNode().put("name", "writer").put("systemPrompt", "Write.");
        writer.putObject("model").put("provider", "bedrock").put("modelId", "skyloom.local");
        first.api("POST", "/api/v1/agents", key, writer.toString());
        String approvalYaml = Files.readString(Path.of(System.getProperty("skyloom.stateMachines",
                "../../statemachines")).resolve("examples").resolve("approval.yaml"));
        first.api("POST", "/api/v1/pipelines", key, JSON.createObjectNode().put("yaml", approvalYaml).toString());
        pipelineRun = first.api("POST", "/api/v1/pipelines/press-release/runs", key,
                "{\"input\": {\"topic\": \"a durable loom\"}}").path("id").asText();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        JsonNode run = null;
        List<JsonNode> events = List.of();
        while (System.nanoTime() < deadline) {
            run = first.api("GET", "/api/v1/runs/" + pipelineRun, key, null);
            // the run's first events are stored long before it waits (the events of a run without any are a 404)
            events = run.path("waitingApprovals").isEmpty() ? List.of() : events(first, key, pipelineRun);
            if (types(events).contains("APPROVAL_REQUIRED")) {
                break;
            }
            LockSupport.parkNanos(Duration.ofMillis(300).toNanos());
        }
        assertThat(run.path("waitingApprovals").toString()).as(String.valueOf(run)).contains("signoff");
        assertThat(types(events)).contains("APPROVAL_REQUIRED").doesNotContain("RUN_COMPLETE");
        pipelineEventsBeforeTheKill = events;
        long waiting = System.nanoTime();

        // an agent step in the middle of its turns
        ObjectNode agent = JSON.createObjectNode().put("name", "Planner").put("memoryProfile", "persistent");
        agent.putObject("model").put("provider", "bedrock").put("modelId", "skyloom.scenario.agent-crash");
        agent.putPOJO("tools", List.of("create_task", "remember"));
        agentId = first.api("POST", "/api/v1/agents", key, agent.toString()).path("id").asText();
        ObjectNode step = JSON.createObjectNode().put("tenantId", "crash").put("runId", "run-crash")
                .put("stepId", "plan").put("agentId", agentId).put("projectId", projectId)
                .put("prompt", "Plan three tasks");
        try (SfnClient sfn = first.sfn()) {
            String machine = sfn.listStateMachines().stateMachines().stream()
                    .filter(m -> m.name().equals("skyloom-agent-step")).findFirst().orElseThrow().stateMachineArn();
            executionArn = sfn.startExecution(b -> b.stateMachineArn(machine).name("run-crash")
                    .input(step.toString())).executionArn();
        }
        // wait until the step is in the middle: two model calls recorded, more to come
        deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        int calls = 0;
        while (calls < 2 && System.nanoTime() < deadline) {
            calls = first.api("GET", "/api/v1/llm-calls?runId=run-crash", key, null).path("items").size();
            LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
        }
        assertThat(calls).as("two turns made before the crash").isBetween(2, 5);

        long midStep = System.nanoTime();
        first.kill();

        second = start();
        long restarted = System.nanoTime();
        System.out.printf("figure: crash setup ms: first cloud up %d, run waiting for approval %d, agent step mid-step"
                + " %d, kill and restart %d%n", (started - t0) / 1_000_000, (waiting - started) / 1_000_000,
                (midStep - waiting) / 1_000_000, (restarted - midStep) / 1_000_000);
    }

    @AfterAll
    void stop() throws InterruptedException {
        if (second != null) {
            second.stop();
        }
    }

    @Test
    void theAgentStepKilledMidStep_completesAfterTheRestart_andAppliesNoSideEffectTwice() throws Exception {
        try (SfnClient sfn = second.sfn(); DynamoDbClient dynamoDb = DynamoDbClient.builder()
                .endpointOverride(second.edge()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .build()) {
            DescribeExecutionResponse done = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
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

            JsonNode tasks = second.api("GET", "/api/v1/projects/" + projectId + "/tasks?limit=100", key, null)
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
        }
    }

    @Test
    void anApprovalWaitingAtTheKill_stillWaitsAfterTheRestart_andApprovingItFinishesTheRun() throws Exception {
        JsonNode run = second.api("GET", "/api/v1/runs/" + pipelineRun, key, null);
        assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("RUNNING");
        assertThat(run.path("waitingApprovals").toString()).as(run.toString()).contains("signoff");
        JsonNode signoff = null;
        for (JsonNode s : run.path("steps")) {
            if (s.path("id").asText().equals("signoff")) {
                signoff = s;
            }
        }
        assertThat(signoff).as(run.toString()).isNotNull();
        assertThat(signoff.path("status").asText()).isEqualTo("WAITING_APPROVAL");
        assertThat(events(second, key, pipelineRun)).as("the events stored before the kill, as they were")
                .isEqualTo(pipelineEventsBeforeTheKill);

        second.api("POST", "/api/v1/runs/" + pipelineRun + "/approvals/signoff", key,
                "{\"decision\": \"approve\", \"comment\": \"still fine\"}");
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        List<JsonNode> events = List.of();
        while (System.nanoTime() < deadline) {
            run = second.api("GET", "/api/v1/runs/" + pipelineRun, key, null);
            events = events(second, key, pipelineRun);
            if (!run.path("status").asText().equals("RUNNING") && types(events).contains("RUN_COMPLETE")) {
                break;
            }
            LockSupport.parkNanos(Duration.ofMillis(300).toNanos());
        }
        assertThat(run.path("status").asText()).as(run + "\n" + second.output()).isEqualTo("SUCCEEDED");
        assertThat(run.path("waitingApprovals")).isEmpty();
        assertThat(run.path("outputs").path("signoff").asText()).isEqualTo("still fine");

        int before = pipelineEventsBeforeTheKill.size();
        assertThat(events.stream().map(e -> e.path("seq").asLong()).toList())
                .as("one stream across the restart: seqs 1..N, no gap, no repeat")
                .isEqualTo(LongStream.rangeClosed(1, events.size()).boxed().toList());
        assertThat(events.subList(0, before)).isEqualTo(pipelineEventsBeforeTheKill);
        assertThat(types(events.subList(before, events.size()))).as("the events after the restart")
                .containsSubsequence("APPROVAL_DECIDED", "RUN_COMPLETE");
        assertThat(types(events).getLast()).isEqualTo("RUN_COMPLETE");
        assertThat(types(events).stream().filter("APPROVAL_REQUIRED"::equals)).as("asked once").hasSize(1);
        assertThat(events.stream().map(e -> e.path("eventId").asText()).distinct()).hasSize(events.size());
        assertThat(events.toString()).doesNotContain("taskToken");
    }
}
