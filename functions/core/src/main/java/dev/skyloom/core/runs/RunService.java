package dev.skyloom.core.runs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.core.api.ApiError;
import dev.skyloom.core.api.Json;
import dev.skyloom.core.api.Page;
import dev.skyloom.core.identity.Principal;
import dev.skyloom.core.identity.TenantId;
import dev.skyloom.core.resources.Check;
import dev.skyloom.core.resources.Documents;
import dev.skyloom.core.resources.Pipeline;
import dev.skyloom.core.resources.PipelineService;
import dev.skyloom.core.resources.Stored;
import dev.skyloom.core.usage.LlmCallStore;
import dev.skyloom.core.usage.UsageGroup;
import java.math.BigDecimal;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * Runs of deployed pipelines: start one on the pipeline's latest published version, read it (status from the
 * execution, steps and timings from its history, outputs from its variables, tokens and cost from the LLM call
 * log), list, cancel, retry (a resumed execution: docs/pipelines.md "Retrying a failed run") and decide approvals
 * (the task token is read from the execution history, never from what followers see).
 */
public final class RunService {
    static final String COLLECTION = "RUN";
    private static final Pattern STEP_STATE = Pattern.compile("[a-z][a-z0-9_-]{0,31}");
    private final Documents<Run> runs;
    private final PipelineService pipelines;
    private final PipelineDeployments deployments;
    private final PipelineEngine engine;
    private final LlmCallStore calls;
    private final RunEvents events;

    /** Where the API's own run events go ({@code RUN_CREATED}, {@code RUN_CANCELLED}, {@code APPROVAL_DECIDED}). */
    public interface RunEvents {
        void emit(String type, String eventId, ObjectNode detail);
    }

    /** The body of {@code POST /pipelines/{id}/runs}. */
    public record StartInput(JsonNode input, String projectId, String scenario, Map<String, String> scenarios) {
    }

    /** The body of {@code POST /runs/{id}/approvals/{stepId}}. */
    public record Decision(String decision, String comment) {
    }

    public RunService(dev.skyloom.core.store.DocumentStore store, Clock clock, PipelineService pipelines,
                      PipelineDeployments deployments, PipelineEngine engine, LlmCallStore calls, RunEvents events) {
        this.runs = new Documents<>(store, clock, "Run", Run.class);
        this.pipelines = pipelines;
        this.deployments = deployments;
        this.engine = engine;
        this.calls = calls;
        this.events = events;
    }

    public Stored<Run> start(Principal caller, String pipelineId, StartInput in) {
        StartInput body = in == null ? new StartInput(null, null, null, null) : in;
        Check check = new Check();
        if (body.input() != null && !body.input().isObject()) {
            check.problem("input", "must be an object: the run's input, {{run.input.*}} in templates");
        }
        if (body.projectId() != null && !Pattern.matches("[A-Za-z0-9_-]{1,64}", body.projectId())) {
            check.problem("projectId", "must be a project id");
        }
        if (body.scenario() != null && !Pattern.matches("[A-Za-z0-9_.-]{1,64}", body.scenario())) {
            check.problem("scenario", "must be a scenario name: 1-64 of A-Z, a-z, 0-9, '_', '.', '-'");
        }
        check.orThrow();
        if (Json.write(body.input() == null ? Json.MAPPER.createObjectNode() : body.input()).length() > 128 * 1024) {
            throw ApiError.invalidField("input", "must be at most 128 KB as JSON; put large inputs in the workspace");
        }
        Stored<Pipeline> head = pipelines.get(caller, pipelineId);
        long version = head.doc().latestVersion();
        PipelineDeployments.Deployment deployment = deployments.find(caller.tenant(), pipelineId, version)
                .orElseThrow(() -> ApiError.conflict("Pipeline " + pipelineId + " version " + version
                        + " is not deployed; PUT /pipelines/" + pipelineId + " deploys it"));
        String runId = Documents.newId("run_");
        Run run = new Run(pipelineId, version, body.projectId(),
                body.input() == null ? Json.MAPPER.createObjectNode() : body.input(), body.scenario(),
                body.scenarios() == null ? null : Json.tree(body.scenarios()), "QUEUED", List.of(), by(caller), null,
                null);
        runs.create(caller.tenant(), COLLECTION, runId, run);
        ObjectNode created = detail(caller.tenant(), runId, run);
        created.put("pipelineVersion", version);
        emit("RUN_CREATED", runId + ":created", created);
        String arn = engine.start(deployment.versionArn(), runId, executionInput(caller.tenant(), runId, run)
                .toString());
        return runs.update(caller.tenant(), COLLECTION, runId, OptionalLong.empty(),
                current -> current.with("RUNNING", List.of(arn), null, null));
    }

    /** The run, its status refreshed from its execution. */
    public Stored<Run> get(Principal caller, String runId) {
        return refresh(caller.tenant(), runs.get(caller.tenant(), COLLECTION, runId));
    }

    /** The run, its status refreshed from its execution; empty when the caller's tenant has no such run. */
    public Optional<Stored<Run>> find(Principal caller, String runId) {
        return runs.find(caller.tenant(), COLLECTION, runId).map(stored -> refresh(caller.tenant(), stored));
    }

    /** The pipeline approvals waiting in the run's current execution, by step id (tokens included: never shown). */
    Map<String, WaitingStep> waitingSteps(Run run) {
        if (!run.status().equals("RUNNING") || run.currentExecution() == null) {
            return Map.of();
        }
        return waitingSteps(engine.history(run.currentExecution()));
    }

    /** The run as {@code GET /runs/{id}} shows it. */
    public ObjectNode view(Principal caller, String runId) {
        Stored<Run> stored = get(caller, runId);
        ObjectNode json = summary(stored);
        Map<String, ObjectNode> steps = new LinkedHashMap<>();
        JsonNode variables = Json.MAPPER.createObjectNode();
        List<String> waiting = new ArrayList<>();
        for (String arn : stored.doc().executions()) {
            boolean current = arn.equals(stored.doc().currentExecution());
            List<PipelineEngine.HistoryEvent> history = engine.history(arn);
            steps(history, steps, current ? stored.doc().status() : "FAILED");
            JsonNode latest = latestVariables(history).path("steps");
            if (latest.isObject()) {
                variables = latest;
            }
            if (current && stored.doc().status().equals("RUNNING")) {
                waitingApprovals(history).forEach((step, token) -> waiting.add(step));
            }
        }
        ArrayNode stepList = json.putArray("steps");
        for (Map.Entry<String, ObjectNode> step : steps.entrySet()) {
            JsonNode result = variables.path(step.getKey());
            if (result.has("result") && !result.path("result").isNull()) {
                step.getValue().set("result", result.get("result"));
            }
            if (waiting.contains(step.getKey())) {
                step.getValue().put("status", "WAITING_APPROVAL");
            }
            stepList.add(step.getValue());
        }
        ArrayNode approvals = json.putArray("waitingApprovals");
        waiting.forEach(approvals::add);
        ObjectNode outputs = json.putObject("outputs");
        variables.properties().forEach(e -> outputs.set(e.getKey(), e.getValue().path("output").isMissingNode()
                ? null : e.getValue().get("output")));
        UsageGroup usage = calls.runUsage(caller.tenant(), runId, null);
        ObjectNode usageJson = json.putObject("usage");
        usageJson.put("calls", usage.calls());
        usageJson.put("inputTokens", usage.inputTokens());
        usageJson.put("outputTokens", usage.outputTokens());
        usageJson.put("costUsd", BigDecimal.valueOf(usage.costMicroUsd(), 6));
        return json;
    }

    /** Runs of the tenant (one page of the run collection), optionally of one pipeline and in one status. */
    public Page<ObjectNode> list(Principal caller, String pipelineId, String status,
                                 Optional<Map<String, String>> cursor, int limit) {
        if (status != null && !Run.STATUSES.contains(status)) {
            throw ApiError.invalidField("status", "must be one of " + new java.util.TreeSet<>(Run.STATUSES));
        }
        Page<Stored<Run>> page = runs.list(caller.tenant(), COLLECTION, cursor, limit);
        List<ObjectNode> items = new ArrayList<>();
        for (Stored<Run> run : page.items()) {
            if (pipelineId != null && !pipelineId.equals(run.doc().pipelineId())) {
                continue;
            }
            Stored<Run> fresh = refresh(caller.tenant(), run);
            if (status == null || status.equals(fresh.doc().status())) {
                items.add(summary(fresh));
            }
        }
        return new Page<>(items, page.next());
    }

    public ObjectNode cancel(Principal caller, String runId) {
        Stored<Run> run = get(caller, runId);
        if (run.doc().finished()) {
            throw ApiError.conflict("Run " + runId + " has finished (" + run.doc().status() + ")");
        }
        if (run.doc().currentExecution() != null) {
            engine.stop(run.doc().currentExecution(), "RUN_CANCELLED", "cancelled by " + by(caller));
        }
        runs.update(caller.tenant(), COLLECTION, runId, OptionalLong.empty(),
                current -> current.with("CANCELLED", current.executions(), "RUN_CANCELLED",
                        "cancelled by " + by(caller)));
        ObjectNode detail = detail(caller.tenant(), runId, run.doc());
        detail.put("by", by(caller));
        emit("RUN_CANCELLED", runId + ":cancelled", detail);
        return view(caller, runId);
    }

    /**
     * Resumes a failed run at the step that failed: a new execution {@code <runId>-r<n>} of the same version with
     * {@code resume: {from, variables}} from the failed execution's history, so completed steps are not re-run.
     */
    public ObjectNode retry(Principal caller, String runId) {
        Stored<Run> run = get(caller, runId);
        if (!run.doc().status().equals("FAILED") && !run.doc().status().equals("TIMED_OUT")) {
            throw ApiError.conflict("Run " + runId + " is " + run.doc().status() + "; only a failed run is retried");
        }
        List<PipelineEngine.HistoryEvent> history = engine.history(run.doc().currentExecution());
        ObjectNode variables = latestVariables(history);
        JsonNode failure = failure(history, variables);
        String from = failure.path("stepId").asText(null);
        if (from == null || !STEP_STATE.matcher(from).matches()) {
            throw ApiError.conflict("Run " + runId + " cannot be resumed: its failed step is not known");
        }
        ObjectNode saved = Json.MAPPER.createObjectNode();
        for (String name : List.of("steps", "attempts", "feedback", "human")) {
            saved.set(name, variables.has(name) ? variables.get(name) : Json.MAPPER.createObjectNode());
        }
        if ("RETRIES_EXHAUSTED".equals(failure.path("error").asText()) && saved.get("attempts").isObject()) {
            ((ObjectNode) saved.get("attempts")).put(from, 0);
        }
        PipelineDeployments.Deployment deployment = deployments.find(caller.tenant(), run.doc().pipelineId(),
                run.doc().pipelineVersion()).orElseThrow(() -> ApiError.conflict("Pipeline "
                + run.doc().pipelineId() + " version " + run.doc().pipelineVersion() + " is no longer deployed"));
        ObjectNode input = executionInput(caller.tenant(), runId, run.doc());
        input.putObject("resume").put("from", from).set("variables", saved);
        int attempt = run.doc().executions().size();
        String arn = engine.start(deployment.versionArn(), runId + "-r" + attempt, input.toString());
        runs.update(caller.tenant(), COLLECTION, runId, OptionalLong.empty(), current -> {
            List<String> executions = new ArrayList<>(current.executions());
            if (!executions.contains(arn)) {
                executions.add(arn);
            }
            return current.with("RUNNING", executions, null, null);
        });
        return view(caller, runId);
    }

    /** Answers the approval step {@code stepId} waits for; a 409 when none waits. */
    public ObjectNode decide(Principal caller, String runId, String stepId, Decision decision) {
        Stored<Run> run = get(caller, runId);
        Check check = new Check().required("decision", decision == null ? null : decision.decision());
        if (decision != null && decision.decision() != null && !decision.decision().equals("approve")
                && !decision.decision().equals("reject")) {
            check.problem("decision", "must be approve or reject");
        }
        if (decision != null && decision.comment() != null && decision.comment().length() > 10_000) {
            check.problem("comment", "must be at most 10000 characters");
        }
        check.orThrow();
        String token = run.doc().status().equals("RUNNING") && run.doc().currentExecution() != null
                ? waitingApprovals(engine.history(run.doc().currentExecution())).get(stepId) : null;
        if (token == null) {
            throw ApiError.conflict("No approval waits for step "
                    + stepId.substring(0, Math.min(stepId.length(), 64)) + " of run " + runId);
        }
        ObjectNode output = Json.MAPPER.createObjectNode().put("decision", decision.decision())
                .put("comment", decision.comment() == null ? "" : decision.comment()).put("by", by(caller));
        if (!engine.sendTaskSuccess(token, output.toString())) {
            throw ApiError.conflict("The approval of step " + stepId + " of run " + runId + " is no longer waiting");
        }
        ObjectNode detail = detail(caller.tenant(), runId, run.doc());
        detail.put("kind", "step").put("stepId", stepId).put("decision", decision.decision())
                .put("comment", output.path("comment").asText()).put("by", by(caller));
        emit("APPROVAL_DECIDED", runId + ":" + stepId + ":" + token.hashCode(), detail);
        return view(caller, runId);
    }

    private Stored<Run> refresh(TenantId tenant, Stored<Run> stored) {
        Run run = stored.doc();
        if (run.finished() || run.currentExecution() == null) {
            return stored;
        }
        Optional<PipelineEngine.Execution> execution = engine.describe(run.currentExecution());
        if (execution.isEmpty()) {
            return stored;
        }
        String status = switch (execution.get().status()) {
            case "ABORTED" -> "CANCELLED";
            case "PENDING_REDRIVE" -> "FAILED";
            default -> execution.get().status();
        };
        if (status.equals(run.status())) {
            return stored;
        }
        try {
            return runs.update(tenant, COLLECTION, stored.id(), OptionalLong.empty(), current -> current.finished()
                    ? current : current.with(status, current.executions(), execution.get().error(),
                    execution.get().cause()));
        } catch (ApiError e) {
            return runs.get(tenant, COLLECTION, stored.id());
        }
    }

    private static ObjectNode summary(Stored<Run> stored) {
        Run run = stored.doc();
        ObjectNode json = Json.MAPPER.createObjectNode();
        json.put("id", stored.id());
        json.put("pipelineId", run.pipelineId());
        json.put("pipelineVersion", run.pipelineVersion());
        if (run.projectId() != null) {
            json.put("projectId", run.projectId());
        }
        json.put("status", run.status());
        json.set("input", run.input());
        json.put("attempts", Math.max(1, run.executions().size()));
        if (run.createdBy() != null) {
            json.put("createdBy", run.createdBy());
        }
        if (run.error() != null) {
            json.put("error", run.error());
        }
        if (run.cause() != null) {
            json.put("cause", run.cause());
        }
        json.put("version", stored.version());
        json.put("createdAt", stored.createdAt().toString());
        json.put("updatedAt", stored.updatedAt().toString());
        return json;
    }

    /** Steps (top-level and branch states named like step ids) with status, attempts and timings. */
    static void steps(List<PipelineEngine.HistoryEvent> history, Map<String, ObjectNode> steps,
                              String executionStatus) {
        String open = null;
        boolean failed = false;
        for (PipelineEngine.HistoryEvent event : history) {
            String name = event.stateName();
            String type = event.type();
            if (name == null) {
                if (type.endsWith("Scheduled")) {
                    failed = false;
                } else if (!type.startsWith("Execution") && (type.endsWith("Failed") || type.endsWith("TimedOut")
                        || type.endsWith("Aborted"))) {
                    failed = true;
                }
                continue;
            }
            if (!STEP_STATE.matcher(name).matches()) {
                continue;
            }
            if (type.endsWith("StateEntered")) {
                ObjectNode step = Json.MAPPER.createObjectNode().put("id", name).put("status", "RUNNING");
                ObjectNode before = steps.get(name);
                step.put("runs", before == null ? 1 : before.path("runs").asInt() + 1);
                step.put("startedAt", event.time().toString());
                steps.remove(name);
                steps.put(name, step);
                open = name;
                failed = false;
            } else if (type.endsWith("StateExited") && steps.containsKey(name)) {
                ObjectNode step = steps.get(name);
                // a caught failure exits the state too: the task's last outcome tells
                step.put("status", failed && name.equals(open) ? "FAILED" : "SUCCEEDED")
                        .put("finishedAt", event.time().toString());
                step.put("durationMs", event.time().toEpochMilli()
                        - java.time.Instant.parse(step.path("startedAt").asText()).toEpochMilli());
                failed = false;
            }
        }
        if (!executionStatus.equals("RUNNING")) {
            String ended = switch (executionStatus) {
                case "CANCELLED" -> "CANCELLED";
                case "TIMED_OUT" -> "TIMED_OUT";
                default -> "FAILED";
            };
            steps.values().stream().filter(s -> s.path("status").asText().equals("RUNNING"))
                    .forEach(s -> s.put("status", ended));
        }
    }

    /** The last value of every variable the execution assigned (name → value). */
    static ObjectNode latestVariables(List<PipelineEngine.HistoryEvent> history) {
        ObjectNode variables = Json.MAPPER.createObjectNode();
        for (PipelineEngine.HistoryEvent event : history) {
            event.assignedVariables().forEach((name, value) -> {
                try {
                    variables.set(name, Json.MAPPER.readTree(value));
                } catch (JsonProcessingException e) {
                    variables.put(name, value);
                }
            });
        }
        return variables;
    }

    /** The failure the machine reported ({@code RUN_FAILED}'s detail), else the {@code $failure} variable. */
    private static JsonNode failure(List<PipelineEngine.HistoryEvent> history, ObjectNode variables) {
        JsonNode found = variables.path("failure");
        for (PipelineEngine.HistoryEvent event : history) {
            JsonNode entry = putEventsEntry(event);
            if (entry != null && "RUN_FAILED".equals(entry.path("DetailType").asText())) {
                found = detailOf(entry);
            }
        }
        return found;
    }

    /** The approvals waiting at the end of this history: step id → task token. */
    static Map<String, String> waitingApprovals(List<PipelineEngine.HistoryEvent> history) {
        Map<String, String> waiting = new LinkedHashMap<>();
        waitingSteps(history).forEach((step, w) -> waiting.put(step, w.token()));
        return waiting;
    }

    /**
     * An approval step waiting at the end of a history.
     *
     * @param detail      its {@code APPROVAL_REQUIRED} detail as scheduled (it holds the token: never shown)
     * @param requestedAt when the task was scheduled
     */
    record WaitingStep(String token, JsonNode detail, java.time.Instant requestedAt) {
    }

    /** The approval steps waiting at the end of this history, by step id. */
    static Map<String, WaitingStep> waitingSteps(List<PipelineEngine.HistoryEvent> history) {
        Map<String, WaitingStep> waiting = new LinkedHashMap<>();
        for (PipelineEngine.HistoryEvent event : history) {
            JsonNode entry = putEventsEntry(event);
            if (entry != null && "APPROVAL_REQUIRED".equals(entry.path("DetailType").asText())) {
                JsonNode detail = detailOf(entry);
                if (detail.path("stepId").isTextual() && detail.path("taskToken").isTextual()) {
                    waiting.put(detail.path("stepId").asText(), new WaitingStep(detail.path("taskToken").asText(),
                            detail, event.time()));
                }
            } else if (event.stateName() != null && event.type().endsWith("StateExited")) {
                waiting.remove(event.stateName());
            } else if (event.type().startsWith("Execution") && !event.type().equals("ExecutionStarted")) {
                waiting.clear();
            }
        }
        return waiting;
    }

    static JsonNode putEventsEntry(PipelineEngine.HistoryEvent event) {
        if (!event.type().equals("TaskScheduled") || event.parameters() == null) {
            return null;
        }
        try {
            JsonNode parameters = Json.MAPPER.readTree(event.parameters());
            JsonNode entry = parameters.path("Entries").path(0);
            return entry.isObject() ? entry : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    static JsonNode detailOf(JsonNode entry) {
        JsonNode detail = entry.path("Detail");
        if (detail.isTextual()) {
            try {
                return Json.MAPPER.readTree(detail.asText());
            } catch (JsonProcessingException e) {
                return Json.MAPPER.createObjectNode();
            }
        }
        return detail;
    }

    private static ObjectNode executionInput(TenantId tenant, String runId, Run run) {
        ObjectNode input = Json.MAPPER.createObjectNode().put("tenantId", tenant.value()).put("runId", runId);
        if (run.projectId() != null) {
            input.put("projectId", run.projectId());
        }
        input.set("input", run.input());
        if (run.scenario() != null) {
            input.put("scenario", run.scenario());
        }
        if (run.scenarios() != null && run.scenarios().isObject()) {
            input.set("scenarios", run.scenarios());
        }
        return input;
    }

    private static ObjectNode detail(TenantId tenant, String runId, Run run) {
        return Json.MAPPER.createObjectNode().put("tenantId", tenant.value()).put("runId", runId)
                .put("pipelineId", run.pipelineId());
    }

    private void emit(String type, String eventId, ObjectNode detail) {
        detail.put("eventId", eventId.length() > 64 ? eventId.substring(0, 64) : eventId);
        try {
            events.emit(type, eventId, detail);
        } catch (RuntimeException e) {
            System.err.println("run event " + type + " of " + detail.path("runId").asText() + " not put: " + e);
        }
    }

    private static String by(Principal caller) {
        return caller.userId() != null ? caller.userId() : caller.keyId();
    }
}
