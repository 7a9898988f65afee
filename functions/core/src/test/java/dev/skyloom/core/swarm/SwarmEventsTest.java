package dev.skyloom.core.swarm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The SWARM_* events the scheduler emits at its commits, with an in-memory store and a recording sink. */
class SwarmEventsTest {
    final SwarmRuntimeTest.MemoryStore store = new SwarmRuntimeTest.MemoryStore();
    final List<SwarmEvents.Event> emitted = new ArrayList<>();
    final long[] now = {Instant.parse("2026-11-22T00:00:00Z").toEpochMilli()};
    final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(now[0]);
        }
    };
    final SwarmRuntime rt = new SwarmRuntime(store, (token, output) -> {
    }, clock, SwarmRuntimeTest.JSON, emitted::addAll);
    final SwarmRuntimeTest inputs = new SwarmRuntimeTest();

    List<String> drain() {
        List<String> out = emitted.stream().map(e -> e.type() + (e.detail().has("taskKey")
                ? ":" + e.detail().get("taskKey").asText() : "")).toList();
        emitted.clear();
        return out;
    }

    @Test
    void diamond_emitsEachTransitionAtTheCommitThatMadeIt_withIdsFromSwarmTaskAndTransition() throws Exception {
        rt.init(inputs.input("skip-dependents", 3));
        assertThat(emitted).extracting(SwarmEvents.Event::eventId).containsExactly("swm_1:started", "swm_1:a:ready");
        assertThat(emitted.getFirst().detail().toString())
                .isEqualTo("{\"tenantId\":\"acme\",\"swarmId\":\"swm_1\",\"eventId\":\"swm_1:started\",\"tasks\":4}");
        emitted.clear();

        rt.next("acme", "swm_1", 0, null);
        assertThat(drain()).containsExactly("SWARM_TASK_STARTED:a");
        rt.next("acme", "swm_1", 1, null); // nothing ready: parks, nothing changes
        rt.next("acme", "swm_1", 0, null); // a retried call: the same task, no new commit
        assertThat(drain()).isEmpty();

        now[0] += 1000;
        rt.next("acme", "swm_1", 0, SwarmRuntimeTest.completed("A"));
        assertThat(drain()).containsExactly("SWARM_TASK_COMPLETED:a", "SWARM_TASK_READY:b", "SWARM_TASK_READY:c",
                "SWARM_TASK_STARTED:b");
        rt.next("acme", "swm_1", 1, null);
        assertThat(drain()).containsExactly("SWARM_TASK_STARTED:c");
        now[0] += 2000; // b takes 2 s, c 3 s: the critical path is a, c, d
        rt.next("acme", "swm_1", 0, SwarmRuntimeTest.completed("B"));
        assertThat(drain()).containsExactly("SWARM_TASK_COMPLETED:b");
        now[0] += 1000;
        rt.next("acme", "swm_1", 1, SwarmRuntimeTest.completed("C"));
        List<SwarmEvents.Event> joined = List.copyOf(emitted);
        assertThat(drain()).containsExactly("SWARM_TASK_COMPLETED:c", "SWARM_TASK_READY:d", "SWARM_TASK_STARTED:d");
        JsonNode completed = joined.getFirst().detail();
        assertThat(completed.get("eventId").asText()).isEqualTo("swm_1:c:completed");
        assertThat(completed.get("stepId").asText()).isEqualTo("c");
        assertThat(completed.get("tokens").asLong()).isEqualTo(12);
        assertThat(completed.get("costMicroUsd").asLong()).isEqualTo(5);
        assertThat(completed.get("durationMs").asLong()).isEqualTo(3000);
        now[0] += 500;
        rt.next("acme", "swm_1", 1, SwarmRuntimeTest.completed("D"));
        assertThat(drain()).containsExactly("SWARM_TASK_COMPLETED:d");

        rt.finish("acme", "swm_1", "done");
        assertThat(emitted).extracting(SwarmEvents.Event::type).containsExactly("SWARM_COMPLETE");
        assertThat(emitted.getFirst().eventId()).isEqualTo("swm_1:end");
        assertThat(emitted.getFirst().detail().at("/criticalPath/path").toString()).isEqualTo("[\"a\",\"c\",\"d\"]");
        assertThat(emitted.getFirst().detail().at("/criticalPath/lengthMs").asLong()).isEqualTo(4500);
        emitted.clear();
        rt.finish("acme", "swm_1", "done"); // a retried finish: the same id again, which the ingest stores once
        assertThat(emitted).extracting(SwarmEvents.Event::eventId).containsExactly("swm_1:end");
    }

    @Test
    void aFailure_skipsItsDependents_andTheEndIsSwarmFailed() throws Exception {
        rt.init(inputs.input("skip-dependents", 1));
        rt.next("acme", "swm_1", 0, null);
        emitted.clear();
        rt.next("acme", "swm_1", 0, SwarmRuntimeTest.JSON.readTree(
                "{\"key\":\"a\",\"outcome\":\"failed\",\"error\":{\"Error\":\"MODEL_ERROR\",\"Cause\":\"boom\"}}"));
        assertThat(drain()).containsExactly("SWARM_TASK_FAILED:a", "SWARM_TASK_SKIPPED:b", "SWARM_TASK_SKIPPED:c",
                "SWARM_TASK_SKIPPED:d");
        rt.finish("acme", "swm_1", "done");
        assertThat(emitted).extracting(SwarmEvents.Event::type).containsExactly("SWARM_FAILED");
        assertThat(emitted.getFirst().detail().get("status").asText()).isEqualTo("failed");
    }

    @Test
    void cancelling_marksRunningCancelledAndPendingSkipped_withEvents() throws Exception {
        rt.init(inputs.input("skip-dependents", 3));
        rt.next("acme", "swm_1", 0, null);
        emitted.clear();

        JsonNode summary = rt.finish("acme", "swm_1", "cancelled");

        assertThat(summary.get("status").asText()).isEqualTo("cancelled");
        assertThat(drain()).containsExactly("SWARM_TASK_CANCELLED:a", "SWARM_TASK_SKIPPED:b", "SWARM_TASK_SKIPPED:c",
                "SWARM_TASK_SKIPPED:d", "SWARM_FAILED");
    }

    @Test
    void aRetriedTask_failsWithRetrying_andEachAttemptStartsUnderItsOwnId() throws Exception {
        SwarmEvents events = new SwarmEvents(SwarmRuntimeTest.JSON);
        Dag dag = Dag.of(List.of("a"), java.util.Map.of());
        TaskStatus[] running = {TaskStatus.RUNNING};
        TaskStatus[] pending = {TaskStatus.PENDING};
        // the report of attempt 1 failed and the task went back to pending for a re-run
        List<SwarmEvents.Event> failed = events.transitions("acme", "swm_1", dag, FailurePolicy.SKIP_DEPENDENTS,
                running, SwarmRuntimeTest.JSON.readTree("{\"a\": {\"status\": \"pending\", \"attempt\": 1, "
                        + "\"error\": \"MODEL_ERROR\", \"reason\": \"boom\"}}"));
        assertThat(failed).extracting(SwarmEvents.Event::eventId).containsExactly("swm_1:a:failed");
        assertThat(failed.getFirst().detail().get("retrying").asBoolean()).isTrue();
        List<SwarmEvents.Event> again = events.transitions("acme", "swm_1", dag, FailurePolicy.SKIP_DEPENDENTS,
                pending, SwarmRuntimeTest.JSON.readTree("{\"a\": {\"status\": \"running\", \"attempt\": 2}}"));
        assertThat(again).extracting(SwarmEvents.Event::eventId).containsExactly("swm_1:a:started-2");
        List<SwarmEvents.Event> last = events.transitions("acme", "swm_1", dag, FailurePolicy.SKIP_DEPENDENTS,
                running, SwarmRuntimeTest.JSON.readTree("{\"a\": {\"status\": \"failed\", \"attempt\": 2, "
                        + "\"error\": \"MODEL_ERROR\"}}"));
        assertThat(last).extracting(SwarmEvents.Event::eventId).containsExactly("swm_1:a:failed-2");
        assertThat(last.getFirst().detail().get("retrying").asBoolean()).isFalse();
    }

    @Test
    void continuePolicy_aFailedDependencyMakesItsDependentsReady() throws Exception {
        rt.init(inputs.input("continue", 1));
        rt.next("acme", "swm_1", 0, null);
        emitted.clear();
        rt.next("acme", "swm_1", 0, SwarmRuntimeTest.JSON.readTree(
                "{\"key\":\"a\",\"outcome\":\"failed\",\"error\":{\"Error\":\"MODEL_ERROR\",\"Cause\":\"boom\"}}"));
        assertThat(drain()).containsExactly("SWARM_TASK_FAILED:a", "SWARM_TASK_READY:b", "SWARM_TASK_READY:c",
                "SWARM_TASK_STARTED:b");
    }
}
