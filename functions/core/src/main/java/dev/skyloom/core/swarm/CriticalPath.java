package dev.skyloom.core.swarm;

import java.util.ArrayList;
import java.util.List;

/**
 * The longest chain of a swarm weighted by task durations: no schedule, however many slots it has, can finish
 * before {@code length}. Also the scheduler's priorities: {@link #bottomLevels} (a task's duration plus the longest
 * chain after it), highest first, is the classic list-scheduling priority that keeps the critical path moving.
 */
public record CriticalPath(long length, List<String> path) {

    public CriticalPath {
        path = List.copyOf(path);
    }

    /** The critical path with {@code durations[i]} the (expected) duration of task i, in any unit. */
    public static CriticalPath of(Dag dag, long[] durations) {
        int n = dag.size();
        if (n == 0) {
            return new CriticalPath(0, List.of());
        }
        int[] order = dag.topologicalOrder();
        long[] finish = new long[n];
        int[] via = new int[n];
        int end = -1;
        for (int v : order) {
            long start = 0;
            via[v] = -1;
            for (int d : dag.deps(v)) {
                if (via[v] == -1 || finish[d] > start) {
                    start = finish[d];
                    via[v] = d;
                }
            }
            finish[v] = start + durations[v];
            if (end < 0 || finish[v] > finish[end]) {
                end = v;
            }
        }
        List<String> path = new ArrayList<>();
        for (int v = end; v >= 0; v = via[v]) {
            path.addFirst(dag.key(v));
        }
        return new CriticalPath(finish[end], path);
    }

    /** For each task, its duration plus the longest chain of durations among the tasks that depend on it. */
    public static long[] bottomLevels(Dag dag, long[] durations) {
        int[] order = dag.topologicalOrder();
        long[] level = new long[dag.size()];
        for (int k = order.length - 1; k >= 0; k--) {
            int v = order[k];
            long after = 0;
            for (int w : dag.dependents(v)) {
                after = Math.max(after, level[w]);
            }
            level[v] = durations[v] + after;
        }
        return level;
    }
}
