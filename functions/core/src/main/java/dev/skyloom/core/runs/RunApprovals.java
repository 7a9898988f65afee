package dev.skyloom.core.runs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.skyloom.core.api.ApiError;
import dev.skyloom.core.api.Json;
import dev.skyloom.core.events.EventStore;
import dev.skyloom.core.events.EventStream;
import dev.skyloom.core.events.StoredEvent;
import dev.skyloom.core.identity.Principal;
import dev.skyloom.core.resources.Check;
import dev.skyloom.core.resources.Project;
import dev.skyloom.core.resources.ProjectService;
import dev.skyloom.core.resources.Stored;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The approvals of a run, both kinds, and deciding an agent step's tool approval (decision 0502).
 *
 * <p>A <b>step approval</b> is a pipeline's {@code approval} step waiting in the run's current execution (decided
 * with {@link RunService#decide}). A <b>tool approval</b> is an agent step's dangerous tool call waiting in
 * agent-step's {@code AwaitApproval} state. The run's events say which agent-step executions asked for one
 * ({@code TOOL_APPROVAL_REQUIRED}'s {@code executionId}); each such execution's history is the truth about it: the
 * pending call, the task token (the scheduled {@code AwaitApproval} parameters), and whether it still waits. Its id is
 * the call key with dots ({@code <execution hash>.<turn>.<index>}), unique in the tenant and never a step id. A run is
 * a pipeline run (a {@code RUN} item) or a standalone agent-step execution known by its events, always in the
 * caller's tenant; neither is a 404. Tokens are never shown; tool inputs are shown with secrets redacted.
 */
public final class RunApprovals {
    static final String TOOL_APPROVAL_REQUIRED = "TOOL_APPROVAL_REQUIRED";
    /** agent-step's {@code AwaitApproval} {@code TimeoutSeconds}: no decision in this time is a rejection. */
    static final Duration TOOL_APPROVAL_TIMEOUT = Duration.ofHours(24);
    static final Pattern TOOL_APPROVAL_ID = Pattern.compile("[0-9a-f]{16}\\.[0-9]{1,6}\\.[0-9]{1,4}");
    static final String REDACTED = "<redacted>";
    private static final Pattern SECRET_NAME = Pattern.compile("(?i).*(authorization|cookie|password|passwd|"
            + "passphrase|secret|token|api[-_]?key|apikey|private[-_]?key|credential|signature|session).*");
    private static final Pattern SECRET_VALUE = Pattern.compile("(?i)(bearer|basic|token)\\s+\\S{8,}|sky_\\S{8,}|"
            + "(AKIA|ASIA)[A-Z0-9]{16}|-----BEGIN [A-Z ]*PRIVATE KEY-----.*|eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]+\\."
            + "[A-Za-z0-9_-]*", Pattern.DOTALL);
    private static final Pattern URL_USERINFO = Pattern.compile("(?i)(https?://)[^/@\\s]+@");
    private static final Pattern URL_SECRET_PARAM = Pattern.compile("(?i)([?&][^=&#]*(?:token|key|secret|password|"
            + "signature|sig|auth)[^=&#]*=)[^&#]*");

    private final RunService runs;
    private final EventStore events;
    private final PipelineEngine engine;
    private final ProjectService projects;
    private final Clock clock;
    private final RunService.RunEvents emitter;

    /** The body of {@code POST /runs/{id}/tool-approvals/{approvalId}}. */
    public record ToolDecision(String decision, String comment) {
    }

    /**
     * A tool approval as its execution's history tells it.
     *
     * @param state WAITING, DECIDED (the task succeeded), EXPIRED (it timed out) or ENDED (the step or run ended)
     */
    record ToolApproval(String id, String executionArn, String tenantId, String runId, String stepId, String agentId,
                        String callKey, String tool, JsonNode input, Instant requestedAt, Instant expiresAt,
                        String state, String token) {
        ToolApproval with(String newState) {
            return new ToolApproval(id, executionArn, tenantId, runId, stepId, agentId, callKey, tool, input,
                    requestedAt, expiresAt, newState, token);
        }
    }

    public RunApprovals(RunService runs, EventStore events, PipelineEngine engine, ProjectService projects,
                        Clock clock, RunService.RunEvents emitter) {
        this.runs = runs;
        this.events = events;
        this.engine = engine;
        this.projects = projects;
        this.clock = clock;
        this.emitter = emitter;
    }

    /** What one run is: its {@code RUN} item when it is a pipeline run, and its agent-step executions' approvals. */
    private record Known(Optional<Stored<Run>> run, Map<String, ToolApproval> tools) {
    }

    /** The approvals waiting in the run: {@code {"items": [...]}}, step approvals first. */
    public ObjectNode pending(Principal caller, String runId) {
        Known known = known(caller, runId, Project.Role.VIEWER, "read its approvals");
        ObjectNode json = Json.MAPPER.createObjectNode();
        ArrayNode items = json.putArray("items");
        known.run().ifPresent(run -> runs.waitingSteps(run.doc()).forEach((stepId, waiting) -> {
            ObjectNode item = items.addObject().put("id", stepId).put("kind", "step").put("runId", runId)
                    .put("stepId", stepId).put("status", "WAITING");
            JsonNode detail = waiting.detail();
            if (detail.path("message").isTextual()) {
                item.put("message", detail.path("message").asText());
            }
            if (detail.path("escalateTo").isTextual()) {
                item.put("escalateTo", detail.path("escalateTo").asText());
            }
            item.put("requestedAt", waiting.requestedAt().toString());
            if (detail.path("timeoutSeconds").canConvertToLong()) {
                item.put("expiresAt", waiting.requestedAt().plusSeconds(detail.path("timeoutSeconds").asLong())
                        .toString());
            }
            item.put("decide", "/api/v1/runs/" + runId + "/approvals/" + stepId);
        }));
        Instant now = clock.instant();
        known.tools().values().stream().filter(a -> a.state().equals("WAITING") && now.isBefore(a.expiresAt()))
                .forEach(a -> items.add(toolJson(a)));
        return json;
    }

    /**
     * Decides a waiting tool approval: {@code SendTaskSuccess} with {@code {callKey, decision, comment, by}} (what
     * {@code AwaitApproval} hands to the next turn), then {@code APPROVAL_DECIDED} ({@code kind: tool}).
     */
    public ObjectNode decideTool(Principal caller, String runId, String approvalId, ToolDecision body) {
        Check check = new Check().required("decision", body == null ? null : body.decision());
        if (body != null && body.decision() != null && !body.decision().equals("approve")
                && !body.decision().equals("reject")) {
            check.problem("decision", "must be approve or reject");
        }
        if (body != null && body.comment() != null && body.comment().length() > 10_000) {
            check.problem("comment", "must be at most 10000 characters");
        }
        Known known = known(caller, runId, Project.Role.EDITOR, "decide its approvals");
        check.orThrow();
        ToolApproval approval = TOOL_APPROVAL_ID.matcher(approvalId).matches() ? known.tools().get(approvalId) : null;
        if (approval == null) {
            throw ApiError.notFound("Tool approval " + abbreviate(approvalId) + " of run " + runId);
        }
        if (approval.state().equals("DECIDED")) {
            throw ApiError.conflict("Tool approval " + approvalId + " of run " + runId + " has been decided already");
        }
        if (approval.state().equals("EXPIRED") || !clock.instant().isBefore(approval.expiresAt())) {
            throw ApiError.conflict("Tool approval " + approvalId + " of run " + runId + " expired at "
                    + approval.expiresAt() + " (no decision within 24 hours is a rejection)");
        }
        if (!approval.state().equals("WAITING")) {
            throw ApiError.conflict("Tool approval " + approvalId + " of run " + runId + " no longer waits: its step "
                    + "has ended");
        }
        String by = caller.userId() != null ? caller.userId() : caller.keyId();
        String comment = body.comment() == null ? "" : body.comment();
        ObjectNode output = Json.MAPPER.createObjectNode().put("callKey", approval.callKey())
                .put("decision", body.decision()).put("comment", comment).put("by", by);
        if (!engine.sendTaskSuccess(approval.token(), output.toString())) {
            throw ApiError.conflict("Tool approval " + approvalId + " of run " + runId + " no longer waits (decided, "
                    + "expired, or its step ended)");
        }
        Instant decidedAt = clock.instant();
        ObjectNode detail = Json.MAPPER.createObjectNode().put("tenantId", caller.tenant().value())
                .put("runId", runId);
        known.run().ifPresent(run -> detail.put("pipelineId", run.doc().pipelineId()));
        detail.put("kind", "tool").put("approvalId", approvalId).put("stepId", approval.stepId())
                .put("agentId", approval.agentId()).put("tool", approval.tool()).put("callKey", approval.callKey())
                .put("decision", body.decision()).put("comment", comment).put("by", by);
        String eventId = "approval:" + approvalId + ":decided";
        detail.put("eventId", eventId);
        try {
            emitter.emit("APPROVAL_DECIDED", eventId, detail);
        } catch (RuntimeException e) {
            System.err.println("run event APPROVAL_DECIDED of " + runId + " not put: " + e);
        }
        ObjectNode json = toolJson(approval.with("DECIDED"));
        json.put("status", body.decision().equals("approve") ? "APPROVED" : "REJECTED");
        json.put("decision", body.decision()).put("comment", comment).put("decidedBy", by)
                .put("decidedAt", decidedAt.toString());
        json.remove("decide");
        return json;
    }

    /**
     * The run in the caller's tenant (a pipeline run, or an agent-step execution known by its events), after the
     * project check; 404 when the tenant has neither.
     */
    private Known known(Principal caller, String runId, Project.Role needed, String action) {
        if (!EventStream.ID.matcher(runId).matches()) {
            throw ApiError.notFound("Run " + abbreviate(runId));
        }
        Optional<Stored<Run>> run = runs.find(caller, runId);
        EventStream stream = EventStream.run(caller.tenant(), runId);
        Set<String> executions = toolExecutions(stream, caller.tenant().value(), runId);
        if (run.isEmpty() && executions.isEmpty() && !events.exists(stream)) {
            throw ApiError.notFound("Run " + runId);
        }
        Map<String, ToolApproval> tools = new LinkedHashMap<>();
        Set<String> projectIds = new LinkedHashSet<>();
        run.map(r -> r.doc().projectId()).ifPresent(projectIds::add);
        for (String arn : executions) {
            List<ToolApproval> found = toolApprovals(engine.history(arn), arn, caller.tenant().value(), runId);
            found.forEach(a -> tools.putIfAbsent(a.id(), a));
            if (run.isEmpty() && !found.isEmpty() && caller.boundByProjectRoles()) {
                engine.describe(arn).map(e -> projectOf(e.input())).filter(p -> !p.isEmpty())
                        .ifPresent(projectIds::add);
            }
        }
        if (caller.boundByProjectRoles()) {
            projectIds.forEach(projectId -> projects.require(caller, projectId, needed, action));
        }
        return new Known(run, tools);
    }

    /** The agent-step executions that asked the run for a tool approval (from its events; the table keeps all). */
    private Set<String> toolExecutions(EventStream stream, String tenantId, String runId) {
        Set<String> executions = new LinkedHashSet<>();
        long after = 0;
        while (true) {
            List<StoredEvent> page = events.read(stream, after, 500);
            for (StoredEvent event : page) {
                JsonNode data = event.data();
                if (TOOL_APPROVAL_REQUIRED.equals(event.type()) && data != null
                        && tenantId.equals(data.path("tenantId").asText()) && runId.equals(data.path("runId").asText())
                        && data.path("executionId").asText().startsWith("arn:")) {
                    executions.add(data.path("executionId").asText());
                }
            }
            if (page.size() < 500) {
                return executions;
            }
            after = page.getLast().seq();
        }
    }

    /**
     * Every tool approval an agent-step execution asked for, in order, with its state at the end of the history.
     * Only requests of this tenant's run count (the detail names both), so an execution named by a stray event
     * cannot be decided through another run.
     */
    static List<ToolApproval> toolApprovals(List<PipelineEngine.HistoryEvent> history, String executionArn,
                                            String tenantId, String runId) {
        List<ToolApproval> found = new ArrayList<>();
        int open = -1;
        for (PipelineEngine.HistoryEvent event : history) {
            JsonNode entry = RunService.putEventsEntry(event);
            if (entry != null && TOOL_APPROVAL_REQUIRED.equals(entry.path("DetailType").asText())) {
                JsonNode detail = RunService.detailOf(entry);
                JsonNode pending = detail.path("pending");
                String callKey = pending.path("callKey").asText("");
                String id = callKey.replace('/', '.');
                open = -1;
                if (tenantId.equals(detail.path("tenantId").asText()) && runId.equals(detail.path("runId").asText())
                        && detail.path("taskToken").isTextual() && TOOL_APPROVAL_ID.matcher(id).matches()) {
                    found.add(new ToolApproval(id, executionArn, tenantId, runId, detail.path("stepId").asText(),
                            detail.path("agentId").asText(), callKey, pending.path("tool").asText(),
                            pending.path("input").isMissingNode() ? Json.MAPPER.createObjectNode()
                                    : pending.path("input"), event.time(),
                            event.time().plus(TOOL_APPROVAL_TIMEOUT), "WAITING", detail.path("taskToken").asText()));
                    open = found.size() - 1;
                }
                continue;
            }
            if (open < 0) {
                continue;
            }
            String type = event.type();
            String outcome = switch (type) {
                case "TaskSucceeded" -> "DECIDED";
                case "TaskTimedOut" -> "EXPIRED";
                case "TaskFailed", "TaskAborted" -> "ENDED";
                default -> type.startsWith("Execution") && !type.equals("ExecutionStarted")
                        || (event.stateName() != null && type.endsWith("StateExited")) ? "ENDED" : null;
            };
            if (outcome != null) {
                found.set(open, found.get(open).with(outcome));
                open = -1;
            }
        }
        return found;
    }

    private static ObjectNode toolJson(ToolApproval a) {
        ObjectNode item = Json.MAPPER.createObjectNode().put("id", a.id()).put("kind", "tool").put("runId", a.runId())
                .put("stepId", a.stepId()).put("status", a.state());
        if (!a.agentId().isEmpty()) {
            item.put("agentId", a.agentId());
        }
        item.put("tool", a.tool());
        item.set("input", redacted(a.input()));
        item.put("requestedAt", a.requestedAt().toString()).put("expiresAt", a.expiresAt().toString());
        item.put("decide", "/api/v1/runs/" + a.runId() + "/tool-approvals/" + a.id());
        return item;
    }

    /**
     * A tool's input as a person deciding sees it: the string values of secret-looking fields ({@code Authorization},
     * {@code password}, {@code apiKey}, {@code token}, ...) and secret-looking strings (bearer and basic credentials,
     * Skyloom keys, AWS access key ids, JWTs, private keys, a URL's user info and secret query parameters) are
     * replaced by {@value #REDACTED}, at any depth.
     */
    static JsonNode redacted(JsonNode input) {
        if (input instanceof ObjectNode object) {
            ObjectNode copy = Json.MAPPER.createObjectNode();
            object.properties().forEach(e -> copy.set(e.getKey(), SECRET_NAME.matcher(e.getKey()).matches()
                    && e.getValue().isTextual()
                    ? TextNode.valueOf(REDACTED) : redacted(e.getValue())));
            return copy;
        }
        if (input instanceof ArrayNode array) {
            ArrayNode copy = Json.MAPPER.createArrayNode();
            array.forEach(item -> copy.add(redacted(item)));
            return copy;
        }
        if (input != null && input.isTextual()) {
            String text = SECRET_VALUE.matcher(input.asText()).replaceAll(REDACTED);
            text = URL_USERINFO.matcher(text).replaceAll("$1" + REDACTED + "@");
            text = URL_SECRET_PARAM.matcher(text).replaceAll("$1" + REDACTED);
            return TextNode.valueOf(text);
        }
        return input;
    }

    private static String projectOf(String executionInput) {
        if (executionInput == null) {
            return "";
        }
        try {
            return Json.MAPPER.readTree(executionInput).path("projectId").asText("");
        } catch (JsonProcessingException e) {
            return "";
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 64 ? text : text.substring(0, 64) + "...";
    }
}
