package dev.skyloom.handlers.swarm;

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
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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

    @TempDir
    Path dir;


    private ChildCloud start() throws Exception {
        Path models = dir.resolve("models");
        if (!Files.exists(models)) {
            Files.createDirectories(models);
            for (String name : List.of("swarm-1s.yaml", "swarm-2s.yaml")) {
                try (var in = SwarmCrashIT.class.getResourceAsStream("/scenarios/" + name)) {
                    Files.copy(in, models.resolve(name));
                }
            }
        }
        return ChildCloud.start(dir.resolve("cloud"), models);
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
        ChildCloud first = start();
        String admin = Files.readString(dir.resolve("cloud").resolve("admin.key")).trim();
        String key = first.api("POST", "/api/v1/tenants", admin, "{\"id\":\"crash\",\"name\":\"Crash\"}")
                .path("adminKey").path("token").asText();
        ObjectNode agent = JSON.createObjectNode().put("name", "Worker").put("memoryProfile", "none");
        agent.putObject("model").put("provider", "bedrock").put("modelId", "skyloom.scenario.swarm-2s");
        agent.putArray("tools");
        String agentId = first.api("POST", "/api/v1/agents", key, agent.toString()).path("id").asText();
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
        try (SfnClient sfn = first.sfn()) {
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

        first.kill();

        ChildCloud second = start();
        try (SfnClient sfn = second.sfn()) {
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
            second.stop();
        }
    }
}
