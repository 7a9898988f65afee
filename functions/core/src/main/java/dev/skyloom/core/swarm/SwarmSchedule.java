package dev.skyloom.core.swarm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The scheduler's decision function, pure: given every task's status, which tasks to start now, which to skip and
 * which to cancel, and whether the swarm is over. Called after every task completion (and once at the start); the
 * caller applies the decision (starts children, records statuses) and calls again on the next completion.
 *
 * <p>Why it cannot deadlock: a task is started as soon as it is ready (all dependencies completed, or terminal
 * under {@code continue}) and a slot is free, and a slot is only held by a RUNNING task, which holds no other
 * resource and ends (completes, fails, or is cancelled by its timeout or the global timeout). So while tasks remain
 * that are not terminal, either one is running (and its end calls this function again) or none is, all slots are
 * free, and the first not-terminal task in topological order has every dependency terminal: it is ready and
 * started, or skipped (a dependency failed), which makes progress. Waiting tasks never occupy slots.
 *
 * <p>Priority among ready tasks: highest bottom level first (the longest chain of expected durations that hangs
 * off the task, {@link CriticalPath#bottomLevels}), then position in the request; with unit durations it is the
 * number of tasks on the longest chain below.
 */
public final class SwarmSchedule {
    private final Dag dag;
    private final int maxConcurrent;
    private final FailurePolicy policy;
    private final long[] priority;
    private final int[] topo;

    /** What to do now. {@code finished}: nothing pending or running remains after applying it. */
    public record Decision(List<String> start, List<String> skip, List<String> cancel, boolean finished) {
    }

    public SwarmSchedule(Dag dag, int maxConcurrent, FailurePolicy policy, long[] expectedDurations) {
        if (maxConcurrent < 1) {
            throw new IllegalArgumentException("maxConcurrent must be at least 1");
        }
        this.dag = dag;
        this.maxConcurrent = maxConcurrent;
        this.policy = policy;
        this.priority = CriticalPath.bottomLevels(dag, expectedDurations);
        this.topo = dag.topologicalOrder();
    }

    public SwarmSchedule(Dag dag, int maxConcurrent, FailurePolicy policy) {
        this(dag, maxConcurrent, policy, ones(dag.size()));
    }

    private static long[] ones(int n) {
        long[] d = new long[n];
        Arrays.fill(d, 1);
        return d;
    }

    public Dag dag() {
        return dag;
    }

    /** The decision for these statuses (indexed like the DAG); {@code status} is not modified. */
    public Decision decide(TaskStatus[] status) {
        TaskStatus[] s = status.clone();
        List<String> skip = new ArrayList<>();
        List<String> cancel = new ArrayList<>();
        List<String> start = new ArrayList<>();
        boolean failed = Arrays.stream(s).anyMatch(x -> x == TaskStatus.FAILED);
        if (policy == FailurePolicy.FAIL_FAST && failed) {
            for (int v : topo) {
                if (s[v] == TaskStatus.RUNNING) {
                    s[v] = TaskStatus.CANCELLED;
                    cancel.add(dag.key(v));
                } else if (!s[v].terminal()) {
                    s[v] = TaskStatus.SKIPPED;
                    skip.add(dag.key(v));
                }
            }
            return new Decision(start, skip, cancel, true);
        }
        int running = 0;
        List<Integer> ready = new ArrayList<>();
        for (int v : topo) { // topological: a skip propagates down in one pass
            if (s[v] == TaskStatus.RUNNING) {
                running++;
            }
            if (s[v] != TaskStatus.PENDING && s[v] != TaskStatus.READY) {
                continue;
            }
            boolean allDone = true;
            boolean blocked = false;
            for (int d : dag.deps(v)) {
                TaskStatus ds = s[d];
                if (policy == FailurePolicy.CONTINUE ? !ds.terminal() : ds != TaskStatus.COMPLETED) {
                    allDone = false;
                }
                if (policy != FailurePolicy.CONTINUE && ds.terminal() && ds != TaskStatus.COMPLETED) {
                    blocked = true;
                }
            }
            if (blocked) {
                s[v] = TaskStatus.SKIPPED;
                skip.add(dag.key(v));
            } else if (allDone) {
                ready.add(v);
            }
        }
        ready.sort(Comparator.comparingLong((Integer v) -> -priority[v]).thenComparingInt(v -> v));
        int free = maxConcurrent - running;
        for (int i = 0; i < ready.size() && i < free; i++) {
            s[ready.get(i)] = TaskStatus.RUNNING;
            start.add(dag.key(ready.get(i)));
        }
        boolean finished = Arrays.stream(s).allMatch(TaskStatus::terminal);
        return new Decision(start, skip, cancel, finished);
    }
}
