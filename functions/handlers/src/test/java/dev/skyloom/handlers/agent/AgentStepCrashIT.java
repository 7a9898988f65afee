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

    @TempDir
    Path dir;


    private ChildCloud start() throws Exception {
        Path models = dir.resolve("models");
        if (!Files.exists(models)) {
            Files.createDirectories(models);
            AgentStepIT.copyScenarios(models);
        }
        return ChildCloud.start(dir.resolve("cloud"), models);
    }



    @Test
    void killMinus9MidStep_thenRestart_completesTheStep_andAppliesNoSideEffectTwice() throws Exception {
        ChildCloud first = start();
        String admin = Files.readString(dir.resolve("cloud").resolve("admin.key")).trim();
        String key = first.api("POST", "/api/v1/tenants", admin, "{\"id\":\"crash\",\"name\":\"Crash\"}")
                .path("adminKey").path("token").asText();
        String projectId = first.api("POST", "/api/v1/projects", key, "{\"name\":\"Board\"}").path("id").asText();
        ObjectNode agent = JSON.createObjectNode().put("name", "Planner").put("memoryProfile", "persistent");
        agent.putObject("model").put("provider", "bedrock").put("modelId", "skyloom.scenario.agent-crash");
        agent.putPOJO("tools", List.of("create_task", "remember"));
        String agentId = first.api("POST", "/api/v1/agents", key, agent.toString()).path("id").asText();
        ObjectNode step = JSON.createObjectNode().put("tenantId", "crash").put("runId", "run-crash")
                .put("stepId", "plan").put("agentId", agentId).put("projectId", projectId)
                .put("prompt", "Plan three tasks");
        String executionArn;
        try (SfnClient sfn = first.sfn()) {
            String machine = sfn.listStateMachines().stateMachines().stream()
                    .filter(m -> m.name().equals("skyloom-agent-step")).findFirst().orElseThrow().stateMachineArn();
            executionArn = sfn.startExecution(b -> b.stateMachineArn(machine).name("run-crash")
                    .input(step.toString())).executionArn();
        }
        // wait until the step is in the middle: two model calls recorded, more to come
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        int calls = 0;
        while (calls < 2 && System.nanoTime() < deadline) {
            calls = first.api("GET", "/api/v1/llm-calls?runId=run-crash", key, null).path("items").size();
            LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
        }
        assertThat(calls).as("two turns made before the crash").isBetween(2, 5);

        first.kill();

        ChildCloud second = start();
        try (SfnClient sfn = second.sfn(); DynamoDbClient dynamoDb = DynamoDbClient.builder()
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
        } finally {
            second.stop();
        }
    }
}
