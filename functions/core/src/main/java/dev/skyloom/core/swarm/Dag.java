package dev.skyloom.core.swarm;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A swarm's tasks as a graph of indexes: {@code deps[i]} are the tasks i waits for, {@code dependents[i]} the tasks
 * waiting for i. Built from tasks whose dependencies name tasks of the list (unknown names are ignored here; the
 * validator reports them).
 */
public final class Dag {
    private final List<String> keys;
    private final Map<String, Integer> index;
    private final int[][] deps;
    private final int[][] dependents;

    private Dag(List<String> keys, Map<String, Integer> index, int[][] deps, int[][] dependents) {
        this.keys = keys;
        this.index = index;
        this.deps = deps;
        this.dependents = dependents;
    }

    public static Dag of(List<SwarmTask> tasks) {
        List<String> keys = tasks.stream().map(SwarmTask::key).toList();
        Map<String, List<String>> depsByKey = new HashMap<>();
        tasks.forEach(t -> depsByKey.put(t.key(), t.dependencies()));
        return of(keys, depsByKey);
    }

    /** A graph of {@code keys} (unique) whose dependencies are {@code depsByKey} (a missing entry: none). */
    public static Dag of(List<String> keys, Map<String, List<String>> depsByKey) {
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            index.putIfAbsent(keys.get(i), i);
        }
        int n = keys.size();
        int[][] deps = new int[n][];
        List<List<Integer>> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new ArrayList<>());
        }
        for (int i = 0; i < n; i++) {
            List<Integer> d = new ArrayList<>();
            for (String dep : depsByKey.getOrDefault(keys.get(i), List.of())) {
                Integer j = index.get(dep);
                if (j != null && j != i && !d.contains(j)) {
                    d.add(j);
                    out.get(j).add(i);
                }
            }
            deps[i] = d.stream().mapToInt(Integer::intValue).toArray();
        }
        int[][] dependents = new int[n][];
        for (int i = 0; i < n; i++) {
            dependents[i] = out.get(i).stream().mapToInt(Integer::intValue).toArray();
        }
        return new Dag(List.copyOf(keys), Map.copyOf(index), deps, dependents);
    }

    public int size() {
        return keys.size();
    }

    public String key(int i) {
        return keys.get(i);
    }

    public List<String> keys() {
        return keys;
    }

    public int indexOf(String key) {
        Integer i = index.get(key);
        if (i == null) {
            throw new IllegalArgumentException("no task '" + key + "'");
        }
        return i;
    }

    public int[] deps(int i) {
        return deps[i].clone();
    }

    public int[] dependents(int i) {
        return dependents[i].clone();
    }

    /**
     * One cycle, as keys along dependency edges (dependency first), starting and ending at its smallest key; empty
     * if the graph is a DAG. Deterministic: tasks and edges are visited in the order given.
     */
    public List<String> findCycle() {
        int n = size();
        int[] color = new int[n]; // 0 white, 1 on the stack, 2 done
        int[] parent = new int[n];
        Arrays.fill(parent, -1);
        for (int root = 0; root < n; root++) {
            if (color[root] != 0) {
                continue;
            }
            // Iterative DFS along dependency -> dependent edges.
            Deque<int[]> stack = new ArrayDeque<>();
            stack.push(new int[] {root, 0});
            color[root] = 1;
            while (!stack.isEmpty()) {
                int[] top = stack.peek();
                int v = top[0];
                if (top[1] < dependents[v].length) {
                    int w = dependents[v][top[1]++];
                    if (color[w] == 0) {
                        color[w] = 1;
                        parent[w] = v;
                        stack.push(new int[] {w, 0});
                    } else if (color[w] == 1) {
                        List<Integer> cycle = new ArrayList<>();
                        for (int x = v; x != w; x = parent[x]) {
                            cycle.add(x);
                        }
                        cycle.add(w);
                        Collections.reverse(cycle);
                        return name(cycle);
                    }
                } else {
                    color[v] = 2;
                    stack.pop();
                }
            }
        }
        return List.of();
    }

    private List<String> name(List<Integer> cycle) {
        int start = 0;
        for (int i = 1; i < cycle.size(); i++) {
            if (key(cycle.get(i)).compareTo(key(cycle.get(start))) < 0) {
                start = i;
            }
        }
        List<String> named = new ArrayList<>();
        for (int i = 0; i <= cycle.size(); i++) {
            named.add(key(cycle.get((start + i) % cycle.size())));
        }
        return named;
    }

    /** A topological order (Kahn's, ties by position), or an exception if the graph has a cycle. */
    public int[] topologicalOrder() {
        int n = size();
        int[] indegree = new int[n];
        for (int i = 0; i < n; i++) {
            indegree[i] = deps[i].length;
        }
        java.util.PriorityQueue<Integer> ready = new java.util.PriorityQueue<>();
        for (int i = 0; i < n; i++) {
            if (indegree[i] == 0) {
                ready.add(i);
            }
        }
        int[] order = new int[n];
        int k = 0;
        while (!ready.isEmpty()) {
            int v = ready.poll();
            order[k++] = v;
            for (int w : dependents[v]) {
                if (--indegree[w] == 0) {
                    ready.add(w);
                }
            }
        }
        if (k != n) {
            throw new IllegalStateException("dependency cycle: " + String.join(" -> ", findCycle()));
        }
        return order;
    }
}
