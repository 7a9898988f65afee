package dev.skyloom.core.swarm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SwarmRuntimeTest {
    static final ObjectMapper JSON = new ObjectMapper();

    /** An in-memory store behind the port (unit tests only; the ITs use DynamoDB and S3). */
    static final class MemoryStore implements SwarmStore {
        final Map<String, Versioned> states = new HashMap<>();
        final Map<String, JsonNode> docs = new HashMap<>();

        @Override
        public synchronized Optional<Versioned> load(String tenantId, String swarmId) {
            Versioned v = states.get(swarmId);
            return v == null ? Optional.empty() : Optional.of(new Versioned(v.state().deepCopy(), v.version()));
        }

        @Override
        public synchronized boolean create(String tenantId, String swarmId, ObjectNode state) {
            return states.putIfAbsent(swarmId, new Versioned(state.deepCopy(), 1)) == null;
        }

        @Override
        public synchronized boolean replace(String tenantId, String swarmId, ObjectNode state, long expected) {
            if (states.get(swarmId).version() != expected) {
                return false;
            }
            states.put(swarmId, new Versioned(state.deepCopy(), expected + 1));
            return true;
        }

        @Override
        public void putDocument(String tenantId, String swarmId, String name, JsonNode document) {
            docs.put(swarmId + "/" + name, document);
        }

        @Override
        public Optional<JsonNode> getDocument(String tenantId, String swarmId, String name) {
            return Optional.ofNullable(docs.get(swarmId + "/" + name));
        }

        @Override
        public String uri(String tenantId, String swarmId, String name) {
            return "s3://bucket/" + swarmId + "/" + name;
        }
    }

    final MemoryStore store = new MemoryStore();
    final java.util.List<String> woken = new java.util.ArrayList<>();
    final Clock clock = Clock.fixed(Instant.parse("2026-11-22T00:00:00Z"), ZoneOffset.UTC);

    ObjectNode input(String policy, int maxConcurrent) throws Exception {
        return (ObjectNode) JSON.readTree("""
                {"tenantId": "acme", "swarmId": "swm_1", "swarm": {"maxConcurrent": %d, "failurePolicy": "%s",
                 "tasks": [{"key": "a", "prompt": "start", "agentId": "agt_1"},
                           {"key": "b", "prompt": "B after {{deps.a.output}}", "agentId": "agt_1", "dependencies": ["a"]},
                           {"key": "c", "prompt": "C", "agentId": "agt_1", "dependencies": ["a"]},
                           {"key": "d", "prompt": "D {{deps.b.text}}/{{deps.c.result}}", "agentId": "agt_1",
                            "dependencies": ["b", "c"]}]}}""".formatted(maxConcurrent, policy));
    }

    static JsonNode completed(String text) throws Exception {
        return JSON.readTree("{\"key\": \"" + text.toLowerCase(java.util.Locale.ROOT) + "\", "
                + "\"outcome\": \"completed\", \"result\": {\"text\": \"" + text + "\", \"output\": \""
                + text + "-out\", \"result\": \"R" + text + "\", \"turns\": 1, \"costMicroUsd\": 5, "
                + "\"usage\": {\"inputTokens\": 10, \"outputTokens\": 2}}}");
    }

    @Test
    void diamond_workersClaimInDependencyOrderAndDependentsSeeOutputs() throws Exception {
        SwarmRuntime rt = new SwarmRuntime(store, (token, output) -> woken.add(token + " " + output), clock, JSON);
        assertThat(rt.init(input("skip-dependents", 3)).get("workers")).hasSize(3);

        ObjectNode w0 = rt.next("acme", "swm_1", 0, null);
        ObjectNode w1 = rt.next("acme", "swm_1", 1, null);
        assertThat(w0.get("action").asText()).isEqualTo("run");
        assertThat(w0.get("key").asText()).isEqualTo("a");
        assertThat(w0.at("/step/stepId").asText()).isEqualTo("a");
        assertThat(w1.get("action").asText()).isEqualTo("park");
        rt.park("acme", "swm_1", 1, "token-1");
        assertThat(woken).isEmpty();
        // a retried call of worker 0 gets the same task, also with a stale report of another task
        assertThat(rt.next("acme", "swm_1", 0, null).get("key").asText()).isEqualTo("a");
        assertThat(rt.next("acme", "swm_1", 0, completed("X")).get("key").asText()).isEqualTo("a");

        ObjectNode next0 = rt.next("acme", "swm_1", 0, completed("A"));
        assertThat(next0.get("key").asText()).isEqualTo("b");
        assertThat(woken).as("c is ready too: the parked worker is woken with it").hasSize(1);
        assertThat(woken.getFirst()).startsWith("token-1 {\"action\":\"run\",\"key\":\"c\"");
        assertThat(next0.at("/step/prompt").asText()).isEqualTo("B after A-out");
        // a lost wake-up: the worker's park times out and it asks again: it gets the task claimed for it
        assertThat(rt.next("acme", "swm_1", 1, null).get("key").asText()).isEqualTo("c");
        assertThat(rt.next("acme", "swm_1", 2, null).get("action").asText()).isEqualTo("park");
        rt.park("acme", "swm_1", 2, "token-2");
        assertThat(rt.next("acme", "swm_1", 0, completed("B")).get("action").asText()).isEqualTo("park");
        rt.park("acme", "swm_1", 0, "token-0");
        ObjectNode d = rt.next("acme", "swm_1", 1, completed("C"));
        assertThat(d.get("key").asText()).isEqualTo("d");
        assertThat(d.at("/step/prompt").asText()).isEqualTo("D B/RC");
        assertThat(d.at("/step/context/deps/b/resultUri").asText()).isEqualTo("s3://bucket/swm_1/tasks/b/result.json");
        assertThat(rt.next("acme", "swm_1", 1, completed("D")).get("action").asText()).isEqualTo("done");
        assertThat(woken.subList(1, 3)).as("the end releases every parked worker")
                .containsExactlyInAnyOrder("token-2 {\"action\":\"done\"}", "token-0 {\"action\":\"done\"}");

        ObjectNode summary = rt.finish("acme", "swm_1", "done");
        assertThat(summary.get("status").asText()).isEqualTo("completed");
        assertThat(summary.at("/counts/completed").asInt()).isEqualTo(4);
    }

    @Test
    void twoProcesses_aStaleCopyLosesItsClaim_rereads_andNoTaskRunsTwice() throws Exception {
        // two scheduler processes over one store (on AWS: two Lambda containers); each keeps its last copy
        SwarmRuntime a = new SwarmRuntime(store, (token, output) -> woken.add(token + " " + output), clock, JSON);
        SwarmRuntime b = new SwarmRuntime(store, (token, output) -> woken.add(token + " " + output), clock, JSON);
        a.init((ObjectNode) JSON.readTree("""
                {"tenantId": "acme", "swarmId": "swm_1", "swarm": {"maxConcurrent": 2,
                 "tasks": [{"key": "x", "prompt": "X", "agentId": "agt_1"},
                           {"key": "y", "prompt": "Y", "agentId": "agt_1"}]}}"""));

        assertThat(a.next("acme", "swm_1", 0, null).get("key").asText()).isEqualTo("x");
        assertThat(b.next("acme", "swm_1", 1, null).get("key").asText()).isEqualTo("y");
        // a's copy still has y pending: deciding on it would claim y again; its write loses, it reads, y is taken
        ObjectNode afterX = a.next("acme", "swm_1", 0, completed("X"));
        assertThat(afterX.get("action").asText()).as(afterX.toString()).isEqualTo("park");
        a.park("acme", "swm_1", 0, "token-0");
        // b's copy is stale too (x completed by a): it still finishes the swarm correctly
        assertThat(b.next("acme", "swm_1", 1, completed("Y")).get("action").asText()).isEqualTo("done");
        assertThat(woken).containsExactly("token-0 {\"action\":\"done\"}");

        ObjectNode summary = b.finish("acme", "swm_1", "done");
        assertThat(summary.get("status").asText()).isEqualTo("completed");
        assertThat(summary.at("/counts/completed").asInt()).isEqualTo(2);
        JsonNode tasks = store.load("acme", "swm_1").orElseThrow().state().path("tasks");
        assertThat(tasks.size()).isEqualTo(2);
        tasks.forEach(t -> assertThat(t.path("attempt").asInt()).as("each task claimed once: " + t).isEqualTo(1));
    }

    @Test
    void failure_skipsDependentsAndTheSwarmFails() throws Exception {
        SwarmRuntime rt = new SwarmRuntime(store, (token, output) -> woken.add(token + " " + output), clock, JSON);
        rt.init(input("skip-dependents", 2));
        rt.next("acme", "swm_1", 0, null);
        JsonNode failed = JSON.readTree("{\"key\": \"a\", \"outcome\": \"failed\", \"error\": {\"Error\": \"States.TaskFailed\", "
                + "\"Cause\": \"{\\\"Error\\\": \\\"MODEL_ERROR\\\", \\\"Cause\\\": \\\"boom\\\"}\"}}");

        assertThat(rt.next("acme", "swm_1", 0, failed).get("action").asText()).isEqualTo("done");
        ObjectNode summary = rt.finish("acme", "swm_1", "done");

        assertThat(summary.get("status").asText()).isEqualTo("failed");
        assertThat(summary.at("/tasks/a/status").asText()).isEqualTo("failed");
        assertThat(summary.at("/tasks/a/error").asText()).isEqualTo("MODEL_ERROR");
        assertThat(summary.at("/tasks/b/status").asText()).isEqualTo("skipped");
        assertThat(summary.at("/tasks/d/status").asText()).isEqualTo("skipped");
    }

    static JsonNode failed(String key, String error, String cause) throws Exception {
        ObjectNode report = JSON.createObjectNode().put("key", key).put("outcome", "failed");
        report.putObject("error").put("Error", "States.TaskFailed").put("Cause",
                JSON.createObjectNode().put("Error", error).put("Cause", cause).toString());
        return report;
    }

    @Test
    void aFailedTaskWithRetriesLeft_runsAgainWithItsFailureAsFeedback_thenCountsAsFailed() throws Exception {
        SwarmRuntime rt = new SwarmRuntime(store, (token, output) -> woken.add(token + " " + output), clock, JSON);
        ObjectNode input = input("fail-fast", 1);
        ((ObjectNode) input.get("swarm")).put("maxRetries", 1); // the swarm's default
        ((ObjectNode) input.at("/swarm/tasks/1")).put("maxRetries", 2); // b's own
        rt.init(input);
        rt.next("acme", "swm_1", 0, null);

        // a fails once: under fail-fast a failure with retries left is no failure yet; a runs again at once
        ObjectNode again = rt.next("acme", "swm_1", 0, failed("a", "MODEL_ERROR", "the model refused"));
        assertThat(again.get("action").asText()).isEqualTo("run");
        assertThat(again.get("key").asText()).isEqualTo("a");
        assertThat(again.at("/step/prompt").asText()).isEqualTo("start\n\n# Previous attempt\nAttempt 1 of this task "
                + "failed (MODEL_ERROR: the model refused). Avoid what made it fail.");
        assertThat(again.at("/step/context/previousAttempts/0/error").asText()).isEqualTo("MODEL_ERROR");
        assertThat(store.load("acme", "swm_1").orElseThrow().state().at("/tasks/a/attempt").asInt()).isEqualTo(2);

        // b: two retries (its own), then it fails for good and fail-fast aborts
        ObjectNode b = rt.next("acme", "swm_1", 0, completed("A"));
        assertThat(b.get("key").asText()).isEqualTo("b");
        assertThat(b.at("/step/prompt").asText()).isEqualTo("B after A-out");
        assertThat(rt.next("acme", "swm_1", 0, failed("b", "STEP_TIMEOUT", "slow")).get("key").asText()).isEqualTo("b");
        ObjectNode third = rt.next("acme", "swm_1", 0, failed("b", "MAX_TURNS", "out of turns"));
        assertThat(third.get("key").asText()).isEqualTo("b");
        assertThat(third.at("/step/prompt").asText()).endsWith("Attempt 2 of this task failed (MAX_TURNS: out of turns)."
                + " Avoid what made it fail.");
        assertThat(third.at("/step/context/previousAttempts")).hasSize(2);
        assertThat(rt.next("acme", "swm_1", 0, failed("b", "MAX_TURNS", "again")).get("action").asText())
                .isEqualTo("abort");
        ObjectNode summary = rt.finish("acme", "swm_1", "aborted");
        assertThat(summary.at("/tasks/a/status").asText()).isEqualTo("completed");
        assertThat(summary.at("/tasks/b/status").asText()).isEqualTo("failed");
        assertThat(summary.at("/tasks/b/attempt").asInt()).isEqualTo(3);
        assertThat(summary.at("/tasks/b/failures")).hasSize(2);
    }

    @Test
    void budgetAndInvalidStepFailures_areNotRetried() throws Exception {
        SwarmRuntime rt = new SwarmRuntime(store, (token, output) -> woken.add(token + " " + output), clock, JSON);
        ObjectNode input = input("skip-dependents", 1);
        ((ObjectNode) input.get("swarm")).put("maxRetries", 3);
        rt.init(input);
        rt.next("acme", "swm_1", 0, null);

        assertThat(rt.next("acme", "swm_1", 0, failed("a", "BUDGET_EXCEEDED", "the run spent $2 of its $2"))
                .get("action").asText()).isEqualTo("done");
        assertThat(rt.finish("acme", "swm_1", "done").at("/tasks/a/status").asText()).isEqualTo("failed");
    }

    @Test
    void aTasksModel_goesIntoItsStep() throws Exception {
        SwarmRuntime rt = new SwarmRuntime(store, (token, output) -> woken.add(token + " " + output), clock, JSON);
        ObjectNode input = input("skip-dependents", 1);
        ((ObjectNode) input.at("/swarm/tasks/0")).put("model", "anthropic.claude-3-5-haiku-20241022-v1:0");
        rt.init(input);

        ObjectNode a = rt.next("acme", "swm_1", 0, null);
        assertThat(a.at("/step/model").asText()).isEqualTo("anthropic.claude-3-5-haiku-20241022-v1:0");
        assertThat(rt.next("acme", "swm_1", 0, completed("A")).at("/step/model").isMissingNode())
                .as("b runs on its agent's model").isTrue();
    }

    @Test
    void aPlannedSwarm_getsAPlanningStep_andRunsThePlansTasks() throws Exception {
        SwarmRuntime rt = new SwarmRuntime(store, (token, output) -> woken.add(token + " " + output), clock, JSON);
        ObjectNode input = (ObjectNode) JSON.readTree("""
                {"tenantId": "acme", "swarmId": "swm_1", "scenario": "s1", "swarm": {"goal": "Ship the release",
                 "plannerAgentId": "agt_p", "maxConcurrent": 2, "globalTimeoutSeconds": 600,
                 "budget": {"maxDollars": 2.5}}}""");

        ObjectNode plan = rt.planStep(input);
        assertThat(plan.get("timeoutSeconds").asInt()).isEqualTo(660);
        JsonNode step = plan.get("step");
        assertThat(step.get("stepType").asText()).isEqualTo("swarm-planner");
        assertThat(step.get("stepId").asText()).isEqualTo("PLAN");
        assertThat(step.get("runId").asText()).isEqualTo("swm_1");
        assertThat(step.get("agentId").asText()).isEqualTo("agt_p");
        assertThat(step.get("prompt").asText()).contains("Ship the release").contains("Up to 2 tasks run at once");
        assertThat(step.at("/limits/maxTurns").asInt()).isEqualTo(SwarmRuntime.PLAN_MAX_TURNS);
        assertThat(step.at("/limits/timeoutSeconds").asInt()).isEqualTo(600);
        assertThat(step.at("/limits/maxRunDollars").asDouble()).isEqualTo(2.5);
        assertThat(step.get("scenario").asText()).isEqualTo("s1");

        input.set("plan", JSON.readTree("""
                {"tasks": [{"key": "x", "prompt": "X", "agentId": "agt_1", "dependencies": [], "timeoutSeconds": 60},
                           {"key": "y", "prompt": "Y {{deps.x.output}}", "agentId": "agt_2", "dependencies": ["x"],
                            "timeoutSeconds": 60}]}"""));
        assertThat(rt.init(input).get("workers")).hasSize(2);
        assertThat(rt.next("acme", "swm_1", 0, null).get("key").asText()).isEqualTo("x");
        ObjectNode y = rt.next("acme", "swm_1", 0, completed("X"));
        assertThat(y.at("/step/agentId").asText()).isEqualTo("agt_2");
        assertThat(y.at("/step/prompt").asText()).isEqualTo("Y X-out");
    }

    @Test
    void moreThan40Workers_runAsADistributedPool_andTheScheduleUsesEverySlot() throws Exception {
        SwarmRuntime rt = new SwarmRuntime(store, (token, output) -> woken.add(token + " " + output), clock, JSON);
        ObjectNode input = (ObjectNode) JSON.readTree("{\"tenantId\": \"acme\", \"swarmId\": \"swm_1\", "
                + "\"swarm\": {\"maxConcurrent\": 60}}");
        com.fasterxml.jackson.databind.node.ArrayNode tasks = ((ObjectNode) input.get("swarm")).putArray("tasks");
        for (int i = 0; i < 70; i++) {
            tasks.addObject().put("key", "t" + i).put("prompt", "p").put("agentId", "agt_1");
        }

        ObjectNode init = rt.init(input);

        assertThat(init.get("workers")).hasSize(60);
        assertThat(init.get("pool").asText()).isEqualTo("distributed");
        for (int w = 0; w < 60; w++) {
            assertThat(rt.next("acme", "swm_1", w, null).get("action").asText()).as("worker " + w).isEqualTo("run");
        }
        store.states.clear(); // a fresh swarm of 4 tasks and 3 slots stays inline
        assertThat(rt.init(input("skip-dependents", 3)).get("pool").asText()).isEqualTo("inline");
    }

    @Test
    void failFast_abortsTheOtherWorkers() throws Exception {
        SwarmRuntime rt = new SwarmRuntime(store, (token, output) -> woken.add(token + " " + output), clock, JSON);
        rt.init(input("fail-fast", 2));
        rt.next("acme", "swm_1", 0, null);
        rt.next("acme", "swm_1", 0, completed("A"));
        rt.next("acme", "swm_1", 1, null);

        assertThat(rt.next("acme", "swm_1", 1, JSON.readTree("{\"key\": \"c\", \"outcome\": \"failed\"}")).get("action").asText())
                .isEqualTo("abort");
        ObjectNode summary = rt.finish("acme", "swm_1", "aborted");
        assertThat(summary.at("/tasks/b/status").asText()).isEqualTo("cancelled");
        assertThat(summary.at("/tasks/d/status").asText()).isEqualTo("skipped");
    }
}
