package dev.skyloom.core.swarm;

import java.util.Arrays;
import java.util.Set;

/**
 * Runs {@link SwarmSchedule} against fixed task durations with zero overhead: what the scheduler's decisions alone
 * give (makespan, start and finish times), to compare with the critical path and the list-scheduling bound, and to
 * check its invariants on any DAG. Tasks in {@code failing} fail at the end of their duration.
 */
public final class SwarmSimulation {

    /** Start and finish time of every task (-1 if it never ran), final statuses, makespan, peak concurrency. */
    public record Result(long makespan, long[] start, long[] finish, TaskStatus[] status, int peakConcurrency) {
    }

    private SwarmSimulation() {
    }

    public static Result run(SwarmSchedule schedule, long[] durations, Set<String> failing) {
        Dag dag = schedule.dag();
        int n = dag.size();
        TaskStatus[] status = new TaskStatus[n];
        Arrays.fill(status, TaskStatus.PENDING);
        long[] start = new long[n];
        long[] finish = new long[n];
        Arrays.fill(start, -1);
        Arrays.fill(finish, -1);
        long now = 0;
        int peak = 0;
        while (true) {
            SwarmSchedule.Decision d = schedule.decide(status);
            for (String k : d.skip()) {
                status[dag.indexOf(k)] = TaskStatus.SKIPPED;
            }
            for (String k : d.cancel()) {
                int v = dag.indexOf(k);
                status[v] = TaskStatus.CANCELLED;
                finish[v] = now;
            }
            for (String k : d.start()) {
                int v = dag.indexOf(k);
                status[v] = TaskStatus.RUNNING;
                start[v] = now;
            }
            int running = 0;
            long next = Long.MAX_VALUE;
            for (int v = 0; v < n; v++) {
                if (status[v] == TaskStatus.RUNNING) {
                    running++;
                    next = Math.min(next, start[v] + durations[v]);
                }
            }
            peak = Math.max(peak, running);
            if (d.finished() || running == 0) {
                if (!d.finished()) {
                    throw new IllegalStateException("deadlock: nothing running and the swarm is not finished");
                }
                return new Result(now, start, finish, status, peak);
            }
            now = next;
            for (int v = 0; v < n; v++) { // every task ending at this instant, then one decision
                if (status[v] == TaskStatus.RUNNING && start[v] + durations[v] == now) {
                    finish[v] = now;
                    status[v] = failing.contains(dag.key(v)) ? TaskStatus.FAILED : TaskStatus.COMPLETED;
                }
            }
        }
    }
}
