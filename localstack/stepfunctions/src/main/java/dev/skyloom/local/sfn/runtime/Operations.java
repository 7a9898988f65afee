package dev.skyloom.local.sfn.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.local.sfn.asl.InvalidDefinitionException;
import dev.skyloom.local.sfn.expr.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The Step Functions API operations with AWS's request and response shapes (field names in lowerCamelCase, dates
 * as epoch milliseconds here and converted to epoch seconds on the wire). Errors are {@link ServiceException}s.
 */
public final class Operations {
    private static final long WAIT_MILLIS = 30_000;
    private final Runtime rt;

    public Operations(Runtime rt) {
        this.rt = rt;
    }

    // ------------------------------------------------------------------ state machines

    public ObjectNode createStateMachine(JsonNode req) {
        String name = text(req, "name", true);
        Runtime.checkName(name);
        String definition = text(req, "definition", true);
        String roleArn = text(req, "roleArn", true);
        checkRoleArn(roleArn);
        String type = req.path("type").asText("STANDARD");
        if (!type.equals("STANDARD") && !type.equals("EXPRESS")) {
            throw validation("Value '" + type + "' at 'type' failed to satisfy constraint: Member must satisfy enum "
                    + "value set: [STANDARD, EXPRESS]");
        }
        compile(definition);
        String arn = "arn:aws:states:" + rt.region + ":" + rt.accountId + ":stateMachine:" + name;
        boolean publish = req.path("publish").asBoolean(false);
        synchronized (rt.machineLock()) {
            StateMachineRecord existing = rt.machines.get(arn);
            if (existing != null) {
                if (existing.definition.equals(definition) && existing.roleArn.equals(roleArn)
                        && existing.type.equals(type)) {
                    ObjectNode out = Json.object().put("stateMachineArn", arn).put("creationDate",
                            existing.creationDate);
                    if (publish && !existing.versions.isEmpty()) {
                        out.put("stateMachineVersionArn", existing.versions.get(existing.versions.size() - 1).arn());
                    }
                    return out;
                }
                throw new ServiceException("StateMachineAlreadyExists", "State Machine Already Exists: '" + arn + "'");
            }
            StateMachineRecord r = new StateMachineRecord();
            r.arn = arn;
            r.name = name;
            r.type = type;
            r.roleArn = roleArn;
            r.definition = definition;
            r.revisionId = UUID.randomUUID().toString();
            r.creationDate = rt.now();
            r.updateDate = r.creationDate;
            r.loggingConfiguration = req.get("loggingConfiguration");
            r.tracingConfiguration = req.get("tracingConfiguration");
            r.encryptionConfiguration = req.get("encryptionConfiguration");
            for (JsonNode t : req.path("tags")) {
                r.tags.put(t.path("key").asText(), t.path("value").asText(""));
            }
            ObjectNode out = Json.object().put("stateMachineArn", arn).put("creationDate", r.creationDate);
            if (publish) {
                out.put("stateMachineVersionArn", publish(r, req.path("versionDescription").textValue()).arn());
            }
            rt.putMachine(r);
            return out;
        }
    }

    private StateMachineRecord.Version publish(StateMachineRecord r, String description) {
        if (!r.versions.isEmpty()) {
            StateMachineRecord.Version last = r.versions.get(r.versions.size() - 1);
            if (last.revisionId().equals(r.revisionId)) {
                return last;
            }
        }
        int n = r.nextVersion++;
        StateMachineRecord.Version v = new StateMachineRecord.Version(n, r.arn + ":" + n, r.definition, r.roleArn,
                r.revisionId, description, rt.now());
        r.versions.add(v);
        return v;
    }

    public ObjectNode describeStateMachine(JsonNode req) {
        Runtime.Target t = rt.resolve(text(req, "stateMachineArn", true));
        StateMachineRecord m = t.machine();
        ObjectNode out = Json.object();
        if (t.version() != null) {
            StateMachineRecord.Version v = t.version();
            out.put("stateMachineArn", v.arn()).put("name", m.name).put("status", "ACTIVE")
                    .put("definition", v.definition()).put("roleArn", v.roleArn()).put("type", m.type)
                    .put("creationDate", v.creationDate()).put("revisionId", v.revisionId());
            if (v.description() != null) {
                out.put("description", v.description());
            }
        } else {
            out.put("stateMachineArn", m.arn).put("name", m.name).put("status", "ACTIVE")
                    .put("definition", m.definition).put("roleArn", m.roleArn).put("type", m.type)
                    .put("creationDate", m.creationDate).put("revisionId", m.revisionId);
        }
        out.set("loggingConfiguration", logging(m));
        out.set("tracingConfiguration", tracing(m));
        if (m.encryptionConfiguration != null) {
            out.set("encryptionConfiguration", m.encryptionConfiguration);
        }
        return out;
    }

    private static JsonNode logging(StateMachineRecord m) {
        return m.loggingConfiguration != null ? m.loggingConfiguration
                : Json.object().put("level", "OFF").put("includeExecutionData", false);
    }

    private static JsonNode tracing(StateMachineRecord m) {
        return m.tracingConfiguration != null ? m.tracingConfiguration : Json.object().put("enabled", false);
    }

    public ObjectNode updateStateMachine(JsonNode req) {
        String arn = text(req, "stateMachineArn", true);
        String definition = req.path("definition").textValue();
        String roleArn = req.path("roleArn").textValue();
        if (definition == null && roleArn == null && !req.has("loggingConfiguration")
                && !req.has("tracingConfiguration") && !req.has("encryptionConfiguration")) {
            throw new ServiceException("MissingRequiredParameter", "Either the definition, the roleArn, the "
                    + "loggingConfiguration, the tracingConfiguration or the encryptionConfiguration must be specified");
        }
        if (definition != null) {
            compile(definition);
        }
        if (roleArn != null) {
            checkRoleArn(roleArn);
        }
        synchronized (rt.machineLock()) {
            Runtime.Target t = rt.resolve(arn);
            if (t.version() != null) {
                throw new ServiceException("ValidationException", "Versions cannot be updated: '" + arn + "'");
            }
            StateMachineRecord old = t.machine();
            StateMachineRecord r = StateMachineRecord.fromJson(old.toJson());
            boolean changed = false;
            if (definition != null && !definition.equals(r.definition)) {
                r.definition = definition;
                changed = true;
            }
            if (roleArn != null && !roleArn.equals(r.roleArn)) {
                r.roleArn = roleArn;
                changed = true;
            }
            if (req.has("loggingConfiguration")) {
                r.loggingConfiguration = req.get("loggingConfiguration");
            }
            if (req.has("tracingConfiguration")) {
                r.tracingConfiguration = req.get("tracingConfiguration");
            }
            if (req.has("encryptionConfiguration")) {
                r.encryptionConfiguration = req.get("encryptionConfiguration");
            }
            if (changed) {
                r.revisionId = UUID.randomUUID().toString();
            }
            r.updateDate = rt.now();
            ObjectNode out = Json.object().put("updateDate", r.updateDate).put("revisionId", r.revisionId);
            if (req.path("publish").asBoolean(false)) {
                out.put("stateMachineVersionArn", publish(r, req.path("versionDescription").textValue()).arn());
            }
            rt.putMachine(r);
            return out;
        }
    }

    public ObjectNode deleteStateMachine(JsonNode req) {
        String arn = text(req, "stateMachineArn", true);
        if (!arn.startsWith("arn:aws:states:") || !arn.contains(":stateMachine:")) {
            throw new ServiceException("InvalidArn", "Invalid Arn: '" + arn + "'");
        }
        synchronized (rt.machineLock()) {
            String rest = arn.substring(arn.indexOf(":stateMachine:") + 14);
            if (rest.contains(":")) {
                return deleteStateMachineVersion(Json.object().put("stateMachineVersionArn", arn));
            }
            if (rt.machines.containsKey(arn)) {
                rt.deleteMachine(arn);
            }
        }
        return Json.object();
    }

    public ObjectNode listStateMachines(JsonNode req) {
        List<StateMachineRecord> all = new ArrayList<>(rt.machines.values());
        all.sort(Comparator.comparing(m -> m.name));
        Page page = page(req, all.size(), 100);
        ArrayNode arr = Json.array();
        for (int i = page.from; i < page.to; i++) {
            StateMachineRecord m = all.get(i);
            arr.addObject().put("stateMachineArn", m.arn).put("name", m.name).put("type", m.type)
                    .put("creationDate", m.creationDate);
        }
        ObjectNode out = Json.object();
        out.set("stateMachines", arr);
        page.token(out);
        return out;
    }

    public ObjectNode publishStateMachineVersion(JsonNode req) {
        String arn = text(req, "stateMachineArn", true);
        synchronized (rt.machineLock()) {
            Runtime.Target t = rt.resolve(arn);
            if (t.version() != null) {
                throw new ServiceException("ValidationException", "A version ARN cannot be published: '" + arn + "'");
            }
            StateMachineRecord r = StateMachineRecord.fromJson(t.machine().toJson());
            String revision = req.path("revisionId").textValue();
            if (revision != null && !revision.equals(r.revisionId)) {
                throw new ServiceException("ConflictException", "The revisionId '" + revision
                        + "' does not match the state machine's current revision '" + r.revisionId + "'");
            }
            StateMachineRecord.Version v = publish(r, req.path("description").textValue());
            rt.putMachine(r);
            return Json.object().put("creationDate", v.creationDate()).put("stateMachineVersionArn", v.arn());
        }
    }

    public ObjectNode listStateMachineVersions(JsonNode req) {
        Runtime.Target t = rt.resolve(text(req, "stateMachineArn", true));
        List<StateMachineRecord.Version> vs = new ArrayList<>(t.machine().versions);
        vs.sort(Comparator.comparingInt(StateMachineRecord.Version::number).reversed());
        Page page = page(req, vs.size(), 100);
        ArrayNode arr = Json.array();
        for (int i = page.from; i < page.to; i++) {
            arr.addObject().put("stateMachineVersionArn", vs.get(i).arn()).put("creationDate",
                    vs.get(i).creationDate());
        }
        ObjectNode out = Json.object();
        out.set("stateMachineVersions", arr);
        page.token(out);
        return out;
    }

    public ObjectNode deleteStateMachineVersion(JsonNode req) {
        String arn = text(req, "stateMachineVersionArn", true);
        synchronized (rt.machineLock()) {
            Runtime.Target t;
            try {
                t = rt.resolve(arn);
            } catch (ServiceException e) {
                if (e.code().equals("StateMachineDoesNotExist")) {
                    return Json.object();
                }
                throw e;
            }
            if (t.version() == null) {
                throw new ServiceException("ValidationException", "Not a state machine version ARN: '" + arn + "'");
            }
            StateMachineRecord r = StateMachineRecord.fromJson(t.machine().toJson());
            r.versions.removeIf(v -> v.number() == t.version().number());
            rt.putMachine(r);
        }
        return Json.object();
    }

    public ObjectNode validateStateMachineDefinition(JsonNode req) {
        String definition = text(req, "definition", true);
        ObjectNode out = Json.object();
        ArrayNode diags = Json.array();
        try {
            rt.compile(definition);
            out.put("result", "OK");
        } catch (InvalidDefinitionException e) {
            out.put("result", "FAIL");
            for (InvalidDefinitionException.Diagnostic d : e.diagnostics()) {
                diags.addObject().put("severity", "ERROR").put("code", d.code()).put("message", d.message())
                        .put("location", d.location());
            }
        }
        out.set("diagnostics", diags);
        out.put("truncated", false);
        return out;
    }

    // ------------------------------------------------------------------ executions

    public ObjectNode startExecution(JsonNode req) {
        Execution ex = rt.startExecution(text(req, "stateMachineArn", true), req.path("name").textValue(),
                req.path("input").textValue(), req.path("traceHeader").textValue(), null);
        return Json.object().put("executionArn", ex.arn).put("startDate", ex.startDate);
    }

    public ObjectNode startSyncExecution(JsonNode req) {
        Runtime.Target t = rt.resolve(text(req, "stateMachineArn", true));
        if (!"EXPRESS".equals(t.machine().type)) {
            throw new ServiceException("StateMachineTypeNotSupported",
                    "This operation is not supported by this type of state machine: STANDARD (use StartExecution)");
        }
        Execution ex = rt.startExecution(t.machine().arn + (t.version() == null ? "" : ":" + t.version().number()),
                req.path("name").textValue(), req.path("input").textValue(), req.path("traceHeader").textValue(),
                null);
        try {
            rt.whenDone(ex).get(5, TimeUnit.MINUTES);
        } catch (TimeoutException e) {
            rt.post(ex, () -> rt.interpreter.stop(ex, "States.Timeout", "The express execution ran longer than "
                    + "5 minutes"));
            await(rt.whenDone(ex));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
        ObjectNode out = Json.object();
        synchronized (ex) {
            out.put("executionArn", ex.arn).put("stateMachineArn", ex.stateMachineArn).put("name", ex.name)
                    .put("startDate", ex.startDate).put("stopDate", ex.stopDate)
                    .put("status", "ABORTED".equals(ex.status) ? "TIMED_OUT" : ex.status)
                    .put("input", ex.inputText);
            out.putObject("inputDetails").put("included", true);
            if (ex.output != null) {
                out.put("output", ex.output);
                out.putObject("outputDetails").put("included", true);
            }
            if (ex.error != null) {
                out.put("error", ex.error);
            }
            if (ex.cause != null) {
                out.put("cause", ex.cause);
            }
            if (ex.traceHeader != null) {
                out.put("traceHeader", ex.traceHeader);
            }
            out.putObject("billingDetails").put("billedMemoryUsedInMB", 64)
                    .put("billedDurationInMilliseconds", Math.max(100, ex.stopDate - ex.startDate));
        }
        rt.forget(ex);
        return out;
    }

    private Execution execution(JsonNode req) {
        String arn = text(req, "executionArn", true);
        if (!arn.startsWith("arn:aws:states:") || !(arn.contains(":execution:") || arn.contains(":express:"))) {
            throw new ServiceException("InvalidArn", "Invalid Arn: '" + arn + "'");
        }
        Execution ex = rt.executions.get(arn);
        if (ex == null) {
            throw new ServiceException("ExecutionDoesNotExist", "Execution Does Not Exist: '" + arn + "'");
        }
        return ex;
    }

    public ObjectNode describeExecution(JsonNode req) {
        Execution ex = execution(req);
        ObjectNode out = Json.object();
        synchronized (ex) {
            out.put("executionArn", ex.arn).put("stateMachineArn", ex.stateMachineArn).put("name", ex.name)
                    .put("status", ex.status).put("startDate", ex.startDate);
            if (!ex.isRunning()) {
                out.put("stopDate", ex.stopDate);
            }
            out.put("input", ex.inputText);
            out.putObject("inputDetails").put("included", true);
            if (ex.output != null) {
                out.put("output", ex.output);
                out.putObject("outputDetails").put("included", true);
            }
            if (ex.error != null) {
                out.put("error", ex.error);
            }
            if (ex.cause != null) {
                out.put("cause", ex.cause);
            }
            if (ex.traceHeader != null) {
                out.put("traceHeader", ex.traceHeader);
            }
            if (ex.versionArn != null) {
                out.put("stateMachineVersionArn", ex.versionArn);
            }
            if (ex.mapRunArn != null) {
                out.put("mapRunArn", ex.mapRunArn);
            }
            out.put("redriveCount", ex.redriveCount);
            if (ex.redriveCount > 0) {
                out.put("redriveDate", ex.redriveDate);
            }
            String[] redrive = redriveStatus(ex);
            out.put("redriveStatus", redrive[0]);
            if (redrive[1] != null) {
                out.put("redriveStatusReason", redrive[1]);
            }
        }
        return out;
    }

    private static String[] redriveStatus(Execution ex) {
        if (ex.express) {
            return new String[] {"NOT_REDRIVABLE", "Express executions cannot be redriven"};
        }
        return switch (ex.status) {
            case "RUNNING" -> new String[] {"NOT_REDRIVABLE", "Execution is RUNNING and cannot be redriven"};
            case "SUCCEEDED" -> new String[] {"NOT_REDRIVABLE", "Execution is SUCCEEDED and cannot be redriven"};
            default -> ex.mapRunArn != null ? new String[] {"REDRIVABLE_BY_MAP_RUN", null}
                    : new String[] {"REDRIVABLE", null};
        };
    }

    public ObjectNode describeStateMachineForExecution(JsonNode req) {
        Execution ex = execution(req);
        ObjectNode out = Json.object();
        StateMachineRecord m = rt.machines.get(ex.stateMachineArn);
        out.put("stateMachineArn", ex.versionArn != null ? ex.versionArn : ex.stateMachineArn)
                .put("name", ex.stateMachineName).put("definition", ex.definitionText).put("roleArn", ex.roleArn)
                .put("updateDate", m != null ? m.updateDate : ex.startDate);
        if (m != null) {
            out.set("loggingConfiguration", logging(m));
            out.set("tracingConfiguration", tracing(m));
            if (m.definition.equals(ex.definitionText)) {
                out.put("revisionId", m.revisionId);
            }
        }
        if (ex.mapRunArn != null) {
            out.put("mapRunArn", ex.mapRunArn);
            out.put("label", ex.stateMachineName.contains("/")
                    ? ex.stateMachineName.substring(ex.stateMachineName.indexOf('/') + 1) : ex.stateMachineName);
        }
        return out;
    }

    public ObjectNode listExecutions(JsonNode req) {
        String smArn = req.path("stateMachineArn").textValue();
        String mapRunArn = req.path("mapRunArn").textValue();
        if ((smArn == null) == (mapRunArn == null)) {
            throw validation("Exactly one of stateMachineArn or mapRunArn must be specified");
        }
        String status = req.path("statusFilter").textValue();
        if (status != null && !List.of("RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE")
                .contains(status)) {
            throw validation("Value '" + status + "' at 'statusFilter' failed to satisfy constraint: Member must "
                    + "satisfy enum value set: [RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, PENDING_REDRIVE]");
        }
        String redriveFilter = req.path("redriveFilter").textValue();
        String versionArn = null;
        if (smArn != null) {
            Runtime.Target t = rt.resolve(smArn);
            if ("EXPRESS".equals(t.machine().type)) {
                throw new ServiceException("StateMachineTypeNotSupported",
                        "This operation is not supported by this type of state machine: EXPRESS");
            }
            versionArn = t.version() == null ? null : t.version().arn();
            smArn = t.machine().arn;
        }
        List<Execution> matches = new ArrayList<>();
        for (Execution ex : rt.allExecutions()) {
            if (ex.express) {
                continue;
            }
            if (smArn != null && (!smArn.equals(ex.stateMachineArn) || ex.mapRunArn != null
                    || (versionArn != null && !versionArn.equals(ex.versionArn)))) {
                continue;
            }
            if (mapRunArn != null && !mapRunArn.equals(ex.mapRunArn)) {
                continue;
            }
            String st;
            int redrives;
            synchronized (ex) {
                st = ex.status;
                redrives = ex.redriveCount;
            }
            if (status != null && !status.equals(st)) {
                continue;
            }
            if ("REDRIVEN".equals(redriveFilter) && redrives == 0 || "NOT_REDRIVEN".equals(redriveFilter) && redrives > 0) {
                continue;
            }
            matches.add(ex);
        }
        matches.sort(Comparator.comparingLong((Execution e) -> e.startDate).thenComparingLong(e -> e.id).reversed());
        Page page = page(req, matches.size(), 100);
        ArrayNode arr = Json.array();
        for (int i = page.from; i < page.to; i++) {
            Execution ex = matches.get(i);
            synchronized (ex) {
                ObjectNode o = arr.addObject();
                o.put("executionArn", ex.arn).put("stateMachineArn", ex.stateMachineArn).put("name", ex.name)
                        .put("status", ex.status).put("startDate", ex.startDate);
                if (!ex.isRunning()) {
                    o.put("stopDate", ex.stopDate);
                }
                if (ex.versionArn != null) {
                    o.put("stateMachineVersionArn", ex.versionArn);
                }
                if (ex.mapRunArn != null) {
                    o.put("mapRunArn", ex.mapRunArn);
                }
                o.put("redriveCount", ex.redriveCount);
                if (ex.redriveCount > 0) {
                    o.put("redriveDate", ex.redriveDate);
                }
            }
        }
        ObjectNode out = Json.object();
        out.set("executions", arr);
        page.token(out);
        return out;
    }

    /** History events; {@code timestamp} stays in epoch milliseconds (the wire layer converts). */
    public ObjectNode getExecutionHistory(JsonNode req) {
        Execution ex = execution(req);
        if (ex.express) {
            throw new ServiceException("InvalidArn", "GetExecutionHistory is not supported for express executions: '"
                    + ex.arn + "'");
        }
        boolean reverse = req.path("reverseOrder").asBoolean(false);
        boolean includeData = req.path("includeExecutionData").asBoolean(true);
        List<HistoryEvent> events;
        synchronized (ex) {
            events = new ArrayList<>(ex.history);
        }
        if (reverse) {
            java.util.Collections.reverse(events);
        }
        Page page = page(req, events.size(), 100);
        ArrayNode arr = Json.array();
        for (int i = page.from; i < page.to; i++) {
            ObjectNode e = events.get(i).toJson();
            if (!includeData) {
                stripData(e);
            }
            arr.add(e);
        }
        ObjectNode out = Json.object();
        out.set("events", arr);
        page.token(out);
        return out;
    }

    private static void stripData(ObjectNode e) {
        e.properties().forEach(f -> {
            if (f.getValue().isObject() && f.getKey().endsWith("EventDetails")) {
                ObjectNode d = (ObjectNode) f.getValue();
                for (String k : List.of("input", "output", "parameters", "assignedVariables")) {
                    d.remove(k);
                }
            }
        });
    }

    public ObjectNode stopExecution(JsonNode req) {
        Execution ex = execution(req);
        if (ex.express && !"RUNNING".equals(ex.status())) {
            throw new ServiceException("ValidationException", "Express executions cannot be stopped");
        }
        String error = req.path("error").textValue();
        String cause = req.path("cause").textValue();
        if (ex.isRunning()) {
            rt.post(ex, () -> rt.interpreter.stop(ex, error, cause));
            await(rt.whenDone(ex));
        }
        synchronized (ex) {
            return Json.object().put("stopDate", ex.stopDate > 0 ? ex.stopDate : rt.now());
        }
    }

    public ObjectNode redriveExecution(JsonNode req) {
        Execution ex = execution(req);
        CompletableFuture<Long> done = new CompletableFuture<>();
        synchronized (ex) {
            checkRedrivable(ex);
        }
        rt.post(ex, () -> {
            try {
                synchronized (ex) {
                    checkRedrivable(ex);
                }
                rt.interpreter.redrive(ex);
                done.complete(ex.redriveDate);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        return Json.object().put("redriveDate", await(done));
    }

    private static void checkRedrivable(Execution ex) {
        String[] s = redriveStatus(ex);
        if (!s[0].equals("REDRIVABLE")) {
            throw new ServiceException("ExecutionNotRedrivable", "Execution with the status " + ex.status
                    + " cannot be redriven: '" + ex.arn + "'" + (s[1] != null ? " (" + s[1] + ")" : ""));
        }
        if (ex.frames.isEmpty()) {
            throw new ServiceException("ExecutionNotRedrivable", "Execution has no state to redrive: '" + ex.arn + "'");
        }
    }

    // ------------------------------------------------------------------ task tokens

    public ObjectNode sendTaskSuccess(JsonNode req) {
        String token = text(req, "taskToken", true);
        String output = text(req, "output", true);
        JsonNode out;
        try {
            out = Json.parse(output);
        } catch (IllegalArgumentException e) {
            throw new ServiceException("InvalidOutput", "Invalid Output: '" + e.getMessage() + "'");
        }
        if (Json.exceedsQuota(output)) {
            throw validation("Value at 'output' failed to satisfy constraint: Member must have length less than or "
                    + "equal to 262144");
        }
        callback(token, "success", out, null, null);
        return Json.object();
    }

    public ObjectNode sendTaskFailure(JsonNode req) {
        String token = text(req, "taskToken", true);
        callback(token, "failure", null, req.path("error").textValue(), req.path("cause").textValue());
        return Json.object();
    }

    public ObjectNode sendTaskHeartbeat(JsonNode req) {
        callback(text(req, "taskToken", true), "heartbeat", null, null, null);
        return Json.object();
    }

    private void callback(String token, String kind, JsonNode output, String error, String cause) {
        long[] parts = Runtime.parseToken(token);
        if (parts == null) {
            throw new ServiceException("InvalidToken", "Invalid Token: '" + token + "'");
        }
        Execution ex = rt.executionById(parts[0]);
        if (ex == null) {
            throw new ServiceException("TaskDoesNotExist", "Task Does Not Exist: '" + token + "'");
        }
        int frameId = (int) parts[1];
        long seq = parts[2];
        synchronized (ex) {
            Frame f = ex.frames.get(frameId);
            boolean live = ex.isRunning() && f != null && f.phase == Phase.TASK && f.taskSeq == seq
                    && token.equals(f.token);
            if (!live) {
                if (ex.timedOutTasks.contains(seq)) {
                    throw new ServiceException("TaskTimedOut", "Task Timed Out: '" + token + "'");
                }
                throw new ServiceException("TaskDoesNotExist", "Task Does Not Exist: '" + token + "'");
            }
        }
        CompletableFuture<Long> done = new CompletableFuture<>();
        rt.post(ex, () -> {
            try {
                rt.interpreter.onCallback(ex, frameId, seq, token, kind, output, error, cause);
            } finally {
                done.complete(0L);
            }
        });
        await(done);
    }

    // ------------------------------------------------------------------ tags

    public ObjectNode tagResource(JsonNode req) {
        String arn = text(req, "resourceArn", true);
        synchronized (rt.machineLock()) {
            StateMachineRecord r = StateMachineRecord.fromJson(rt.resolve(arn).machine().toJson());
            for (JsonNode t : req.path("tags")) {
                r.tags.put(t.path("key").asText(), t.path("value").asText(""));
            }
            rt.putMachine(r);
        }
        return Json.object();
    }

    public ObjectNode untagResource(JsonNode req) {
        String arn = text(req, "resourceArn", true);
        synchronized (rt.machineLock()) {
            StateMachineRecord r = StateMachineRecord.fromJson(rt.resolve(arn).machine().toJson());
            for (JsonNode k : req.path("tagKeys")) {
                r.tags.remove(k.asText());
            }
            rt.putMachine(r);
        }
        return Json.object();
    }

    public ObjectNode listTagsForResource(JsonNode req) {
        StateMachineRecord r = rt.resolve(text(req, "resourceArn", true)).machine();
        ObjectNode out = Json.object();
        ArrayNode tags = out.putArray("tags");
        for (Map.Entry<String, String> e : r.tags.entrySet()) {
            tags.addObject().put("key", e.getKey()).put("value", e.getValue());
        }
        return out;
    }

    // ------------------------------------------------------------------ helpers

    private void compile(String definition) {
        try {
            rt.compile(definition);
        } catch (InvalidDefinitionException e) {
            throw new ServiceException("InvalidDefinition", e.getMessage());
        }
    }

    private static void checkRoleArn(String roleArn) {
        if (!roleArn.startsWith("arn:aws:iam::") && !roleArn.startsWith("arn:aws:iam:")) {
            throw new ServiceException("InvalidArn", "Invalid Arn: 'Role ARN is not valid: " + roleArn + "'");
        }
    }

    private static ServiceException validation(String message) {
        return new ServiceException("ValidationException", "1 validation error detected: " + message);
    }

    private static String text(JsonNode req, String field, boolean required) {
        JsonNode n = req.get(field);
        if (n == null || n.isNull()) {
            if (required) {
                throw validation("Value null at '" + field + "' failed to satisfy constraint: Member must not be null");
            }
            return null;
        }
        if (!n.isTextual()) {
            throw new ServiceException("SerializationException", "The field '" + field + "' must be a string");
        }
        return n.textValue();
    }

    private static <T> T await(CompletableFuture<T> f) {
        try {
            return f.get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ServiceException se) {
                throw se;
            }
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the engine did not answer in time", e);
        }
    }

    /** Offset pagination with an opaque token. */
    private static final class Page {
        int from;
        int to;
        boolean more;

        void token(ObjectNode out) {
            if (more) {
                out.put("nextToken", Base64.getUrlEncoder().withoutPadding()
                        .encodeToString(("o:" + to).getBytes(StandardCharsets.UTF_8)));
            }
        }
    }

    private static Page page(JsonNode req, int size, int defaultMax) {
        int max = req.path("maxResults").asInt(0);
        if (max < 0 || max > 1000) {
            throw validation("Value '" + max + "' at 'maxResults' failed to satisfy constraint: Member must have "
                    + "value less than or equal to 1000");
        }
        if (max == 0) {
            max = defaultMax;
        }
        int from = 0;
        String token = req.path("nextToken").textValue();
        if (token != null) {
            try {
                String raw = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
                if (!raw.startsWith("o:")) {
                    throw new IllegalArgumentException();
                }
                from = Integer.parseInt(raw.substring(2));
            } catch (IllegalArgumentException e) {
                throw new ServiceException("InvalidToken", "Invalid Token: '" + token + "'");
            }
        }
        Page p = new Page();
        p.from = Math.min(from, size);
        p.to = Math.min(size, p.from + max);
        p.more = p.to < size;
        return p;
    }
}
