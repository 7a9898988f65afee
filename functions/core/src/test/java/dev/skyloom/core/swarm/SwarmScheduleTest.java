package dev.skyloom.core.swarm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SwarmScheduleTest {

    static Dag dag(String... edges) {
        // "a", "b<a", "c<a,b": key < dependencies
        List<String> keys = new ArrayList<>();
        Map<String, List<String>> deps = new HashMap<>();
        for (String e : edges) {
            String[] parts = e.split("<");
            keys.add(parts[0]);
            deps.put(parts[0], parts.length > 1 ? List.of(parts[1].split(",")) : List.of());
        }
        return Dag.of(keys, deps);
    }

    static long[] durations(Dag dag, Map<String, Long> d) {
        long[] out = new long[dag.size()];
        for (int i = 0; i < dag.size(); i++) {
            out[i] = d.getOrDefault(dag.key(i), 1L);
        }
        return out;
    }

    @Test
    void validate_wellFormedSwarm_resolvesAgentsAndDefaults() throws Exception {
        JsonNode body = SwarmValidationCorpusTest.JSON.readTree("""
                {"tasks": [{"key": "a", "prompt": "p", "agent": "coder"},
                           {"key": "b", "title": "B", "prompt": "use {{deps.a.output}}", "agent": "agt_00000000000000a3",
                            "dependencies": ["a"], "timeoutSeconds": 60, "model": "skyloom.local"}]}""");

        SwarmSpec spec = new SwarmValidator(SwarmValidationCorpusTest.AGENTS).validate(body);

        assertThat(spec.maxConcurrent()).isEqualTo(3);
        assertThat(spec.failurePolicy()).isEqualTo(FailurePolicy.SKIP_DEPENDENTS);
        assertThat(spec.globalTimeoutSeconds()).isEqualTo(86_400);
        assertThat(spec.tasks()).containsExactly(
                new SwarmTask("a", "a", "p", "agt_00000000000000a2", List.of(), 1800, null),
                new SwarmTask("b", "B", "use {{deps.a.output}}", "agt_00000000000000a3", List.of("a"), 60,
                        "skyloom.local"));
    }

    @Test
    void validate_goalAndPlanner_isAPlannedSwarm() throws Exception {
        SwarmSpec spec = new SwarmValidator(SwarmValidationCorpusTest.AGENTS).validate(SwarmValidationCorpusTest.JSON
                .readTree("{\"goal\": \"ship\", \"planner\": \"planner\", \"maxConcurrent\": 8, "
                        + "\"failurePolicy\": \"fail-fast\", \"budget\": {\"maxDollars\": 2.5}}"));

        assertThat(spec.planned()).isTrue();
        assertThat(spec.plannerAgentId()).isEqualTo("agt_00000000000000a1");
        assertThat(spec.failurePolicy()).isEqualTo(FailurePolicy.FAIL_FAST);
        assertThat(spec.budget()).isEqualTo(new SwarmSpec.Budget(2.5, null));
    }

    @Test
    void validate_thousandTaskChainWithABackEdge_namesTheWholeCycleQuickly() throws Exception {
        com.fasterxml.jackson.databind.node.ObjectNode body = SwarmValidationCorpusTest.JSON.createObjectNode();
        com.fasterxml.jackson.databind.node.ArrayNode tasks = body.putArray("tasks");
        for (int i = 0; i < 1000; i++) {
            com.fasterxml.jackson.databind.node.ObjectNode t = tasks.addObject().put("key", String.format("t%04d", i))
                    .put("prompt", "p").put("agent", "coder");
            t.putArray("dependencies").add(String.format("t%04d", i == 0 ? 999 : i - 1));
        }
        long started = System.nanoTime();

        dev.skyloom.core.api.ApiError error = org.assertj.core.api.Assertions.catchThrowableOfType(
                dev.skyloom.core.api.ApiError.class,
                () -> new SwarmValidator(SwarmValidationCorpusTest.AGENTS).validate(body));

        assertThat(error.getMessage()).startsWith("Invalid swarm: tasks have a dependency cycle: t0000 -> t0001 -> ")
                .contains("t0998 -> t0999 -> t0000; dependencies must form a DAG");
        ((com.fasterxml.jackson.databind.node.ObjectNode) tasks.get(0)).putArray("dependencies");
        SwarmSpec spec = new SwarmValidator(SwarmValidationCorpusTest.AGENTS).validate(body);
        assertThat(spec.tasks()).hasSize(1000);
        long[] unit = java.util.stream.LongStream.generate(() -> 1).limit(1000).toArray();
        assertThat(CriticalPath.of(Dag.of(spec.tasks()), unit).path()).hasSize(1000);
        assertThat(System.nanoTime() - started).as("well under a second").isLessThan(2_000_000_000L);
    }

    @Test
    void criticalPath_diamond_takesTheLongerBranch() {
        Dag d = dag("a", "b<a", "c<a", "d<b,c");

        CriticalPath cp = CriticalPath.of(d, durations(d, Map.of("a", 2L, "b", 5L, "c", 3L, "d", 1L)));

        assertThat(cp.length()).isEqualTo(8);
        assertThat(cp.path()).containsExactly("a", "b", "d");
    }

    @Test
    void decide_diamond_startsEachTaskTheMomentItsDependenciesAreDone() {
        Dag d = dag("a", "b<a", "c<a", "d<b,c");
        SwarmSchedule s = new SwarmSchedule(d, 3, FailurePolicy.SKIP_DEPENDENTS);

        SwarmSimulation.Result r = SwarmSimulation.run(s, durations(d, Map.of("a", 2L, "b", 5L, "c", 3L, "d", 1L)),
                Set.of());

        assertThat(r.start()).containsExactly(0, 2, 2, 7);
        assertThat(r.makespan()).isEqualTo(8);
    }

    @Test
    void decide_noWaveBarrier_startsALongChainsNextTaskWhileItsSiblingStillRuns() {
        // a(1) -> b(1); c(10) alone. b must start at 1, not wait for c.
        Dag d = dag("a", "b<a", "c");
        SwarmSimulation.Result r = SwarmSimulation.run(new SwarmSchedule(d, 2, FailurePolicy.SKIP_DEPENDENTS),
                durations(d, Map.of("c", 10L)), Set.of());

        assertThat(r.start()).containsExactly(0, 1, 0);
        assertThat(r.makespan()).isEqualTo(10);
    }

    @Test
    void decide_failureInTheMiddle_skipsOnlyItsDependents() {
        Dag d = dag("a", "b<a", "c<b", "d<c", "x<a", "y<x");
        SwarmSimulation.Result r = SwarmSimulation.run(new SwarmSchedule(d, 3, FailurePolicy.SKIP_DEPENDENTS),
                durations(d, Map.of()), Set.of("b"));

        assertThat(r.status()).containsExactly(TaskStatus.COMPLETED, TaskStatus.FAILED, TaskStatus.SKIPPED,
                TaskStatus.SKIPPED, TaskStatus.COMPLETED, TaskStatus.COMPLETED);
    }

    @Test
    void decide_failFast_cancelsRunningAndSkipsTheRest() {
        Dag d = dag("a", "b", "c<a", "e<b");
        SwarmSimulation.Result r = SwarmSimulation.run(new SwarmSchedule(d, 2, FailurePolicy.FAIL_FAST),
                durations(d, Map.of("b", 5L)), Set.of("a"));

        assertThat(r.status()).containsExactly(TaskStatus.FAILED, TaskStatus.CANCELLED, TaskStatus.SKIPPED,
                TaskStatus.SKIPPED);
        assertThat(r.makespan()).isEqualTo(1);
    }

    @Test
    void decide_continue_runsDependentsOfAFailedTask() {
        Dag d = dag("a", "b<a");
        SwarmSimulation.Result r = SwarmSimulation.run(new SwarmSchedule(d, 1, FailurePolicy.CONTINUE),
                durations(d, Map.of()), Set.of("a"));

        assertThat(r.status()).containsExactly(TaskStatus.FAILED, TaskStatus.COMPLETED);
    }

    @Test
    void decide_readyTasks_longestChainFirst() {
        // With one slot, x (heads a chain of 3) goes before y and z (alone), though listed last.
        Dag d = dag("y", "z", "x", "x2<x", "x3<x2");
        SwarmSchedule.Decision first = new SwarmSchedule(d, 1, FailurePolicy.SKIP_DEPENDENTS)
                .decide(new TaskStatus[] {TaskStatus.PENDING, TaskStatus.PENDING, TaskStatus.PENDING,
                        TaskStatus.PENDING, TaskStatus.PENDING});

        assertThat(first.start()).containsExactly("x");
    }

    /** Random DAGs, every maxConcurrent from 1 to 6, random failures: never a deadlock, never over the limit. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6})
    void simulate_randomDags_neverDeadlockNeverExceedTheLimitNeverStartEarly(int maxConcurrent) {
        Random rnd = new Random(42 + maxConcurrent);
        for (int round = 0; round < 200; round++) {
            int n = 1 + rnd.nextInt(40);
            Dag d = RandomDags.dag(rnd, n, 0.15);
            long[] dur = RandomDags.durations(rnd, n);
            Set<String> failing = rnd.nextInt(3) == 0 ? Set.of(d.key(rnd.nextInt(n))) : Set.of();
            FailurePolicy policy = FailurePolicy.values()[rnd.nextInt(3)];

            SwarmSimulation.Result r = SwarmSimulation.run(new SwarmSchedule(d, maxConcurrent, policy, dur), dur,
                    failing);

            assertThat(r.peakConcurrency()).isLessThanOrEqualTo(maxConcurrent);
            for (int v = 0; v < n; v++) {
                assertThat(r.status()[v].terminal()).isTrue();
                if (r.start()[v] >= 0) {
                    for (int dep : d.deps(v)) {
                        assertThat(r.finish()[dep]).as("dependency finished first").isBetween(0L, r.start()[v]);
                    }
                }
            }
            if (failing.isEmpty()) {
                assertThat(r.status()).containsOnly(TaskStatus.COMPLETED);
                long cp = CriticalPath.of(d, dur).length();
                long total = java.util.Arrays.stream(dur).sum();
                assertThat(r.makespan()).isGreaterThanOrEqualTo(Math.max(cp, (total + maxConcurrent - 1)
                        / maxConcurrent));
                // Graham: any list schedule is within (2 - 1/m) of optimal; here against the lower bound cp + W/m.
                assertThat(r.makespan()).isLessThanOrEqualTo(cp + total / maxConcurrent + 1);
            }
        }
    }

    @Test
    void simulate_unlimitedSlots_makespanIsExactlyTheCriticalPath() {
        Random rnd = new Random(7);
        for (int round = 0; round < 100; round++) {
            Dag d = RandomDags.dag(rnd, 100, 0.05);
            long[] dur = RandomDags.durations(rnd, 100);
            SwarmSimulation.Result r = SwarmSimulation.run(new SwarmSchedule(d, 1000, FailurePolicy.SKIP_DEPENDENTS,
                    dur), dur, Set.of());
            assertThat(r.makespan()).isEqualTo(CriticalPath.of(d, dur).length());
        }
    }
}
