package dev.skyloom.core.swarm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;

/**
 * The scheduling policy's benchmark (decision 0700): random DAGs of 100 tasks with durations of 1-10 s (what the
 * scripted model's {@code delayMs} fixes on the local cloud), scheduled by {@link SwarmSchedule} in
 * {@link SwarmSimulation}, with a fixed overhead per task added to its duration (scheduler call, child execution
 * start, first turn) to see how much overhead the 1.10 target tolerates. Prints, per edge density and overhead:
 * makespan / critical path with unlimited slots, makespan / list-scheduling bound max(CP, W/4) with 4 slots, and
 * the same for a wave-barrier scheduler (all tasks of one depth before the next) for comparison.
 *
 * <pre>
 * mvn -B -q -o -pl functions/core -am test-compile
 * java -cp functions/core/target/classes:functions/core/target/test-classes dev.skyloom.core.swarm.SwarmSchedulingBench [dags] [seed]
 * </pre>
 */
public final class SwarmSchedulingBench {
    private SwarmSchedulingBench() {
    }

    public static void main(String[] args) {
        int dags = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        long seed = args.length > 1 ? Long.parseLong(args[1]) : 2026;
        int n = 100;
        System.out.printf(Locale.ROOT, "%d random DAGs of %d tasks per row, durations 1-10 s, seed %d%n", dags, n,
                seed);
        System.out.printf(Locale.ROOT, "%-8s %-9s | %-22s | %-22s | %-22s | %-22s%n", "edge p", "overhead",
                "eager unlim. /CP", "eager m=4 /bound", "waves unlim. /CP", "waves m=4 /bound");
        System.out.printf(Locale.ROOT, "%-8s %-9s | %-22s | %-22s | %-22s | %-22s%n", "", "s/task",
                "mean   p95    max", "mean   p95    max", "mean   p95    max", "mean   p95    max");
        for (double p : new double[] {0.02, 0.05, 0.10}) {
            for (double overhead : new double[] {0, 0.1, 0.25, 0.5}) {
                Random rnd = new Random(seed);
                double[][] ratios = new double[4][dags];
                for (int k = 0; k < dags; k++) {
                    Dag dag = RandomDags.dag(rnd, n, p);
                    long[] work = RandomDags.durations(rnd, n);
                    long[] ms = new long[n];
                    long[] withOverhead = new long[n];
                    for (int i = 0; i < n; i++) {
                        ms[i] = work[i] * 1000;
                        withOverhead[i] = ms[i] + Math.round(overhead * 1000);
                    }
                    // Ratios are against the ideal (zero-overhead) critical path and bound.
                    double cp = CriticalPath.of(dag, ms).length();
                    double bound4 = Math.max(cp, Arrays.stream(ms).sum() / 4.0);
                    ratios[0][k] = eager(dag, withOverhead, n) / cp;
                    ratios[1][k] = eager(dag, withOverhead, 4) / bound4;
                    ratios[2][k] = waves(dag, withOverhead, n) / cp;
                    ratios[3][k] = waves(dag, withOverhead, 4) / bound4;
                }
                StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-8.2f %-9.2f", p, overhead));
                for (double[] r : ratios) {
                    Arrays.sort(r);
                    row.append(String.format(Locale.ROOT, " | %.3f  %.3f  %.3f ", mean(r), r[(int) (r.length * 0.95)
                            - 1], r[r.length - 1]));
                }
                System.out.println(row);
            }
        }
    }

    static long eager(Dag dag, long[] durations, int slots) {
        return SwarmSimulation.run(new SwarmSchedule(dag, slots, FailurePolicy.SKIP_DEPENDENTS, durations), durations,
                Set.of()).makespan();
    }

    /** Wave barriers: tasks grouped by depth; a wave starts when the previous one has finished entirely. */
    static long waves(Dag dag, long[] durations, int slots) {
        int n = dag.size();
        int[] depth = new int[n];
        int maxDepth = 0;
        for (int v : dag.topologicalOrder()) {
            for (int d : dag.deps(v)) {
                depth[v] = Math.max(depth[v], depth[d] + 1);
            }
            maxDepth = Math.max(maxDepth, depth[v]);
        }
        long total = 0;
        for (int level = 0; level <= maxDepth; level++) {
            List<Long> wave = new ArrayList<>();
            for (int v = 0; v < n; v++) {
                if (depth[v] == level) {
                    wave.add(durations[v]);
                }
            }
            wave.sort((a, b) -> Long.compare(b, a));
            PriorityQueue<Long> ends = new PriorityQueue<>();
            long end = 0;
            for (long d : wave) {
                long start = ends.size() < slots ? 0 : ends.poll();
                ends.add(start + d);
                end = Math.max(end, start + d);
            }
            total += end;
        }
        return total;
    }

    private static double mean(double[] r) {
        return Arrays.stream(r).average().orElse(0);
    }
}
