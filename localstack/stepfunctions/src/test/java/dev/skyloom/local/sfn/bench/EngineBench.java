package dev.skyloom.local.sfn.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.local.sfn.ExecutionListener;
import dev.skyloom.local.sfn.SfnResponse;
import dev.skyloom.local.sfn.StepFunctionsEngine;
import dev.skyloom.local.sfn.expr.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Engine overhead per state transition, durability on (journal in a temporary directory, default fsync policy),
 * for three workloads, next to the same workloads on aws-local-stepfunctions (Node) and moto (Python):
 * <ul>
 *   <li>chain1000: one execution of 1,000 Pass states; sample = wall time / 1,000, one per run;</li>
 *   <li>map1000: one inline Map over 1,000 items (a Pass per item); sample = wall time / 1,001, one per run;</li>
 *   <li>concurrent100: 100 executions of a 10-Pass chain started at once; sample = each execution's latency / 10.</li>
 * </ul>
 * Run: {@code mvn -pl localstack/stepfunctions -Pbench exec:java} (see the module README). Arguments (optional):
 * {@code [runs] [peers: all|none|node|moto]}.
 */
public final class EngineBench {
    private static final Map<String, CompletableFuture<Long>> DONE = new ConcurrentHashMap<>();
    /** Warm-up runs per workload, discarded; the Node peer gets the same number (JIT warm-up for both). */
    static final int WARMUP = 300;

    private EngineBench() {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        String peers = args.length > 1 ? args[1] : "all";
        Path benchDir = Files.exists(Path.of("bench", "als-bench.mjs")) ? Path.of("bench")
                : Path.of("localstack", "stepfunctions", "bench");
        Map<String, Map<String, List<Double>>> results = new LinkedHashMap<>();
        results.put("skyloom (journal on)", runSkyloom(runs));
        if (peers.equals("all") || peers.equals("node")) {
            results.put("aws-local-stepfunctions 3.0.0", runPeer(benchDir, List.of("node", "als-bench.mjs",
                    String.valueOf(runs), String.valueOf(runs), String.valueOf(Math.max(1, runs / 4)),
                    String.valueOf(WARMUP))));
        }
        if (peers.equals("all") || peers.equals("moto")) {
            results.put("moto (execute_state_machine)", runPeer(benchDir, List.of("python3", "moto_bench.py", "2",
                    "2", "1")));
        }
        print(results);
    }

    static String chain(int n) {
        ObjectNode def = Json.object().put("StartAt", "S0");
        ObjectNode states = def.putObject("States");
        for (int i = 0; i < n; i++) {
            ObjectNode s = states.putObject("S" + i).put("Type", "Pass");
            if (i + 1 < n) {
                s.put("Next", "S" + (i + 1));
            } else {
                s.put("End", true);
            }
        }
        return Json.write(def);
    }

    static final String MAP = "{\"StartAt\":\"M\",\"States\":{\"M\":{\"Type\":\"Map\",\"ItemsPath\":\"$.items\","
            + "\"ItemProcessor\":{\"StartAt\":\"I\",\"States\":{\"I\":{\"Type\":\"Pass\",\"End\":true}}},\"End\":true}}}";

    private static Map<String, List<Double>> runSkyloom(int runs) throws IOException {
        Path dir = Files.createTempDirectory("sfn-bench");
        Path dataDir = Boolean.getBoolean("bench.memory") ? null : dir;
        ExecutionListener listener = c -> {
            if (!"RUNNING".equals(c.status())) {
                DONE.computeIfAbsent(c.executionArn(), k -> new CompletableFuture<>()).complete(System.nanoTime());
            }
        };
        Map<String, List<Double>> out = new LinkedHashMap<>();
        try (StepFunctionsEngine engine = StepFunctionsEngine.builder().dataDir(dataDir).listener(listener).build()) {
            engine.start();
            String chainSm = create(engine, "chain", chain(1000));
            String mapSm = create(engine, "map", MAP);
            String smallSm = create(engine, "small", chain(10));
            ArrayNode items = Json.array();
            for (int i = 0; i < 1000; i++) {
                items.add(i);
            }
            String mapInput = Json.write(Json.object().set("items", items));
            int warmup = WARMUP;
            out.put("chain1000", new ArrayList<>());
            for (int i = 0; i < runs + warmup; i++) {
                double v = timed(engine, chainSm, "{}", 1000);
                if (i >= warmup) {
                    out.get("chain1000").add(v);
                }
            }
            out.put("map1000", new ArrayList<>());
            for (int i = 0; i < runs + warmup; i++) {
                double v = timed(engine, mapSm, mapInput, 1001);
                if (i >= warmup) {
                    out.get("map1000").add(v);
                }
            }
            out.put("concurrent100", new ArrayList<>());
            int rounds = Math.max(1, runs / 4);
            for (int r = 0; r < rounds + 2; r++) {
                Map<String, Long> starts = new LinkedHashMap<>();
                for (int k = 0; k < 100; k++) {
                    long t0 = System.nanoTime();
                    starts.put(start(engine, smallSm, "{}"), t0);
                }
                for (Map.Entry<String, Long> e : starts.entrySet()) {
                    long end = await(e.getKey());
                    if (r >= 2) {
                        out.get("concurrent100").add((end - e.getValue()) / 1e6 / 10);
                    }
                }
            }
        }
        deleteTree(dir);
        return out;
    }

    private static double timed(StepFunctionsEngine engine, String sm, String input, int transitions) {
        long t0 = System.nanoTime();
        String arn = start(engine, sm, input);
        long end = await(arn);
        return (end - t0) / 1e6 / transitions;
    }

    /**
     * Waits for an execution by spinning, not parking: a parked thread's wake-up latency (tens to hundreds of
     * microseconds on a loaded machine) is the scheduler's, not the engine's, and the Node peer awaits without a
     * thread switch either.
     */
    private static long await(String arn) {
        CompletableFuture<Long> f = DONE.computeIfAbsent(arn, k -> new CompletableFuture<>());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!f.isDone()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("execution did not finish: " + arn);
            }
            Thread.onSpinWait();
        }
        return f.join();
    }

    private static String create(StepFunctionsEngine engine, String name, String definition) {
        return call(engine, "CreateStateMachine", Json.object().put("name", name).put("definition", definition)
                .put("roleArn", "arn:aws:iam::000000000000:role/bench")).get("stateMachineArn").asText();
    }

    private static String start(StepFunctionsEngine engine, String sm, String input) {
        return call(engine, "StartExecution", Json.object().put("stateMachineArn", sm).put("input", input))
                .get("executionArn").asText();
    }

    private static JsonNode call(StepFunctionsEngine engine, String action, JsonNode req) {
        SfnResponse r = engine.handle(action, Json.bytes(req));
        if (r.status() != 200) {
            throw new IllegalStateException(action + " -> " + r.bodyText());
        }
        return Json.parse(r.body());
    }

    private static Map<String, List<Double>> runPeer(Path dir, List<String> command) {
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(false).start();
            String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
                System.err.println(command + " failed: " + stderr);
                return Map.of();
            }
            String last = stdout.strip().lines().reduce((a, b) -> b).orElse("{}");
            JsonNode n = Json.parse(last);
            Map<String, List<Double>> out = new LinkedHashMap<>();
            for (String w : List.of("chain1000", "map1000", "concurrent100")) {
                List<Double> v = new ArrayList<>();
                n.path(w).forEach(x -> v.add(x.asDouble()));
                out.put(w, v);
            }
            return out;
        } catch (IOException e) {
            System.err.println(command + " could not run (" + e.getMessage() + "); see bench/README in the module");
            return Map.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.of();
        }
    }

    static double percentile(List<Double> values, double p) {
        List<Double> v = new ArrayList<>(values);
        Collections.sort(v);
        int idx = (int) Math.ceil(p / 100.0 * v.size()) - 1;
        return v.get(Math.max(0, Math.min(v.size() - 1, idx)));
    }

    private static void print(Map<String, Map<String, List<Double>>> results) {
        System.out.println();
        System.out.println("Per-transition overhead in milliseconds (p50 / p99; n = samples)");
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-16s", "workload"));
        for (String engine : results.keySet()) {
            header.append(String.format(Locale.ROOT, " | %-34s", engine));
        }
        System.out.println(header);
        System.out.println("-".repeat(header.length()));
        for (String w : List.of("chain1000", "map1000", "concurrent100")) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-16s", w));
            for (Map<String, List<Double>> r : results.values()) {
                List<Double> v = r.get(w);
                String cell = v == null || v.isEmpty() ? "n/a" : String.format(Locale.ROOT, "%.4f / %.4f (n=%d)",
                        percentile(v, 50), percentile(v, 99), v.size());
                row.append(String.format(Locale.ROOT, " | %-34s", cell));
            }
            System.out.println(row);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(Collections.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
