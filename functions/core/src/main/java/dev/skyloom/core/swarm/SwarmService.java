package dev.skyloom.core.swarm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.core.api.ApiError;
import dev.skyloom.core.api.Json;
import dev.skyloom.core.api.Page;
import dev.skyloom.core.identity.Principal;
import dev.skyloom.core.identity.TenantId;
import dev.skyloom.core.pipeline.AgentDirectory;
import dev.skyloom.core.resources.AgentService;
import dev.skyloom.core.resources.Documents;
import dev.skyloom.core.resources.Stored;
import dev.skyloom.core.runs.PipelineEngine;
import dev.skyloom.core.store.DocumentStore;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.ToIntFunction;
import java.util.regex.Pattern;

/**
 * Swarms through the API (decision 0700 "API"): start one (validated by {@link SwarmValidator} with the tenant's
 * task limit, then an execution of the swarm state machine named by the swarm id), read it (status from the
 * execution; per-task statuses, timings, tokens, cost and results from the scheduler's state; the critical path of
 * the durations so far), list, and cancel (StopExecution, which stops the running tasks' agent-step children, then
 * the scheduler's {@code finish}: running tasks cancelled, the rest skipped).
 */
public final class SwarmService {
    static final String COLLECTION = "SWARMRUN";
    /** Step Functions takes at most 256 KB of execution input. */
    static final int MAX_INPUT_CHARS = 256 * 1024;
    private static final Pattern PROJECT_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private final Documents<Swarm> swarms;
    private final AgentService agents;
    private final ToIntFunction<TenantId> maxTasks;
    private final PipelineEngine engine;
    private final String stateMachineArn;
    private final SwarmStore store;
    private final SwarmRuntime runtime;
    private final Clock clock;

    /**
     * @param maxTasks        the tenant's limit of tasks per swarm
     * @param engine          Step Functions (start, describe, stop)
     * @param stateMachineArn the swarm state machine
     * @param runtime         the scheduler's engine, for {@code finish} on cancel (its events go to the bus)
     */
    public SwarmService(DocumentStore documents, Clock clock, AgentService agents, ToIntFunction<TenantId> maxTasks,
                        PipelineEngine engine, String stateMachineArn, SwarmStore store, SwarmRuntime runtime) {
        this.swarms = new Documents<>(documents, clock, "Swarm", Swarm.class);
        this.agents = agents;
        this.maxTasks = maxTasks;
        this.engine = engine;
        this.stateMachineArn = stateMachineArn;
        this.store = store;
        this.runtime = runtime;
        this.clock = clock;
    }

    /** Validates and starts a swarm; answers it as {@link #view} shows it. */
    public ObjectNode start(Principal caller, JsonNode body) {
        String projectId = null;
        JsonNode request = body;
        if (body != null && body.isObject() && body.has("projectId")) {
            JsonNode p = body.get("projectId");
            if (!p.isNull() && (!p.isTextual() || !PROJECT_ID.matcher(p.asText()).matches())) {
                throw ApiError.invalidField("projectId", "must be a project id: 1-64 of A-Z, a-z, 0-9, '_', '-'");
            }
            projectId = p.isNull() ? null : p.asText();
            request = body.deepCopy();
            ((ObjectNode) request).remove("projectId");
        }
        String name = null;
        if (request != null && request.isObject() && request.has("name") && !request.get("name").isNull()) {
            JsonNode n = request.get("name");
            if (!n.isTextual() || n.asText().isBlank() || n.asText().length() > 200) {
                throw ApiError.invalidField("name", "must be a non-empty string of at most 200 characters");
            }
            name = n.asText();
        }
        SwarmSpec spec = new SwarmValidator(directory(caller), maxTasks.applyAsInt(caller.tenant())).validate(request);
        String swarmId = Documents.newId("swm_");
        ObjectNode input = executionInput(caller.tenant(), swarmId, projectId, request, spec);
        if (input.toString().length() > MAX_INPUT_CHARS) {
            throw ApiError.invalidField("tasks", "make the swarm's input " + input.toString().length()
                    + " characters, more than Step Functions takes (" + MAX_INPUT_CHARS
                    + "); shorten the prompts or split the swarm");
        }
        String arn = stateMachineArn.replace(":stateMachine:", ":execution:") + ":" + swarmId;
        ObjectNode budget = null;
        if (spec.budget() != null) {
            budget = Json.MAPPER.createObjectNode();
            if (spec.budget().maxDollars() != null) {
                budget.put("maxDollars", spec.budget().maxDollars());
            }
            if (spec.budget().maxTokens() != null) {
                budget.put("maxTokens", spec.budget().maxTokens());
            }
        }
        Swarm swarm = new Swarm(name, projectId, spec.goal(), spec.plannerAgentId(), spec.tasks().size(),
                spec.maxConcurrent(), spec.failurePolicy().wire(), spec.globalTimeoutSeconds(), budget, "RUNNING", arn,
                by(caller), null, null);
        swarms.create(caller.tenant(), COLLECTION, swarmId, swarm);
        try {
            String started = engine.start(stateMachineArn, swarmId, input.toString());
            if (!started.equals(arn)) {
                swarms.update(caller.tenant(), COLLECTION, swarmId, OptionalLong.empty(),
                        s -> new Swarm(s.name(), s.projectId(), s.goal(), s.plannerAgentId(), s.taskCount(),
                                s.maxConcurrent(), s.failurePolicy(), s.globalTimeoutSeconds(), s.budget(),
                                s.status(), started, s.createdBy(), s.error(), s.cause()));
            }
        } catch (RuntimeException e) {
            swarms.update(caller.tenant(), COLLECTION, swarmId, OptionalLong.empty(),
                    s -> s.with("FAILED", "START_FAILED", "the swarm's execution could not be started"));
            throw e;
        }
        return view(caller, swarmId);
    }

    /**
     * The execution's input (the state machine's contract, {@code statemachines/swarm.asl.json}): the validated
     * request as sent, every field the validator accepted passed through (per-task settings such as {@code model}
     * included), with agents resolved to ids ({@code agentId} per task, {@code plannerAgentId}) and the settings'
     * defaults made explicit. A planned swarm has no {@code tasks}: the planner's come in {@code plan.tasks}.
     */
    static ObjectNode executionInput(TenantId tenant, String swarmId, String projectId, JsonNode request,
                                     SwarmSpec spec) {
        ObjectNode input = Json.MAPPER.createObjectNode().put("tenantId", tenant.value()).put("swarmId", swarmId);
        if (projectId != null) {
            input.put("projectId", projectId);
        }
        ObjectNode swarm = ((ObjectNode) request).deepCopy();
        swarm.remove("name");
        swarm.remove("planner");
        swarm.remove("goal");
        swarm.remove("tasks");
        if (spec.planned()) {
            swarm.put("goal", spec.goal()).put("plannerAgentId", spec.plannerAgentId());
        } else {
            ArrayNode tasks = swarm.putArray("tasks");
            JsonNode given = request.get("tasks");
            for (int i = 0; i < spec.tasks().size(); i++) {
                SwarmTask t = spec.tasks().get(i);
                ObjectNode task = ((ObjectNode) given.get(i)).deepCopy();
                task.remove("agent");
                task.put("key", t.key()).put("title", t.title()).put("agentId", t.agentId())
                        .put("timeoutSeconds", t.timeoutSeconds());
                ArrayNode deps = task.putArray("dependencies");
                t.dependencies().forEach(deps::add);
                tasks.add(task);
            }
        }
        swarm.put("maxConcurrent", spec.maxConcurrent()).put("failurePolicy", spec.failurePolicy().wire())
                .put("globalTimeoutSeconds", spec.globalTimeoutSeconds());
        input.set("swarm", swarm);
        return input;
    }

    /** The swarm, its status refreshed from its execution (a 404 outside the caller's tenant). */
    public Stored<Swarm> get(Principal caller, String swarmId) {
        return refresh(caller.tenant(), swarms.get(caller.tenant(), COLLECTION, swarmId));
    }

    /** {@code GET /swarms/{id}}: the swarm, a summary of its tasks and its critical path. */
    public ObjectNode view(Principal caller, String swarmId) {
        Stored<Swarm> stored = get(caller, swarmId);
        ObjectNode json = stored.toJson();
        json.remove("executionArn");
        Tasks tasks = tasks(caller.tenant(), swarmId);
        ObjectNode summary = json.putObject("summary");
        ObjectNode counts = summary.putObject("counts");
        for (TaskStatus s : TaskStatus.values()) {
            counts.put(s.wire(), 0);
        }
        long tokens = 0;
        long cost = 0;
        long first = Long.MAX_VALUE;
        long last = 0;
        for (ObjectNode t : tasks.items()) {
            String s = t.path("status").asText();
            counts.put(s, counts.path(s).asInt() + 1);
            tokens += t.path("tokens").asLong();
            cost += t.path("costMicroUsd").asLong();
            if (t.has("startedMs")) {
                first = Math.min(first, t.get("startedMs").asLong());
                last = Math.max(last, t.path("endedMs").asLong(clock.millis()));
            }
        }
        summary.put("tasks", tasks.items().size());
        summary.put("tokens", tokens);
        summary.put("costUsd", BigDecimal.valueOf(cost, 6));
        summary.put("makespanMs", first == Long.MAX_VALUE ? 0 : last - first);
        if (tasks.startedAt() != null) {
            json.put("startedAt", tasks.startedAt().toString());
        }
        if (tasks.endedAt() != null) {
            json.put("endedAt", tasks.endedAt().toString());
        }
        ObjectNode cp = json.putObject("criticalPath");
        cp.put("lengthMs", tasks.criticalPath().length());
        tasks.criticalPath().path().forEach(cp.putArray("tasks")::add);
        return json;
    }

    /** {@code GET /swarms/{id}/tasks}: every task in request order. */
    public List<ObjectNode> taskList(Principal caller, String swarmId) {
        get(caller, swarmId);
        List<ObjectNode> out = new ArrayList<>();
        for (ObjectNode t : tasks(caller.tenant(), swarmId).items()) {
            ObjectNode shown = t.deepCopy();
            shown.remove("startedMs");
            shown.remove("endedMs");
            shown.remove("costMicroUsd");
            out.add(shown);
        }
        return out;
    }

    private record Tasks(List<ObjectNode> items, CriticalPath criticalPath, Instant startedAt, Instant endedAt) {
    }

    /** The tasks from the spec and the scheduler's state (all pending before the scheduler's init). */
    private Tasks tasks(TenantId tenant, String swarmId) {
        Optional<SwarmStore.Versioned> state = store.load(tenant.value(), swarmId);
        Optional<JsonNode> spec = state.isPresent() ? store.getDocument(tenant.value(), swarmId, SwarmRuntime.SPEC)
                : Optional.empty();
        List<ObjectNode> items = new ArrayList<>();
        if (spec.isEmpty()) {
            return new Tasks(items, new CriticalPath(0, List.of()), null, null);
        }
        JsonNode taskStates = state.get().state().path("tasks");
        long now = clock.millis();
        List<String> keys = new ArrayList<>();
        Map<String, List<String>> deps = new HashMap<>();
        JsonNode swarmSpec = spec.get().path("swarm");
        // a planned swarm's tasks are the planner's (plan.tasks), as the scheduler reads them
        JsonNode specTasks = swarmSpec.hasNonNull("tasks") ? swarmSpec.get("tasks") : spec.get().path("plan").path("tasks");
        for (JsonNode t : specTasks) {
            String key = t.path("key").asText();
            JsonNode st = taskStates.path(key);
            ObjectNode item = Json.MAPPER.createObjectNode().put("key", key)
                    .put("title", t.path("title").asText(key)).put("agentId", t.path("agentId").asText());
            List<String> d = new ArrayList<>();
            t.path("dependencies").forEach(x -> d.add(x.asText()));
            d.forEach(item.putArray("dependencies")::add);
            keys.add(key);
            deps.put(key, d);
            item.put("status", st.path("status").asText(TaskStatus.PENDING.wire()));
            if (st.has("attempt")) {
                item.put("attempts", st.get("attempt").asInt());
            }
            if (st.has("startedAt")) {
                long started = st.get("startedAt").asLong();
                item.put("startedMs", started);
                item.put("startedAt", Instant.ofEpochMilli(started).toString());
            }
            if (st.has("endedAt")) {
                long ended = st.get("endedAt").asLong();
                item.put("endedMs", ended);
                item.put("endedAt", Instant.ofEpochMilli(ended).toString());
            }
            if (st.has("startedAt")) {
                item.put("durationMs", st.path("endedAt").asLong(now) - st.get("startedAt").asLong());
            }
            if (st.has("turns")) {
                item.put("turns", st.get("turns").asInt());
            }
            if (st.has("tokens")) {
                item.put("tokens", st.get("tokens").asLong());
            }
            if (st.has("costMicroUsd")) {
                item.put("costMicroUsd", st.get("costMicroUsd").asLong());
                item.put("costUsd", BigDecimal.valueOf(st.get("costMicroUsd").asLong(), 6));
            }
            if (st.hasNonNull("result")) {
                item.put("result", st.get("result").asText());
            }
            if (TaskStatus.COMPLETED.wire().equals(item.path("status").asText())) {
                item.put("resultUri", store.uri(tenant.value(), swarmId, "tasks/" + key + "/result.json"));
            }
            if (st.hasNonNull("error")) {
                item.put("error", st.get("error").asText());
            }
            if (st.hasNonNull("reason")) {
                item.put("reason", st.get("reason").asText());
            }
            items.add(item);
        }
        Dag dag = Dag.of(keys, deps);
        long[] durations = new long[dag.size()];
        for (int i = 0; i < durations.length; i++) {
            durations[i] = items.get(i).path("durationMs").asLong(0);
        }
        JsonNode s = state.get().state();
        return new Tasks(items, CriticalPath.of(dag, durations),
                s.has("startedAt") ? Instant.ofEpochMilli(s.get("startedAt").asLong()) : null,
                s.has("endedAt") ? Instant.ofEpochMilli(s.get("endedAt").asLong()) : null);
    }

    /** Swarms of the tenant (one page), optionally in one status and of one project. */
    public Page<ObjectNode> list(Principal caller, String status, String projectId,
                                 Optional<Map<String, String>> cursor, int limit) {
        if (status != null && !Swarm.STATUSES.contains(status)) {
            throw ApiError.invalidField("status", "must be one of " + new java.util.TreeSet<>(Swarm.STATUSES));
        }
        Page<Stored<Swarm>> page = swarms.list(caller.tenant(), COLLECTION, cursor, limit);
        List<ObjectNode> items = new ArrayList<>();
        for (Stored<Swarm> swarm : page.items()) {
            if (projectId != null && !projectId.equals(swarm.doc().projectId())) {
                continue;
            }
            Stored<Swarm> fresh = refresh(caller.tenant(), swarm);
            if (status == null || status.equals(fresh.doc().status())) {
                ObjectNode json = fresh.toJson();
                json.remove("executionArn");
                items.add(json);
            }
        }
        return new Page<>(items, page.next());
    }

    /** Stops the execution (its running agent steps are stopped with it) and marks the tasks; 409 when finished. */
    public ObjectNode cancel(Principal caller, String swarmId) {
        Stored<Swarm> swarm = get(caller, swarmId);
        if (swarm.doc().finished()) {
            throw ApiError.conflict("Swarm " + swarmId + " has finished (" + swarm.doc().status() + ")");
        }
        engine.stop(swarm.doc().executionArn(), "SWARM_CANCELLED", "cancelled by " + by(caller));
        Optional<PipelineEngine.Execution> after = engine.describe(swarm.doc().executionArn());
        if (after.isPresent() && !after.get().status().equals("ABORTED") && !after.get().status().equals("RUNNING")) {
            // it ended by itself before the stop arrived
            Stored<Swarm> ended = refresh(caller.tenant(), swarm);
            throw ApiError.conflict("Swarm " + swarmId + " has finished (" + ended.doc().status() + ")");
        }
        finishState(caller.tenant(), swarmId, "cancelled");
        swarms.update(caller.tenant(), COLLECTION, swarmId, OptionalLong.empty(),
                current -> current.with("CANCELLED", "SWARM_CANCELLED", "cancelled by " + by(caller)));
        return view(caller, swarmId);
    }

    private Stored<Swarm> refresh(TenantId tenant, Stored<Swarm> swarm) {
        if (swarm.doc().finished() || swarm.doc().executionArn() == null) {
            return swarm;
        }
        Optional<PipelineEngine.Execution> execution = engine.describe(swarm.doc().executionArn());
        if (execution.isEmpty() || execution.get().status().equals("RUNNING")) {
            return swarm;
        }
        PipelineEngine.Execution e = execution.get();
        String status = e.status().equals("ABORTED") ? "CANCELLED" : e.status();
        // stopped from outside, or failed before its Finish state: the tasks still marked running end here
        finishState(tenant, swarm.id(), status.equals("CANCELLED") ? "cancelled"
                : status.toLowerCase(java.util.Locale.ROOT));
        String cause = e.cause() == null ? null : e.cause().length() > 2000 ? e.cause().substring(0, 2000) : e.cause();
        try {
            return swarms.update(tenant, COLLECTION, swarm.id(), OptionalLong.empty(),
                    current -> current.finished() ? current : current.with(status, e.error(), cause));
        } catch (ApiError conflict) {
            return swarms.get(tenant, COLLECTION, swarm.id());
        }
    }

    /** The scheduler's {@code finish} for an execution that ended without its own (idempotent; once per swarm). */
    private void finishState(TenantId tenant, String swarmId, String reason) {
        Optional<SwarmStore.Versioned> state = store.load(tenant.value(), swarmId);
        if (state.isPresent() && !state.get().state().has("endedAt")) {
            runtime.finish(tenant.value(), swarmId, reason);
        }
    }

    /** The caller's tenant's agents by id and by name (the first 1000). */
    private AgentDirectory directory(Principal caller) {
        return agents.directory(caller);
    }

    private static String by(Principal caller) {
        return caller.userId() != null ? caller.userId() : caller.keyId();
    }
}
