package dev.skyloom.core.swarm;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Random DAGs for tests and the benchmark: task i may depend on any earlier task with probability p. */
public final class RandomDags {
    private RandomDags() {
    }

    public static Dag dag(Random rnd, int n, double p) {
        List<String> keys = new ArrayList<>();
        Map<String, List<String>> deps = new HashMap<>();
        for (int i = 0; i < n; i++) {
            String key = "t" + i;
            keys.add(key);
            List<String> d = new ArrayList<>();
            for (int j = 0; j < i; j++) {
                if (rnd.nextDouble() < p) {
                    d.add("t" + j);
                }
            }
            deps.put(key, d);
        }
        return Dag.of(keys, deps);
    }

    /** Durations from 1 to 10 units. */
    public static long[] durations(Random rnd, int n) {
        long[] d = new long[n];
        for (int i = 0; i < n; i++) {
            d[i] = 1 + rnd.nextInt(10);
        }
        return d;
    }
}
