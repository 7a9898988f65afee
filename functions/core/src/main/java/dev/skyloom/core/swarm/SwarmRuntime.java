package dev.skyloom.core.swarm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SwarmScheduler function's engine, called by {@code statemachines/swarm.asl.json}: {@link #init} stores the
 * spec and the initial state and answers the worker slots; each worker calls {@link #next} with the outcome of its
 * last task and gets its next action ({@code run} a task, {@code park} until woken, {@code done}, {@code abort}); {@link #finish}
 * marks what did not finish and answers the summary. Decisions come from {@link SwarmSchedule}; the state is
 * replaced with optimistic concurrency, so concurrent workers never claim one task twice nor exceed the slots.
 *
 * <p>Retried calls are harmless: a report is applied only while the worker's task is still running, and a worker
 * that already holds a running task gets that task again instead of a new one.
 */
public final class SwarmRuntime {
    /** Inline Map iterations run at once on AWS at most: more workers run as a distributed Map. */
    public static final int INLINE_WORKERS = 40;
    /** Workers of one swarm at most (the validator's maxConcurrent limit). */
    public static final int MAX_WORKERS = SwarmValidator.MAX_CONCURRENT_LIMIT;
    /** Dependency text inlined into a prompt; longer outputs are cut and referenced by their S3 URI. */
    public static final int INLINE_OUTPUT_CHARS = 16_000;
    static final String SPEC = "spec.json";
    /** SendTaskSuccess takes at most 256 KB of output; larger hand-offs go through an ask. */
    static final int MAX_WAKE_CHARS = 200_000;
    private static final Pattern DEP_REF = Pattern.compile("\\{\\{\\s*deps\\.([^.}\\s]+)\\.(\\w+)\\s*}}");
    private static final int MAX_ATTEMPTS = 50;
    /** Results kept in memory for dependents' claims at most this large (serialized characters). */
    static final int CACHED_RESULT_CHARS = 64_000;
    /** The S3 write of a result overlapping the state's read, the wake-ups and the bus: I/O-bound, short. */
    private static final java.util.concurrent.ExecutorService IO =
            java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();

    /** Releases a parked worker: {@code SendTaskSuccess} of its task token (errors of stale tokens ignored). */
    @FunctionalInterface
    public interface Waker {
        void wake(String taskToken, String output);
    }

    private final SwarmStore store;
    private final Waker waker;
    private final Clock clock;
    private final ObjectMapper json;
    private final Map<String, Loaded> specs = new ConcurrentHashMap<>();
    /**
     * Calls of one swarm in this process take turns on its state: concurrent invocations sharing a warm runtime (the
     * local cloud runs them all in one) would otherwise race on the one item and retry each other's lost
     * conditional writes (measured: ≈ 6 reads and writes per call at 40 workers). Only an optimisation: the
     * conditional write stays the claim's guard across processes (Lambda containers, a restart).
     */
    private final Map<String, java.util.concurrent.locks.ReentrantLock> turns = new ConcurrentHashMap<>();
    /**
     * The state as this process last read or wrote it, by swarm: a turn decides on it without reading the item
     * again. A copy made stale by another process only fails its conditional write, which then reads the item; an
     * answer that writes nothing (park, done, abort, the task a worker holds) is given from a fresh read only.
     */
    private final Map<String, SwarmStore.Versioned> last = new ConcurrentHashMap<>();

    /** A state to decide on; {@code copy}: this process's copy, not read now (an answer that writes nothing must
     * not come from it: the copy may miss another process's commit). */
    private record Read(ObjectNode state, long version, boolean copy) {
    }

    /** The state to decide on: this process's last copy on a turn's first attempt, else the item. */
    private Read state(String tenant, String swarmId, int attempt) {
        SwarmStore.Versioned mine = attempt == 0 ? last.get(tenant + "/" + swarmId) : null;
        if (mine != null) {
            return new Read(mine.state().deepCopy(), mine.version(), true);
        }
        SwarmStore.Versioned v = store.load(tenant, swarmId)
                .orElseThrow(() -> new IllegalStateException("swarm " + swarmId + " has no state"));
        last.put(tenant + "/" + swarmId, new SwarmStore.Versioned(v.state().deepCopy(), v.version()));
        return new Read(v.state(), v.version(), false);
    }

    /** A conditional write of the state; remembers what it wrote, or forgets the stale copy it lost with. */
    private boolean replace(String tenant, String swarmId, ObjectNode state, long version) {
        if (store.replace(tenant, swarmId, state, version)) {
            last.put(tenant + "/" + swarmId, new SwarmStore.Versioned(state.deepCopy(), version + 1));
            return true;
        }
        last.remove(tenant + "/" + swarmId);
        return false;
    }
    private final SwarmEvents events;
    private final SwarmEvents.Sink sink;

    /**
     * Results this runtime committed, by task key: a dependent's claim reads them here instead of from S3 (a warm
     * scheduler; any miss — another instance, a restart, a large result — reads S3 as before). A completed task's
     * result never changes once its report is committed.
     */
    private record Loaded(JsonNode input, List<SwarmTask> tasks, SwarmSchedule schedule, int maxRetries,
            Map<String, JsonNode> results) {
        SwarmTask task(String key) {
            return tasks.stream().filter(t -> t.key().equals(key)).findFirst().orElseThrow();
        }

        int retriesOf(SwarmTask task) {
            return task.maxRetries() != null ? task.maxRetries() : maxRetries;
        }
    }

    /** The planning step's turns: its attempts at a valid plan (each rejected {@code submit_plan} costs one). */
    public static final int PLAN_MAX_TURNS = 8;
    /** The planning step's own time limit, capped by the swarm's global timeout. */
    public static final int PLAN_TIMEOUT_SECONDS = 1_800;
    /** Failures a re-run cannot fix: they are not retried whatever {@code maxRetries} says. */
    private static final java.util.Set<String> NOT_RETRIED = java.util.Set.of("BUDGET_EXCEEDED", "INVALID_STEP");

    public SwarmRuntime(SwarmStore store, Waker waker, Clock clock, ObjectMapper json) {
        this(store, waker, clock, json, SwarmEvents.Sink.NONE);
    }

    /** @param sink where the {@code SWARM_*} events of every committed change go ({@link SwarmEvents}) */
    public SwarmRuntime(SwarmStore store, Waker waker, Clock clock, ObjectMapper json, SwarmEvents.Sink sink) {
        this.store = store;
        this.waker = waker;
        this.clock = clock;
        this.json = json;
        this.events = new SwarmEvents(json);
        this.sink = sink;
    }

    /** Emits after a commit; a failing bus must not fail the scheduler (its commit stands). */
    private void emit(List<SwarmEvents.Event> list) {
        if (list.isEmpty()) {
            return;
        }
        try {
            sink.emit(list);
        } catch (RuntimeException e) {
            // the sink logs; an event lost here is a gap in the stream, never a wrong decision
        }
    }

    /**
     * The planning step of a swarm given {@code swarm.goal} and {@code swarm.plannerAgentId}: answers
     * {@code {step, timeoutSeconds}}, {@code step} the agent-step input of a {@code swarm-planner} step (its
     * completion tool is {@code submit_plan}, which validates the plan), run before {@link #init} by the state
     * machine's {@code Plan} state, whose output ({@code plan.tasks}) then stands for {@code swarm.tasks}.
     */
    public ObjectNode planStep(JsonNode input) {
        JsonNode swarm = input.path("swarm");
        String goal = swarm.path("goal").asText("");
        String planner = swarm.path("plannerAgentId").asText("");
        if (goal.isBlank() || planner.isBlank()) {
            throw new IllegalArgumentException("a planned swarm needs swarm.goal and swarm.plannerAgentId");
        }
        ObjectNode step = json.createObjectNode();
        step.put("tenantId", input.path("tenantId").asText()).put("runId", input.path("swarmId").asText())
                .put("stepId", PLAN_STEP).put("agentId", planner);
        if (input.hasNonNull("projectId")) {
            step.put("projectId", input.get("projectId").asText());
        }
        step.put("stepType", "swarm-planner");
        int maxConcurrent = swarm.path("maxConcurrent").asInt(SwarmSpec.DEFAULT_MAX_CONCURRENT);
        step.put("prompt", "Plan a swarm of agent tasks that reaches this goal:\n\n" + goal + "\n\nUp to "
                + maxConcurrent + " tasks run at once; a task starts when every task it depends on has completed. "
                + "Submit the plan with submit_plan.");
        long global = swarm.path("globalTimeoutSeconds").asLong(SwarmSpec.DEFAULT_GLOBAL_TIMEOUT_SECONDS);
        int timeout = (int) Math.min(PLAN_TIMEOUT_SECONDS, global);
        ObjectNode limits = step.putObject("limits").put("maxTurns", PLAN_MAX_TURNS).put("timeoutSeconds", timeout);
        JsonNode budget = swarm.path("budget");
        if (budget.has("maxDollars")) {
            limits.put("maxRunDollars", budget.get("maxDollars").asDouble());
        }
        if (budget.has("maxTokens")) {
            limits.put("maxRunTokens", budget.get("maxTokens").asLong());
        }
        if (input.hasNonNull("scenario")) {
            step.put("scenario", input.get("scenario").asText());
        }
        ObjectNode out = json.createObjectNode().put("timeoutSeconds", timeout + 60);
        out.set("step", step);
        return out;
    }

    /** The planning step's id in the swarm's run (task keys cannot contain it: they are lower case). */
    public static final String PLAN_STEP = "PLAN";

    /**
     * Input: {@code {tenantId, swarmId, projectId?, scenario?, swarm: {tasks: [{key, title, prompt, agentId,
     * dependencies, timeoutSeconds, model?, maxRetries?}], maxConcurrent, failurePolicy, globalTimeoutSeconds, budget,
     * maxRetries?}}}; a planned swarm has {@code swarm.goal} and {@code swarm.plannerAgentId} instead of
     * {@code swarm.tasks} and the planner's tasks in {@code plan.tasks}.
     * Answers {@code {workers: [0..w-1], pool}}, w = min(maxConcurrent, tasks), {@code pool} {@code inline} up to
     * {@value #INLINE_WORKERS} workers (an inline Map), {@code distributed} beyond (a distributed Map of worker
     * executions).
     */
    public ObjectNode init(JsonNode input) {
        String tenant = input.path("tenantId").asText();
        String swarmId = input.path("swarmId").asText();
        Loaded loaded = parse(input);
        long now = clock.millis();
        JsonNode swarm = input.path("swarm");
        int maxConcurrent = swarm.path("maxConcurrent").asInt(SwarmSpec.DEFAULT_MAX_CONCURRENT);
        if (store.load(tenant, swarmId).isEmpty()) {
            store.putDocument(tenant, swarmId, SPEC, input);
            ObjectNode state = json.createObjectNode();
            state.put("maxConcurrent", maxConcurrent);
            state.put("failurePolicy", swarm.path("failurePolicy").asText(FailurePolicy.SKIP_DEPENDENTS.wire()));
            state.put("startedAt", now);
            state.put("deadline", now + 1000L * swarm.path("globalTimeoutSeconds")
                    .asLong(SwarmSpec.DEFAULT_GLOBAL_TIMEOUT_SECONDS));
            ObjectNode tasks = state.putObject("tasks");
            for (SwarmTask t : loaded.tasks()) {
                tasks.putObject(t.key()).put("status", TaskStatus.PENDING.wire()).put("worker", -1);
            }
            store.create(tenant, swarmId, state);
        }
        // emitted on every init (a retried init re-emits the same ids, which the ingest stores once)
        emit(events.initial(tenant, swarmId, loaded.schedule().dag(), loaded.tasks().size()));
        specs.put(tenant + "/" + swarmId, loaded);
        ObjectNode out = json.createObjectNode();
        ArrayNode workers = out.putArray("workers");
        int w = Math.max(1, Math.min(Math.min(maxConcurrent, loaded.tasks().size()), MAX_WORKERS));
        for (int i = 0; i < w; i++) {
            workers.add(i);
        }
        out.put("pool", w > INLINE_WORKERS ? "distributed" : "inline");
        return out;
    }

    /** A worker's next action, after applying the outcome of its last task ({@code report}, or null). */
    public ObjectNode next(String tenant, String swarmId, int worker, JsonNode report) {
        Loaded spec = spec(tenant, swarmId);
        Dag dag = spec.schedule().dag();
        // A completed report's result goes to S3 while the state is read (it must be there before the commit that
        // marks the task completed, crash safety); a report that turns out stale rewrote the same task's result
        // with the same worker's same report, which only a still-running task of that worker can have.
        java.util.concurrent.CompletableFuture<Void> resultWrite = null;
        if (report != null && report.isObject() && "completed".equals(report.path("outcome").asText())
                && !report.path("key").asText().isEmpty() && spec.results().get(report.path("key").asText()) == null) {
            String key = report.path("key").asText();
            JsonNode result = report.path("result");
            resultWrite = java.util.concurrent.CompletableFuture.runAsync(
                    () -> store.putDocument(tenant, swarmId, "tasks/" + key + "/result.json", result), IO);
        }
        String completed = null;
        java.util.concurrent.locks.ReentrantLock turn = turns.computeIfAbsent(tenant + "/" + swarmId,
                k -> new java.util.concurrent.locks.ReentrantLock(true));
        turn.lock();
        try {
            for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
                Read v = state(tenant, swarmId, attempt);
                ObjectNode state = v.state();
                ObjectNode tasks = (ObjectNode) state.get("tasks");
                TaskStatus[] before = statuses(dag, tasks);
                long now = clock.millis();
                long deadline = state.path("deadline").asLong();
                boolean changed = false;
                ObjectNode parked = parked(state);
                if (parked.remove(Integer.toString(worker)) != null) { // a park that timed out: its token is stale
                    changed = true;
                }
                List<String> wake = new ArrayList<>();
                Map<String, String> handOff = new java.util.LinkedHashMap<>(); // task -> parked worker's token
                String mine = null;
                for (String key : dag.keys()) {
                    JsonNode t = tasks.get(key);
                    if (TaskStatus.RUNNING.wire().equals(t.path("status").asText()) && t.path("worker").asInt() == worker) {
                        mine = key;
                    }
                }
                if (mine != null && report != null && report.isObject() && mine.equals(report.path("key").asText())) {
                    applyReport(tenant, swarmId, (ObjectNode) tasks.get(mine), mine, report, now, deadline,
                            spec.retriesOf(spec.task(mine)));
                    if ("completed".equals(report.path("outcome").asText())) {
                        completed = mine;
                    }
                    changed = true;
                    mine = null;
                }
                if (mine != null && v.copy()) { // answered without a write: only from the item itself
                    continue;
                }
                if (mine != null) { // a retried call: the task this worker already holds
                    if (resultWrite != null) {
                        join(resultWrite);
                    }
                    return run(spec, tenant, swarmId, tasks, mine, now, deadline);
                }
                ObjectNode action = json.createObjectNode();
                TaskStatus[] status = statuses(dag, tasks);
                SwarmSchedule.Decision d = spec.schedule().decide(status);
                FailurePolicy policy = FailurePolicy.fromWire(state.path("failurePolicy").asText())
                        .orElse(FailurePolicy.SKIP_DEPENDENTS);
                boolean failed = java.util.Arrays.stream(status).anyMatch(s -> s == TaskStatus.FAILED);
                if (now >= deadline) {
                    action.put("action", "done").put("reason", "global timeout");
                    changed |= popAll(parked, wake);
                } else if (policy == FailurePolicy.FAIL_FAST && failed) {
                    action.put("action", "abort").put("reason", "a task failed (fail-fast)");
                    changed |= popAll(parked, wake);
                } else {
                    for (String k : d.skip()) {
                        ((ObjectNode) tasks.get(k)).put("status", TaskStatus.SKIPPED.wire()).put("endedAt", now)
                                .put("reason", "a dependency did not complete");
                        changed = true;
                    }
                    if (!d.start().isEmpty()) {
                        String key = d.start().getFirst();
                        ObjectNode t = (ObjectNode) tasks.get(key);
                        t.put("status", TaskStatus.RUNNING.wire()).put("worker", worker).put("startedAt", now)
                                .put("attempt", t.path("attempt").asInt() + 1);
                        changed = true;
                        mine = key;
                        // more tasks ready than this worker takes: claim them for parked workers, which get their
                        // task with the wake-up (no extra ask, so no extra history events)
                        int next = 1;
                        for (Iterator<String> it = parked.fieldNames(); it.hasNext() && next < d.start().size();) {
                            String w = it.next();
                            String other = d.start().get(next++);
                            ((ObjectNode) tasks.get(other)).put("status", TaskStatus.RUNNING.wire())
                                    .put("worker", Integer.parseInt(w)).put("startedAt", now)
                                    .put("attempt", tasks.get(other).path("attempt").asInt() + 1);
                            handOff.put(other, parked.get(w).asText());
                            it.remove();
                        }
                    } else if (d.finished()) {
                        action.put("action", "done").put("reason", "every task ended");
                        changed |= popAll(parked, wake);
                    } else {
                        action.put("action", "park");
                    }
                }
                if (completed != null) { // the result is in S3 before the commit that says so
                    if (resultWrite == null) {
                        resultWrite = java.util.concurrent.CompletableFuture.completedFuture(null);
                        store.putDocument(tenant, swarmId, "tasks/" + completed + "/result.json", report.path("result"));
                    }
                    join(resultWrite);
                }
                if (changed && !replace(tenant, swarmId, state, v.version())) {
                    completed = null;
                    continue;
                }
                if (!changed && v.copy()) { // answered without a write: only from the item itself
                    continue;
                }
                turn.unlock(); // committed: the next call may read the state while this one answers
                if (completed != null) {
                    JsonNode result = report.path("result");
                    if (result.toString().length() <= CACHED_RESULT_CHARS) {
                        spec.results().put(completed, result);
                    }
                }
                // after the commit: the bus, the parked workers' wake-ups (each with its task) and this worker's own
                // task are independent; they run at once and all end before the answer (a Lambda freezes on return)
                List<java.util.concurrent.CompletableFuture<?>> after = new ArrayList<>();
                if (changed) {
                    List<SwarmEvents.Event> list = events.transitions(tenant, swarmId, dag, policy, before, tasks);
                    after.add(java.util.concurrent.CompletableFuture.runAsync(() -> emit(list), IO));
                }
                String end = action.path("action").asText("done");
                for (String t : wake) {
                    after.add(java.util.concurrent.CompletableFuture.runAsync(
                            () -> wake(t, json.createObjectNode().put("action", end)), IO));
                }
                for (Map.Entry<String, String> h : handOff.entrySet()) {
                    after.add(java.util.concurrent.CompletableFuture.runAsync(
                            () -> wake(h.getValue(), run(spec, tenant, swarmId, tasks, h.getKey(), now, deadline)), IO));
                }
                try {
                    return mine != null ? run(spec, tenant, swarmId, tasks, mine, now, deadline) : action;
                } finally {
                    after.forEach(SwarmRuntime::join);
                    if (resultWrite != null) { // a stale report's write too: nothing runs on after the answer
                        join(resultWrite);
                    }
                }
            }
        } finally {
            if (turn.isHeldByCurrentThread()) {
                turn.unlock();
            }
        }
        throw new SwarmConflictException("swarm " + swarmId + ": the state kept changing; retry");
    }

    /**
     * An idle worker waits on its task token: stored in the state (same conditional write as every claim), unless
     * a task is ready, the swarm is over or must abort at this moment, in which case the worker is released at once.
     * A worker that makes more tasks ready than it claims wakes that many parked workers after its write commits.
     */
    public void park(String tenant, String swarmId, int worker, String token) {
        Loaded spec = spec(tenant, swarmId);
        Dag dag = spec.schedule().dag();
        java.util.concurrent.locks.ReentrantLock turn = turns.computeIfAbsent(tenant + "/" + swarmId,
                k -> new java.util.concurrent.locks.ReentrantLock(true));
        turn.lock();
        try {
            parkInTurn(spec, dag, tenant, swarmId, worker, token);
        } finally {
            turn.unlock();
        }
    }

    private void parkInTurn(Loaded spec, Dag dag, String tenant, String swarmId, int worker, String token) {
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Read v = state(tenant, swarmId, attempt);
            ObjectNode state = v.state();
            TaskStatus[] status = statuses(dag, (ObjectNode) state.get("tasks"));
            SwarmSchedule.Decision d = spec.schedule().decide(status);
            boolean failFast = FailurePolicy.FAIL_FAST.wire().equals(state.path("failurePolicy").asText())
                    && java.util.Arrays.stream(status).anyMatch(x -> x == TaskStatus.FAILED);
            if (!d.start().isEmpty() || d.finished() || failFast || !d.skip().isEmpty()
                    || clock.millis() >= state.path("deadline").asLong()) {
                wake(token, json.createObjectNode().put("action", "next"));
                return;
            }
            parked(state).put(Integer.toString(worker), token);
            if (replace(tenant, swarmId, state, v.version())) {
                return;
            }
        }
        throw new SwarmConflictException("swarm " + swarmId + ": the state kept changing; retry");
    }

    private static ObjectNode parked(ObjectNode state) {
        JsonNode p = state.get("parked");
        return p instanceof ObjectNode o ? o : state.putObject("parked");
    }

    private static boolean popAll(ObjectNode parked, List<String> wake) {
        if (parked.isEmpty()) {
            return false;
        }
        parked.forEach(t -> wake.add(t.asText()));
        parked.removeAll();
        return true;
    }

    /** Releases a parked worker with its next action; a too large action makes it ask instead. */
    private void wake(String token, ObjectNode action) {
        String output = action.toString();
        if (output.length() > MAX_WAKE_CHARS) {
            output = "{\"action\":\"next\"}"; // the ask answers the task already claimed for it
        }
        try {
            waker.wake(token, output);
        } catch (RuntimeException stale) {
            // a token whose park timed out or already ended: that worker asks again by itself
        }
    }

    /** Marks running tasks cancelled and pending ones skipped, stores and answers the summary. */
    public ObjectNode finish(String tenant, String swarmId, String reason) {
        Loaded spec = spec(tenant, swarmId);
        Dag dag = spec.schedule().dag();
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            SwarmStore.Versioned v = store.load(tenant, swarmId).orElseThrow();
            ObjectNode state = v.state();
            ObjectNode tasks = (ObjectNode) state.get("tasks");
            TaskStatus[] before = statuses(dag, tasks);
            long now = clock.millis();
            boolean timedOut = now >= state.path("deadline").asLong();
            boolean changed = false;
            for (String key : dag.keys()) {
                ObjectNode t = (ObjectNode) tasks.get(key);
                String s = t.path("status").asText();
                if (TaskStatus.RUNNING.wire().equals(s)) {
                    t.put("status", TaskStatus.CANCELLED.wire()).put("endedAt", now)
                            .put("reason", timedOut ? "global timeout" : reason);
                    changed = true;
                } else if (TaskStatus.PENDING.wire().equals(s) || TaskStatus.READY.wire().equals(s)) {
                    t.put("status", TaskStatus.SKIPPED.wire()).put("endedAt", now)
                            .put("reason", timedOut ? "global timeout" : reason);
                    changed = true;
                }
            }
            if (!state.has("endedAt")) {
                state.put("endedAt", now);
                state.put("outcome", timedOut ? "timed_out" : reason);
                changed = true;
            }
            if (changed && !store.replace(tenant, swarmId, state, v.version())) {
                continue;
            }
            spec.results().clear(); // no claim reads them any more
            turns.remove(tenant + "/" + swarmId);
            last.remove(tenant + "/" + swarmId);
            ObjectNode summary = summary(spec, swarmId, state, timedOut);
            store.putDocument(tenant, swarmId, "summary.json", summary);
            List<SwarmEvents.Event> emitted = new ArrayList<>(events.transitions(tenant, swarmId, dag,
                    FailurePolicy.fromWire(state.path("failurePolicy").asText()).orElse(FailurePolicy.SKIP_DEPENDENTS),
                    before, tasks));
            ObjectNode end = json.createObjectNode().put("status", summary.path("status").asText())
                    .put("outcome", state.path("outcome").asText());
            end.set("counts", summary.path("counts"));
            end.set("criticalPath", summary.path("criticalPath"));
            end.put("makespanMs", summary.path("makespanMs").asLong());
            boolean completed = "completed".equals(summary.path("status").asText());
            emitted.add(events.swarm(tenant, swarmId, completed ? SwarmEvents.COMPLETE : SwarmEvents.FAILED,
                    "end", end));
            emit(emitted);
            ObjectNode out = summary.deepCopy();
            if (dag.size() > 200) {
                out.remove("tasks");
            }
            out.put("summaryUri", store.uri(tenant, swarmId, "summary.json"));
            ObjectNode brief = summary.deepCopy();
            brief.remove("tasks");
            out.put("summaryText", brief.toString());
            return out;
        }
        throw new SwarmConflictException("swarm " + swarmId + ": the state kept changing; retry");
    }

    private ObjectNode summary(Loaded spec, String swarmId, ObjectNode state, boolean timedOut) {
        Dag dag = spec.schedule().dag();
        ObjectNode tasks = (ObjectNode) state.get("tasks");
        ObjectNode s = json.createObjectNode().put("swarmId", swarmId);
        ObjectNode counts = json.createObjectNode();
        boolean allCompleted = true;
        long[] durations = new long[dag.size()];
        long first = Long.MAX_VALUE;
        long last = 0;
        for (int i = 0; i < dag.size(); i++) {
            JsonNode t = tasks.get(dag.key(i));
            String st = t.path("status").asText();
            counts.put(st, counts.path(st).asInt() + 1);
            allCompleted &= TaskStatus.COMPLETED.wire().equals(st);
            if (t.has("startedAt") && t.has("endedAt")) {
                durations[i] = t.get("endedAt").asLong() - t.get("startedAt").asLong();
                first = Math.min(first, t.get("startedAt").asLong());
                last = Math.max(last, t.get("endedAt").asLong());
            }
        }
        s.put("status", allCompleted ? "completed" : timedOut ? "timed_out"
                : "cancelled".equals(state.path("outcome").asText()) ? "cancelled" : "failed");
        s.set("counts", counts);
        s.put("makespanMs", first == Long.MAX_VALUE ? 0 : last - first);
        CriticalPath cp = CriticalPath.of(dag, durations);
        ObjectNode cpNode = s.putObject("criticalPath").put("lengthMs", cp.length());
        cp.path().forEach(cpNode.putArray("path")::add);
        ObjectNode failures = s.putObject("failures"); // the first few, for the failed execution's cause
        for (int i = 0; i < dag.size() && failures.size() < 10; i++) {
            JsonNode t = tasks.get(dag.key(i));
            if (TaskStatus.FAILED.wire().equals(t.path("status").asText())) {
                failures.put(dag.key(i), t.path("error").asText() + ": " + t.path("reason").asText());
            }
        }
        s.set("tasks", tasks.deepCopy());
        return s;
    }

    private static void join(java.util.concurrent.Future<?> f) {
        try {
            f.get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void applyReport(String tenant, String swarmId, ObjectNode t, String key, JsonNode report, long now,
            long deadline, int maxRetries) {
        String outcome = report.path("outcome").asText();
        t.put("endedAt", now);
        switch (outcome) {
            case "completed" -> {
                JsonNode result = report.path("result"); // in S3 before the commit: next()
                t.put("status", TaskStatus.COMPLETED.wire());
                t.put("turns", result.path("turns").asInt());
                t.put("costMicroUsd", result.path("costMicroUsd").asLong());
                t.put("tokens", result.path("usage").path("inputTokens").asLong()
                        + result.path("usage").path("outputTokens").asLong());
                t.put("result", result.path("result").asText(null)); // the whole result: tasks/<key>/result.json
            }
            case "timed_out" -> {
                // Run's timeout is capped by the whole seconds left to the deadline, so a global timeout can fire
                // up to a second before it: within 2 s it is the swarm's, not the task's
                boolean global = now >= deadline - 2000;
                t.put("status", (global ? TaskStatus.CANCELLED : TaskStatus.FAILED).wire());
                t.put("error", global ? "SWARM_TIMEOUT" : "STEP_TIMEOUT");
                t.put("reason", global ? "global timeout" : "the task's timeoutSeconds passed");
            }
            default -> {
                t.put("status", TaskStatus.FAILED.wire());
                JsonNode error = report.path("error");
                String cause = error.path("Cause").asText("");
                String name = error.path("Error").asText("FAILED");
                try { // a child's failure: the cause is its DescribeExecution, with the child's own error
                    JsonNode child = json.readTree(cause);
                    if (child != null && child.has("Error")) {
                        name = child.path("Error").asText(name);
                        cause = child.path("Cause").asText("");
                    }
                } catch (java.io.IOException | RuntimeException notJson) {
                    // keep the cause as it is
                }
                t.put("error", name);
                t.put("reason", cause.length() > 1000 ? cause.substring(0, 1000) : cause);
            }
        }
        retryIfAllowed(t, now, maxRetries);
    }

    /**
     * A failed task (not a cancelled one, nor one no re-run can fix) with retries left goes back to pending: the
     * schedule starts it again like any ready task, with its failures as feedback ({@link #run}).
     */
    private void retryIfAllowed(ObjectNode t, long now, int maxRetries) {
        if (!TaskStatus.FAILED.wire().equals(t.path("status").asText())
                || NOT_RETRIED.contains(t.path("error").asText()) || t.path("attempt").asInt() > maxRetries) {
            return;
        }
        JsonNode f = t.get("failures");
        ArrayNode failures = f instanceof ArrayNode a ? a : t.putArray("failures");
        failures.addObject().put("attempt", t.path("attempt").asInt()).put("error", t.path("error").asText())
                .put("reason", t.path("reason").asText()).put("endedAt", now);
        t.put("status", TaskStatus.PENDING.wire()).put("worker", -1);
        t.remove(List.of("error", "reason", "endedAt"));
    }

    private ObjectNode run(Loaded spec, String tenant, String swarmId, ObjectNode tasks, String key, long now,
            long deadline) {
        SwarmTask task = spec.tasks().stream().filter(t -> t.key().equals(key)).findFirst().orElseThrow();
        JsonNode input = spec.input();
        ObjectNode step = json.createObjectNode();
        step.put("tenantId", tenant).put("runId", swarmId).put("stepId", key).put("agentId", task.agentId());
        if (input.hasNonNull("projectId")) {
            step.put("projectId", input.get("projectId").asText());
        }
        step.put("stepType", "agent");
        ObjectNode context = json.createObjectNode();
        ObjectNode deps = context.putObject("deps");
        Map<String, JsonNode> results = new java.util.HashMap<>();
        for (String dep : task.dependencies()) {
            JsonNode t = tasks.get(dep);
            JsonNode result = !TaskStatus.COMPLETED.wire().equals(t.path("status").asText()) ? null
                    : spec.results().containsKey(dep) ? spec.results().get(dep)
                    : store.getDocument(tenant, swarmId, "tasks/" + dep + "/result.json").orElse(null);
            results.put(dep, result);
            ObjectNode d = deps.putObject(dep).put("status", t.path("status").asText());
            if (result != null) {
                d.put("text", cut(result.path("text").asText(""), dep, tenant, swarmId));
                d.put("result", result.path("result").asText(null));
                d.put("resultUri", store.uri(tenant, swarmId, "tasks/" + dep + "/result.json"));
            }
        }
        String prompt = render(task.prompt(), tasks, results, tenant, swarmId);
        JsonNode failures = tasks.path(key).path("failures");
        if (failures.isArray() && !failures.isEmpty()) { // a re-run: what went wrong before is its feedback
            JsonNode last = failures.get(failures.size() - 1);
            String reason = last.path("reason").asText("");
            prompt += "\n\n# Previous attempt\nAttempt " + last.path("attempt").asInt() + " of this task failed ("
                    + last.path("error").asText() + (reason.isBlank() ? "" : ": " + (reason.length() > 2000
                    ? reason.substring(0, 2000) + " [...]" : reason)) + "). Avoid what made it fail.";
            context.set("previousAttempts", failures.deepCopy());
        }
        step.put("prompt", prompt);
        step.set("context", context);
        if (task.model() != null) {
            step.put("model", task.model());
        }
        ObjectNode limits = step.putObject("limits").put("timeoutSeconds", task.timeoutSeconds());
        JsonNode budget = input.path("swarm").path("budget");
        if (budget.has("maxDollars")) {
            limits.put("maxRunDollars", budget.get("maxDollars").asDouble());
        }
        if (budget.has("maxTokens")) {
            limits.put("maxRunTokens", budget.get("maxTokens").asLong());
        }
        if (input.hasNonNull("scenario")) {
            step.put("scenario", input.get("scenario").asText());
        }
        long remaining = Math.max(1, (deadline - now + 999) / 1000);
        long timeout = Math.min(task.timeoutSeconds() + 60L, remaining);
        ObjectNode out = json.createObjectNode().put("action", "run").put("key", key).put("timeoutSeconds", timeout);
        out.set("step", step);
        return out;
    }

    private String render(String prompt, ObjectNode tasks, Map<String, JsonNode> results, String tenant,
            String swarmId) {
        Matcher m = DEP_REF.matcher(prompt);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String dep = m.group(1);
            JsonNode result = results.get(dep);
            String value = switch (m.group(2)) {
                case "status" -> tasks.path(dep).path("status").asText("");
                case "result" -> result == null ? "" : result.path("result").asText("");
                case "text" -> result == null ? "" : result.path("text").asText("");
                default -> {
                    if (result == null) {
                        yield "";
                    }
                    JsonNode o = result.path("output");
                    yield o.isMissingNode() || o.isNull() ? result.path("text").asText("")
                            : o.isTextual() ? o.asText() : o.toString();
                }
            };
            m.appendReplacement(out, Matcher.quoteReplacement(cut(value, dep, tenant, swarmId)));
        }
        m.appendTail(out);
        return out.toString();
    }

    private String cut(String value, String dep, String tenant, String swarmId) {
        if (value.length() <= INLINE_OUTPUT_CHARS) {
            return value;
        }
        return value.substring(0, INLINE_OUTPUT_CHARS) + "\n[... cut at " + INLINE_OUTPUT_CHARS
                + " characters; the whole result is " + store.uri(tenant, swarmId, "tasks/" + dep + "/result.json")
                + "]";
    }

    private static TaskStatus[] statuses(Dag dag, ObjectNode tasks) {
        TaskStatus[] s = new TaskStatus[dag.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = TaskStatus.valueOf(tasks.get(dag.key(i)).path("status").asText().toUpperCase(java.util.Locale.ROOT));
        }
        return s;
    }

    private Loaded spec(String tenant, String swarmId) {
        return specs.computeIfAbsent(tenant + "/" + swarmId, k -> parse(store.getDocument(tenant, swarmId, SPEC)
                .orElseThrow(() -> new IllegalStateException("swarm " + swarmId + " has no spec"))));
    }

    private Loaded parse(JsonNode input) {
        JsonNode swarm = input.path("swarm");
        List<SwarmTask> tasks = new ArrayList<>();
        JsonNode list = swarm.hasNonNull("tasks") ? swarm.get("tasks") : input.path("plan").path("tasks");
        for (JsonNode t : list) {
            List<String> deps = new ArrayList<>();
            for (Iterator<JsonNode> it = t.path("dependencies").elements(); it.hasNext();) {
                deps.add(it.next().asText());
            }
            tasks.add(new SwarmTask(t.path("key").asText(), t.path("title").asText(t.path("key").asText()),
                    t.path("prompt").asText(), t.path("agentId").asText(), deps,
                    t.path("timeoutSeconds").asInt(SwarmSpec.DEFAULT_TASK_TIMEOUT_SECONDS),
                    t.path("model").asText(null), t.hasNonNull("maxRetries") ? t.get("maxRetries").asInt() : null));
        }
        if (tasks.isEmpty()) {
            throw new IllegalArgumentException(swarm.hasNonNull("goal") ? "plan.tasks is empty: the planner's plan "
                    + "did not reach Init" : "swarm.tasks is empty");
        }
        Dag dag = Dag.of(tasks);
        List<String> cycle = dag.findCycle();
        if (!cycle.isEmpty()) {
            throw new IllegalArgumentException("dependency cycle: " + String.join(" -> ", cycle));
        }
        FailurePolicy policy = FailurePolicy.fromWire(swarm.path("failurePolicy").asText("skip-dependents"))
                .orElse(FailurePolicy.SKIP_DEPENDENTS);
        int maxConcurrent = Math.max(1, swarm.path("maxConcurrent").asInt(SwarmSpec.DEFAULT_MAX_CONCURRENT));
        // Slots are the workers; the schedule sees at most as many running tasks as there are workers.
        int slots = Math.min(maxConcurrent, MAX_WORKERS);
        return new Loaded(input, tasks, new SwarmSchedule(dag, slots, policy, ones(tasks.size())),
                Math.max(0, swarm.path("maxRetries").asInt(SwarmSpec.DEFAULT_MAX_RETRIES)), new ConcurrentHashMap<>());
    }

    private static long[] ones(int n) {
        long[] d = new long[n];
        java.util.Arrays.fill(d, 1);
        return d;
    }
}
