package dev.skyloom.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.local.cloud.LocalCloud;
import dev.skyloom.local.cloud.LocalCloudConfig;
import dev.skyloom.local.cloud.edge.EdgeTimings;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;
import software.amazon.awssdk.services.sfn.model.HistoryEventType;

/**
 * Orchestration overhead per pipeline step on the local cloud (issue 6; decision 0503), run by hand, not by the
 * suite: {@code mvn -pl functions/handlers -am verify -DskipTests && mvn -pl functions/handlers exec:java
 * -Dexec.classpathScope=test -Dexec.mainClass=dev.skyloom.handlers.OrchestrationOverheadBench
 * [-Dexec.args="<runs> <model delay ms>"]} (defaults: 20 runs, 50 ms).
 *
 * <p>Creates a 10-step pipeline through the API on an in-process local cloud; every step is an agent step whose
 * scripted model (scenario {@code bench-step}) takes two turns: {@code list_files}, then {@code complete_step}, each
 * answered after the given delay. Runs it once to warm up, then {@code runs} times one after the other, and prints:
 * <ul>
 *   <li>overhead per step = (run time − Σ model latency − Σ tool time) / 10, p50/p90/p99 over the runs, where the
 *       run time is the pipeline execution's ExecutionStarted → ExecutionSucceeded, the model latencies are those of
 *       the LLM call log ({@code GET /llm-calls?runId=}) and the tool times those of the TOOL_CALL_END events
 *       ({@code GET /runs/{id}/events});</li>
 *   <li>the same per step (each step's window in the parent's history), p50/p90/p99 over all steps;</li>
 *   <li>where a step's time goes, from the parent's and the children's histories (child start, turn Lambda tasks,
 *       engine transitions between turns, the {@code .sync:2} completion, the parent's transition to the next
 *       step) and from the edge's per-operation timings (S3, DynamoDB, EventBridge PutEvents, Lambda Invoke,
 *       Bedrock), per step.</li>
 * </ul>
 * Results are medians and means over the measured runs of one machine; figures from a loaded machine are noisy,
 * so the load average is printed with them.
 */
public final class OrchestrationOverheadBench {
    static final ObjectMapper JSON = new ObjectMapper();
    static final int STEPS = 10;
    private static final StaticCredentialsProvider CREDENTIALS = StaticCredentialsProvider.create(
            AwsBasicCredentials.create("test", "test"));

    private final LocalCloud cloud;
    private final ApiClient api;
    private final SfnClient sfn;
    private final String key;
    private final String tenant;

    /** One measured run. */
    record RunFigures(String runId, double wallMs, double modelMs, double toolMs, List<StepFigures> steps,
                      EdgeTimings.Snapshot edge) {
        double overheadPerStep() {
            return (wallMs - modelMs - toolMs) / STEPS;
        }
    }

    /** One step of a run: its window in the parent's history and its parts, in milliseconds. */
    record StepFigures(String stepId, double windowMs, double modelMs, double toolMs, Map<String, Double> parts,
                       int turns) {
        double overhead() {
            return windowMs - modelMs - toolMs;
        }
    }

    OrchestrationOverheadBench(LocalCloud cloud) throws Exception {
        this.cloud = cloud;
        this.api = new ApiClient(cloud.apiEndpoint().orElseThrow());
        URI edge = cloud.edgeEndpoint();
        this.sfn = SfnClient.builder().endpointOverride(edge).region(Region.US_EAST_1).credentialsProvider(CREDENTIALS)
                .build();
        String admin = Files.readString(cloud.config().dataDir().resolve("admin.key")).trim();
        this.tenant = "t" + UUID.randomUUID().toString().substring(0, 8);
        this.key = api.newTenant(admin, tenant);
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        long delayMs = args.length > 1 ? Long.parseLong(args[1]) : 50;
        Path dataDir = Files.createTempDirectory("skyloom-overhead-bench");
        Path models = Files.createDirectories(dataDir.resolve("models"));
        Files.writeString(models.resolve("bench-step.yaml"), scenario(delayMs));
        Path jar = Path.of(System.getProperty("skyloom.functionsJar", "target/skyloom-functions.jar"));
        Path machines = Path.of(System.getProperty("skyloom.stateMachines", "../../statemachines")).toAbsolutePath()
                .normalize();
        try (LocalCloud cloud = new LocalCloud(LocalCloudConfig.ephemeral(dataDir.resolve("cloud"), jar)
                .withStateMachines(machines).withModelsDir(models)).start()) {
            OrchestrationOverheadBench bench = new OrchestrationOverheadBench(cloud);
            bench.deploy();
            RunFigures warm = bench.run();
            System.out.printf(Locale.ROOT, "warm-up run: %.0f ms, %.1f ms overhead per step%n", warm.wallMs(),
                    warm.overheadPerStep());
            List<RunFigures> measured = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                measured.add(bench.run());
            }
            report(measured, delayMs);
        }
        System.exit(0); // the functions' SDK threads (Netty) can outlive the cloud and keep the JVM up
    }

    /** Two turns per step, each answered after {@code delayMs}: a workspace listing, then the completion. */
    static String scenario(long delayMs) {
        return """
                description: One pipeline step of the orchestration overhead bench (two turns, a tool each).
                agents:
                  "*":
                    turns:
                      - text: Looking at the workspace.
                        toolCalls:
                          - {name: list_files, input: {}}
                        delayMs: %d
                        usage: {inputTokens: 200, outputTokens: 20}
                      - toolCalls:
                          - {name: complete_step, input: {text: Step done., result: DONE}}
                        delayMs: %d
                        usage: {inputTokens: 300, outputTokens: 20}
                    after: repeatLast
                """.formatted(delayMs, delayMs);
    }

    void deploy() {
        StringBuilder yaml = new StringBuilder("""
                id: bench10
                name: Overhead bench
                description: Ten agent steps in a row (OrchestrationOverheadBench).
                defaults:
                  maxRetries: 0
                  timeoutSeconds: 300
                  maxTurns: 5
                agents:
                  - name: worker
                    role: Worker
                    systemPrompt: Do the step.
                    model: {provider: bedrock, modelId: skyloom.local}
                    tools: [list_files]
                steps:
                """);
        for (int i = 1; i <= STEPS; i++) {
            yaml.append("  - id: s").append(i).append("\n    agent: worker\n    input: \"Step ").append(i)
                    .append(i == 1 ? ": {{run.input.request}}\"\n" : ": {{steps.s" + (i - 1) + ".output}}\"\n");
        }
        ObjectNode body = JSON.createObjectNode().put("yaml", yaml.toString());
        ApiClient.Response created = api.post("/api/v1/pipelines", key, body.toString());
        if (created.status() != 201) {
            throw new AssertionError("pipeline not created: " + created);
        }
    }

    RunFigures run() throws Exception {
        EdgeTimings.Snapshot before = cloud.edgeTimings().snapshot();
        ApiClient.Response started = api.post("/api/v1/pipelines/bench10/runs", key,
                "{\"input\": {\"request\": \"measure the overhead\"}, \"scenario\": \"bench-step\"}");
        if (started.status() != 202) {
            throw new AssertionError("run not started: " + started);
        }
        String runId = started.json().path("id").asText();
        String arn = executionArn(runId);
        long deadline = System.nanoTime() + Duration.ofSeconds(300).toNanos();
        ExecutionStatus status;
        while ((status = sfn.describeExecution(b -> b.executionArn(arn)).status()) == ExecutionStatus.RUNNING) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("run " + runId + " still running after 300 s");
            }
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
        EdgeTimings.Snapshot edge = cloud.edgeTimings().snapshot().minus(before);
        if (status != ExecutionStatus.SUCCEEDED) {
            throw new AssertionError("run " + runId + " ended " + status);
        }
        Map<String, List<JsonNode>> calls = new HashMap<>();
        for (JsonNode call : api.get("/api/v1/llm-calls?limit=100&runId=" + runId, key).json().path("items")) {
            calls.computeIfAbsent(call.path("stepId").asText(), k -> new ArrayList<>()).add(call);
        }
        int toolCalls = calls.values().stream().flatMap(List::stream).mapToInt(c -> c.path("toolCalls").asInt()).sum();
        Map<String, Double> toolMs = toolTimes(runId, toolCalls);
        List<HistoryEvent> parent = history(arn);
        double wall = millis(parent.getFirst().timestamp(), parent.getLast().timestamp());
        List<StepFigures> steps = steps(parent, calls, toolMs);
        double model = calls.values().stream().flatMap(List::stream).mapToLong(c -> c.path("latencyMs").asLong())
                .sum();
        double tools = toolMs.values().stream().mapToDouble(Double::doubleValue).sum();
        if (steps.size() != STEPS || calls.size() != STEPS) {
            throw new AssertionError("expected " + STEPS + " steps with model calls, got " + steps.size() + " and "
                    + calls.keySet());
        }
        return new RunFigures(runId, wall, model, tools, steps, edge);
    }

    String executionArn(String runId) {
        String machine = sfn.listStateMachines().stateMachines().stream()
                .filter(m -> m.name().startsWith("skyloom-pipeline-" + tenant)).findFirst().orElseThrow()
                .stateMachineArn();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            var found = sfn.listExecutions(b -> b.stateMachineArn(machine).maxResults(1000)).executions().stream()
                    .filter(e -> e.name().equals(runId)).findFirst();
            if (found.isPresent()) {
                return found.get().executionArn();
            }
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
        throw new AssertionError("no execution named " + runId);
    }

    /** Tool time by step, from the run's TOOL_CALL_END events (waits until all {@code expected} are stored). */
    Map<String, Double> toolTimes(String runId, int expected) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            Map<String, Double> byStep = new TreeMap<>();
            int seen = 0;
            long after = 0;
            while (true) {
                ApiClient.Response page = api.get("/api/v1/runs/" + runId + "/events?limit=500&after=" + after, key);
                if (page.status() != 200 || page.json().path("items").isEmpty()) {
                    break;
                }
                for (JsonNode item : page.json().path("items")) {
                    if (item.path("type").asText().equals("TOOL_CALL_END")) {
                        seen++;
                        byStep.merge(item.path("data").path("stepId").asText(),
                                item.path("data").path("durationMs").asDouble(), Double::sum);
                    }
                }
                after = page.json().path("next").asLong();
            }
            if (seen >= expected) {
                return byStep;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("run " + runId + ": " + seen + " of " + expected + " TOOL_CALL_END events");
            }
            LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
        }
    }

    List<HistoryEvent> history(String arn) {
        List<HistoryEvent> events = new ArrayList<>();
        sfn.getExecutionHistoryPaginator(b -> b.executionArn(arn).maxResults(1000))
                .forEach(page -> events.addAll(page.events()));
        return events;
    }

    /** Each step's window (its state entered → the next state entered) and where the time went. */
    List<StepFigures> steps(List<HistoryEvent> parent, Map<String, List<JsonNode>> calls, Map<String, Double> toolMs)
            throws Exception {
        List<StepFigures> out = new ArrayList<>();
        for (int i = 0; i < parent.size(); i++) {
            HistoryEvent entered = parent.get(i);
            if (entered.type() != HistoryEventType.TASK_STATE_ENTERED
                    || !entered.stateEnteredEventDetails().name().matches("s\\d+")) {
                continue;
            }
            String step = entered.stateEnteredEventDetails().name();
            Instant submitted = null;
            Instant succeeded = null;
            String child = null;
            Instant next = null;
            for (int j = i + 1; j < parent.size(); j++) {
                HistoryEvent e = parent.get(j);
                if (e.type() == HistoryEventType.TASK_SUBMITTED && child == null) {
                    submitted = e.timestamp();
                    child = JSON.readTree(e.taskSubmittedEventDetails().output()).path("ExecutionArn").asText();
                } else if (e.type() == HistoryEventType.TASK_SUCCEEDED && succeeded == null) {
                    succeeded = e.timestamp();
                } else if (e.stateEnteredEventDetails() != null || e.type() == HistoryEventType.EXECUTION_SUCCEEDED) {
                    next = e.timestamp();
                    break;
                }
            }
            List<HistoryEvent> c = history(child);
            Instant childStart = c.getFirst().timestamp();
            Instant childEnd = c.getLast().timestamp();
            List<Instant[]> turns = new ArrayList<>();
            Instant scheduled = null;
            for (HistoryEvent e : c) {
                if (e.type() == HistoryEventType.TASK_SCHEDULED) {
                    scheduled = e.timestamp();
                } else if (e.type() == HistoryEventType.TASK_SUCCEEDED && scheduled != null) {
                    turns.add(new Instant[] {scheduled, e.timestamp()});
                    scheduled = null;
                }
            }
            List<JsonNode> stepCalls = calls.getOrDefault(step, List.of());
            double model = stepCalls.stream().mapToLong(x -> x.path("latencyMs").asLong()).sum();
            double tools = toolMs.getOrDefault(step, 0.0);
            Map<String, Double> parts = new java.util.LinkedHashMap<>();
            parts.put("parent: step entered -> child execution started", millis(entered.timestamp(), childStart));
            parts.put("  of which StartExecution returned -> TaskSubmitted", millis(childStart, submitted));
            parts.put("child: started -> first turn scheduled", millis(childStart, turns.getFirst()[0]));
            double turnTotal = turns.stream().mapToDouble(t -> millis(t[0], t[1])).sum();
            parts.put("child: turn Lambda tasks (scheduled -> succeeded), model and tools excluded",
                    turnTotal - model - tools);
            double between = 0;
            for (int t = 1; t < turns.size(); t++) {
                between += millis(turns.get(t - 1)[1], turns.get(t)[0]);
            }
            parts.put("child: between turns (Choice, next Task)", between);
            parts.put("child: last turn succeeded -> execution succeeded", millis(turns.getLast()[1], childEnd));
            parts.put("parent: child ended -> task succeeded (.sync:2 completion)", millis(childEnd, succeeded));
            parts.put("parent: task succeeded -> next state entered", millis(succeeded, next));
            out.add(new StepFigures(step, millis(entered.timestamp(), next), model, tools, parts, turns.size()));
        }
        return out;
    }

    static double millis(Instant a, Instant b) {
        return Duration.between(a, b).toNanos() / 1e6;
    }

    static double percentile(List<Double> values, double p) {
        List<Double> sorted = values.stream().sorted().toList();
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (Exception e) {
            return "unknown";
        }
    }

    static void report(List<RunFigures> runs, long delayMs) {
        int n = runs.size();
        System.out.printf(Locale.ROOT, "%n== orchestration overhead: %d runs of a %d-step pipeline, 2 turns per step, "
                + "model delay %d ms, %d cores, load %s ==%n", n, STEPS, delayMs,
                Runtime.getRuntime().availableProcessors(), load());
        List<Double> perRun = runs.stream().map(RunFigures::overheadPerStep).toList();
        List<Double> perStep = runs.stream().flatMap(r -> r.steps().stream()).map(StepFigures::overhead).toList();
        System.out.printf(Locale.ROOT, "run time p50 %.0f ms; model %.0f ms, tools %.1f ms per run (medians)%n",
                percentile(runs.stream().map(RunFigures::wallMs).toList(), 50),
                percentile(runs.stream().map(RunFigures::modelMs).toList(), 50),
                percentile(runs.stream().map(RunFigures::toolMs).toList(), 50));
        System.out.printf(Locale.ROOT, "overhead per step, per run ((run − model − tools) / %d): p50 %.1f ms, p90 %.1f "
                + "ms, p99 %.1f ms%n", STEPS, percentile(perRun, 50), percentile(perRun, 90), percentile(perRun, 99));
        System.out.printf(Locale.ROOT, "overhead per step, each step's window (%d steps): p50 %.1f ms, p90 %.1f ms, p99 "
                + "%.1f ms%n", perStep.size(), percentile(perStep, 50), percentile(perStep, 90),
                percentile(perStep, 99));
        System.out.println("\nwhere a step's time goes (history timestamps, ms per step: p50 / mean):");
        Map<String, List<Double>> parts = new java.util.LinkedHashMap<>();
        runs.forEach(r -> r.steps().forEach(s -> s.parts().forEach((k, v) ->
                parts.computeIfAbsent(k, x -> new ArrayList<>()).add(v))));
        parts.forEach((k, v) -> System.out.printf(Locale.ROOT, "  %-80s %7.1f / %7.1f%n", k, percentile(v, 50),
                v.stream().mapToDouble(Double::doubleValue).average().orElse(0)));
        double head = runs.stream().mapToDouble(r -> r.wallMs() - r.steps().stream()
                .mapToDouble(StepFigures::windowMs).sum()).average().orElse(0);
        System.out.printf(Locale.ROOT, "  %-80s %7s / %7.1f%n", "run: outside the steps (Start, Resume, RunComplete), "
                + "per run", "", head);
        System.out.println("\nedge requests during the runs, per step (count / ms; nested: a Lambda invoke includes "
                + "the calls its function makes, PutEvents includes its SQS deliveries):");
        Map<String, double[]> ops = new TreeMap<>();
        runs.forEach(r -> r.edge().entries().forEach((op, e) -> {
            double[] sum = ops.computeIfAbsent(op, x -> new double[2]);
            sum[0] += e.count();
            sum[1] += e.millis();
        }));
        double steps = (double) n * STEPS;
        ops.forEach((op, sum) -> System.out.printf(Locale.ROOT, "  %-50s %6.2f / %7.2f ms (%.2f ms each)%n", op,
                sum[0] / steps, sum[1] / steps, sum[1] / sum[0]));
    }
}
