package dev.skyloom.local.sfn.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.local.sfn.IntegrationPattern;
import dev.skyloom.local.sfn.TaskFailedException;
import dev.skyloom.local.sfn.TaskIntegration;
import dev.skyloom.local.sfn.TaskRequest;
import dev.skyloom.local.sfn.asl.AslParser;
import dev.skyloom.local.sfn.asl.Catcher;
import dev.skyloom.local.sfn.asl.ChoiceRule;
import dev.skyloom.local.sfn.asl.Retrier;
import dev.skyloom.local.sfn.asl.State;
import dev.skyloom.local.sfn.expr.EvalScope;
import dev.skyloom.local.sfn.expr.Json;
import dev.skyloom.local.sfn.expr.JsonPathExpr;
import dev.skyloom.local.sfn.expr.JsonataTemplate;
import dev.skyloom.local.sfn.expr.PayloadTemplate;
import dev.skyloom.local.sfn.expr.StatesErrors;
import dev.skyloom.local.sfn.expr.StatesException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The semantics of the Amazon States Language. Runs inside an execution's actor: reads the execution, builds a
 * {@link Txn} for each step (events + ops), and commits it before anything else happens (timers, invocations,
 * child executions are started after the commit).
 */
final class Interpreter {
    private static final String STATES_ARN_PREFIX = "arn:aws:states:::";
    /** Step Functions' hard quota of history events per Standard execution. */
    static final int MAX_HISTORY_EVENTS = 25_000;
    private final Runtime rt;
    private final NestedExecutions nested;

    Interpreter(Runtime rt) {
        this.rt = rt;
        this.nested = new NestedExecutions(rt, this);
    }

    // =========================================================== driving

    /** For {@link NestedExecutions}: commits a transaction of this interpreter. */
    void commitTxn(Txn tx) {
        commit(tx);
    }

    /** For {@link NestedExecutions}: runs the execution's runnable frames (call in its actor). */
    void drainActor(Execution ex) {
        drain(ex);
    }

    private void commit(Txn tx) {
        rt.commit(tx);
        Execution ex = tx.ex;
        for (int id : tx.toRun) {
            Frame f = ex.frames.get(id);
            if (f != null) {
                ex.runnable.add(f);
            }
        }
        for (Runnable r : tx.after) {
            r.run();
        }
    }

    private void drain(Execution ex) {
        Frame f;
        int budget = 64;
        while ((f = ex.runnable.poll()) != null) {
            if (!ex.isRunning()) {
                ex.runnable.clear();
                return;
            }
            if (ex.frames.get(f.id) != f || f.phase != Phase.ENTER) {
                continue;
            }
            runState(ex, f);
            if (--budget == 0 && !ex.runnable.isEmpty()) {
                rt.post(ex, () -> drain(ex)); // let other executions on this worker make progress
                return;
            }
        }
    }

    /** First step of a new execution: ExecutionStarted and the first state entered. */
    void begin(Execution ex) {
        Txn tx = new Txn(ex, rt.now());
        ObjectNode d = Json.object();
        if (ex.roleArn != null) {
            d.put("roleArn", ex.roleArn);
        }
        if (ex.versionArn != null) {
            d.put("stateMachineVersionArn", ex.versionArn);
        }
        tx.payloadEvent(-1, 0, "ExecutionStarted", "executionStartedEventDetails", "input", ex.inputText, d);
        State start = ex.definition.root().start();
        long eid = tx.stateEvent(0, 0, start.enteredEventType(), "stateEnteredEventDetails",
                start.name, "input", ex.inputText, null);
        Op op = tx.op("root").put("s", start.name).put("t", tx.now).put("eid", eid);
        op.set("in", ex.input);
        tx.toRun.add(0);
        commit(tx);
        rt.notifyListeners(ex);
        armExecutionTimeout(ex);
        drain(ex);
    }

    private void armExecutionTimeout(Execution ex) {
        Integer t = ex.definition.timeoutSeconds();
        if (t == null) {
            return;
        }
        long base = ex.redriveCount > 0 ? ex.redriveDate : ex.startDate;
        long at = base + t * 1000L;
        int redrives = ex.redriveCount;
        rt.schedule(ex, at, () -> {
            if (ex.isRunning() && ex.redriveCount == redrives) {
                terminate(ex, "TIMED_OUT", "ExecutionTimedOut", "executionTimedOutEventDetails",
                        StatesErrors.TIMEOUT, "The execution timed out after " + t + " seconds.");
            }
        });
    }

    /** At recovery: resume, unless it is a child execution whose parent stopped waiting for it before a crash. */
    void recover(Execution ex) {
        if (ex.isRunning() && !nested.stopIfOrphaned(ex)) {
            resume(ex);
        }
    }

    /** After recovery or redrive: restart whatever each frame was doing. */
    void resume(Execution ex) {
        if (!ex.isRunning()) {
            return;
        }
        if (ex.history.isEmpty()) {
            begin(ex); // the start was journaled but the first step was not: start it now
            return;
        }
        armExecutionTimeout(ex);
        List<Frame> frames = new ArrayList<>(ex.frames.values());
        frames.sort(Comparator.comparingInt(f -> f.id));
        for (Frame f : frames) {
            switch (f.phase) {
                case ENTER -> ex.runnable.add(f);
                case TASK -> resumeTask(ex, f);
                case WAIT -> {
                    long until = f.until;
                    int id = f.id;
                    rt.schedule(ex, until, () -> onWaitDone(ex, id, until));
                }
                case RETRY -> {
                    long until = f.until;
                    int id = f.id;
                    rt.schedule(ex, until, () -> onRetry(ex, id, until));
                }
                default -> {
                }
            }
        }
        for (Frame f : frames) {
            if (f.phase == Phase.CHILDREN && f.children != null && ex.frames.get(f.id) == f) {
                if (f.children.distributed) {
                    resumeDistributed(ex, f);
                }
                afterChild(ex, f);
            }
        }
        drain(ex);
    }

    private void resumeTask(Execution ex, Frame f) {
        State.Task s = (State.Task) f.state;
        armTaskTimers(ex, f);
        if (f.token != null && f.submitted) {
            return; // the callback can still arrive with the same token
        }
        invoke(ex, f, s, f.taskSeq); // the in-flight call is made again, once
    }

    // =========================================================== states

    private void runState(Execution ex, Frame f) {
        Txn tx = new Txn(ex, rt.now());
        tx.chainable = true;
        runState(tx, ex, f);
        while (tx.continueWith != null) {
            Frame next = tx.continueWith;
            tx.continueWith = null;
            runState(tx, ex, next);
        }
    }

    private void runState(Txn tx, Execution ex, Frame f) {
        try {
            if (tx.nextEventId() > MAX_HISTORY_EVENTS) {
                throw StatesException.runtime("The execution reached the maximum number of history events ("
                        + MAX_HISTORY_EVENTS + ").");
            }
            switch (f.state) {
                case State.Pass s -> pass(tx, ex, f, s);
                case State.Task s -> task(tx, ex, f, s);
                case State.Choice s -> choice(tx, ex, f, s);
                case State.Wait s -> waitState(tx, ex, f, s);
                case State.Succeed s -> succeed(tx, ex, f, s);
                case State.Fail s -> failState(tx, ex, f, s);
                case State.Parallel s -> parallel(tx, ex, f, s);
                case State.Map s -> map(tx, ex, f, s);
            }
        } catch (StatesException e) {
            handleError(tx, ex, f, e.error(), withLocation(f, e));
        }
    }

    private static String withLocation(Frame f, StatesException e) {
        if (StatesErrors.RUNTIME.equals(e.error()) && e.cause() != null
                && !e.cause().startsWith("An error occurred while executing the state")) {
            return "An error occurred while executing the state '" + f.state.name + "' (entered at the event id #"
                    + f.enteredEventId + "). " + e.cause();
        }
        return e.cause();
    }

    private void pass(Txn tx, Execution ex, Frame f, State.Pass s) {
        FrameScope sc = scope(ex, f);
        if (s.isJsonata()) {
            finishJsonata(tx, ex, f, f.input, false, sc, s.next);
            return;
        }
        JsonNode eff = inputPath(s, f.input, sc);
        JsonNode result = s.result != null ? s.result : s.parameters != null ? s.parameters.eval(eff, sc) : eff;
        finishJsonPath(tx, ex, f, result, sc, s.next);
    }

    private void succeed(Txn tx, Execution ex, Frame f, State.Succeed s) {
        FrameScope sc = scope(ex, f);
        JsonNode out;
        if (s.isJsonata()) {
            out = s.output != null ? required(s.output.eval(states(f, sc), sc), "Output") : f.input;
        } else {
            out = outputPath(s, inputPath(s, f.input, sc), sc);
        }
        transition(tx, ex, f, out, null, null);
    }

    private void failState(Txn tx, Execution ex, Frame f, State.Fail s) {
        FrameScope sc = scope(ex, f);
        String error = s.error;
        String cause = s.cause;
        if (s.isJsonata()) {
            ObjectNode st = states(f, sc);
            if (s.errorJsonata != null) {
                error = textOf(s.errorJsonata.eval(st, sc), "Error");
            }
            if (s.causeJsonata != null) {
                cause = textOf(s.causeJsonata.eval(st, sc), "Cause");
            }
        } else {
            if (s.errorPath != null) {
                error = pathText(s.errorPath.eval(f.input, sc), "ErrorPath");
            }
            if (s.causePath != null) {
                cause = pathText(s.causePath.eval(f.input, sc), "CausePath");
            }
        }
        failFrame(tx, ex, f, error, cause);
    }

    private static String textOf(JsonNode v, String field) {
        if (v == null || !v.isTextual()) {
            throw new StatesException(StatesErrors.QUERY_EVALUATION_ERROR, "The value of the field '" + field
                    + "' must be a string, but was " + (v == null ? "undefined" : Json.write(v)));
        }
        return v.textValue();
    }

    private static String pathText(JsonNode v, String field) {
        if (v == null || !v.isTextual()) {
            throw StatesException.runtime("The value of the field '" + field + "' must resolve to a string, but was "
                    + (v == null ? "undefined" : Json.write(v)));
        }
        return v.textValue();
    }

    private void choice(Txn tx, Execution ex, Frame f, State.Choice s) {
        FrameScope sc = scope(ex, f);
        if (s.isJsonata()) {
            ObjectNode st = states(f, sc);
            for (ChoiceRule.Branch b : s.choices) {
                JsonataTemplate c = ((ChoiceRule.JsonataCondition) b.condition()).condition();
                JsonNode v = c.eval(st, sc);
                if (v == null || !v.isBoolean()) {
                    throw new StatesException(StatesErrors.QUERY_EVALUATION_ERROR, "The Condition "
                            + ((ChoiceRule.JsonataCondition) b.condition()).text() + " of the state '" + s.name
                            + "' must evaluate to a boolean, but returned " + (v == null ? "undefined" : Json.write(v)));
                }
                if (v.booleanValue()) {
                    JsonNode vars = assignJsonata(b.assignJsonata(), st, sc);
                    JsonNode out = b.output() != null ? required(b.output().eval(st, sc), "Output")
                            : s.output != null ? required(s.output.eval(st, sc), "Output") : f.input;
                    transition(tx, ex, f, out, vars, b.next());
                    return;
                }
            }
            if (s.defaultNext == null) {
                throw new StatesException(StatesErrors.NO_CHOICE_MATCHED, "No Choice Rules matched in the state '"
                        + s.name + "' and no Default was specified");
            }
            JsonNode vars = assignJsonata(s.assignJsonata, st, sc);
            JsonNode out = s.output != null ? required(s.output.eval(st, sc), "Output") : f.input;
            transition(tx, ex, f, out, vars, s.defaultNext);
            return;
        }
        JsonNode eff = inputPath(s, f.input, sc);
        for (ChoiceRule.Branch b : s.choices) {
            if (test(b.condition(), eff, sc)) {
                JsonNode vars = b.assignPath() != null ? assignPath(b.assignPath(), eff, sc) : null;
                transition(tx, ex, f, outputPath(s, eff, sc), vars, b.next());
                return;
            }
        }
        if (s.defaultNext == null) {
            throw new StatesException(StatesErrors.NO_CHOICE_MATCHED, "No Choice Rules matched in the state '"
                    + s.name + "' and no Default was specified");
        }
        JsonNode vars = s.assignPath != null ? assignPath(s.assignPath, eff, sc) : null;
        transition(tx, ex, f, outputPath(s, eff, sc), vars, s.defaultNext);
    }

    private boolean test(ChoiceRule.Condition c, JsonNode input, EvalScope sc) {
        switch (c) {
            case ChoiceRule.And a -> {
                for (ChoiceRule.Condition x : a.all()) {
                    if (!test(x, input, sc)) {
                        return false;
                    }
                }
                return true;
            }
            case ChoiceRule.Or o -> {
                for (ChoiceRule.Condition x : o.any()) {
                    if (test(x, input, sc)) {
                        return true;
                    }
                }
                return false;
            }
            case ChoiceRule.Not n -> {
                return !test(n.inner(), input, sc);
            }
            case ChoiceRule.JsonataCondition j -> throw new IllegalStateException("JSONata condition in JSONPath state");
            case ChoiceRule.Comparison cmp -> {
                return compare(cmp, input, sc);
            }
        }
    }

    private boolean compare(ChoiceRule.Comparison c, JsonNode input, EvalScope sc) {
        JsonNode v = c.variable().read(input, sc);
        String op = c.operator();
        if (op.equals("IsPresent")) {
            return (v != null) == c.value().booleanValue();
        }
        if (v == null) {
            throw StatesException.runtime("Invalid path '" + c.variable().text()
                    + "': The choice state's condition path references an invalid value.");
        }
        switch (op) {
            case "IsNull":
                return v.isNull() == c.value().booleanValue();
            case "IsNumeric":
                return v.isNumber() == c.value().booleanValue();
            case "IsString":
                return v.isTextual() == c.value().booleanValue();
            case "IsBoolean":
                return v.isBoolean() == c.value().booleanValue();
            case "IsTimestamp":
                return (v.isTextual() && AslParser.parseTimestamp(v.textValue()) != null) == c.value().booleanValue();
            default:
                break;
        }
        JsonNode other = c.value();
        if (c.valuePath() != null) {
            other = c.valuePath().read(input, sc);
            if (other == null) {
                throw StatesException.runtime("Invalid path '" + c.valuePath().text()
                        + "': The choice state's condition path references an invalid value.");
            }
        }
        if (op.equals("StringMatches")) {
            return v.isTextual() && c.matcher().matcher(v.textValue()).matches();
        }
        if (op.startsWith("String")) {
            if (!v.isTextual() || !other.isTextual()) {
                return false;
            }
            return cmp(op.substring(6), v.textValue().compareTo(other.textValue()));
        }
        if (op.startsWith("Numeric")) {
            if (!v.isNumber() || !other.isNumber()) {
                return false;
            }
            return cmp(op.substring(7), v.decimalValue().compareTo(other.decimalValue()));
        }
        if (op.equals("BooleanEquals")) {
            return v.isBoolean() && other.isBoolean() && v.booleanValue() == other.booleanValue();
        }
        if (op.startsWith("Timestamp")) {
            if (!v.isTextual() || !other.isTextual()) {
                return false;
            }
            OffsetDateTime a = AslParser.parseTimestamp(v.textValue());
            OffsetDateTime b = AslParser.parseTimestamp(other.textValue());
            if (a == null || b == null) {
                return false;
            }
            return cmp(op.substring(9), a.toInstant().compareTo(b.toInstant()));
        }
        return false;
    }

    private static boolean cmp(String suffix, int c) {
        return switch (suffix) {
            case "Equals" -> c == 0;
            case "LessThan" -> c < 0;
            case "GreaterThan" -> c > 0;
            case "LessThanEquals" -> c <= 0;
            case "GreaterThanEquals" -> c >= 0;
            default -> false;
        };
    }

    private void waitState(Txn tx, Execution ex, Frame f, State.Wait s) {
        FrameScope sc = scope(ex, f);
        long at;
        if (s.isJsonata()) {
            ObjectNode st = states(f, sc);
            if (s.secondsJsonata != null) {
                at = tx.now + 1000L * seconds(s.secondsJsonata.eval(st, sc), "Seconds", true);
            } else if (s.timestampJsonata != null) {
                at = timestamp(s.timestampJsonata.eval(st, sc), "Timestamp", true);
            } else if (s.seconds != null) {
                at = tx.now + 1000L * s.seconds;
            } else {
                at = AslParser.parseTimestamp(s.timestamp).toInstant().toEpochMilli();
            }
        } else {
            JsonNode eff = inputPath(s, f.input, sc);
            if (s.seconds != null) {
                at = tx.now + 1000L * s.seconds;
            } else if (s.timestamp != null) {
                at = AslParser.parseTimestamp(s.timestamp).toInstant().toEpochMilli();
            } else if (s.secondsPath != null) {
                JsonNode v = s.secondsPath.read(eff, sc);
                if (v == null) {
                    throw StatesException.runtime("Invalid path '" + s.secondsPath.text()
                            + "' : No results for path: " + s.secondsPath.text());
                }
                at = tx.now + 1000L * seconds(v, "SecondsPath", false);
            } else {
                JsonNode v = s.timestampPath.read(eff, sc);
                if (v == null) {
                    throw StatesException.runtime("Invalid path '" + s.timestampPath.text()
                            + "' : No results for path: " + s.timestampPath.text());
                }
                at = timestamp(v, "TimestampPath", false);
            }
        }
        tx.op("wait", f).put("at", at);
        commit(tx);
        int id = f.id;
        rt.schedule(ex, at, () -> onWaitDone(ex, id, at));
    }

    private static long seconds(JsonNode v, String field, boolean jsonata) {
        if (v == null || !v.isNumber() || v.decimalValue().signum() < 0
                || v.decimalValue().stripTrailingZeros().scale() > 0 || v.decimalValue().compareTo(BigDecimal.valueOf(99_999_999L)) > 0) {
            String msg = "The " + field + " value must be a non-negative integer of at most 99999999, but was "
                    + (v == null ? "undefined" : Json.write(v));
            throw jsonata ? new StatesException(StatesErrors.QUERY_EVALUATION_ERROR, msg) : StatesException.runtime(msg);
        }
        return v.longValue();
    }

    private static long timestamp(JsonNode v, String field, boolean jsonata) {
        OffsetDateTime t = v != null && v.isTextual() ? AslParser.parseTimestamp(v.textValue()) : null;
        if (t == null) {
            String msg = "The " + field + " value must be an RFC 3339 timestamp string, but was "
                    + (v == null ? "undefined" : Json.write(v));
            throw jsonata ? new StatesException(StatesErrors.QUERY_EVALUATION_ERROR, msg) : StatesException.runtime(msg);
        }
        return t.toInstant().toEpochMilli();
    }

    private void onWaitDone(Execution ex, int frameId, long until) {
        Frame f = ex.frames.get(frameId);
        if (f == null || !ex.isRunning() || f.phase != Phase.WAIT || f.until != until) {
            return;
        }
        State.Wait s = (State.Wait) f.state;
        Txn tx = new Txn(ex, rt.now());
        try {
            FrameScope sc = scope(ex, f);
            if (s.isJsonata()) {
                finishJsonata(tx, ex, f, f.input, false, sc, s.next);
            } else {
                JsonNode eff = inputPath(s, f.input, sc);
                JsonNode vars = s.assignPath != null ? assignPath(s.assignPath, eff, sc) : null;
                transition(tx, ex, f, outputPath(s, eff, sc), vars, s.next);
            }
        } catch (StatesException e) {
            handleError(tx, ex, f, e.error(), withLocation(f, e));
        }
        drain(ex);
    }

    // =========================================================== tasks

    record Resource(String base, IntegrationPattern pattern, String resourceType, String resourceName,
            boolean lambdaArn) {
    }

    static Resource resource(String arn) {
        String base = arn;
        IntegrationPattern p = IntegrationPattern.REQUEST_RESPONSE;
        if (arn.endsWith(".waitForTaskToken")) {
            base = arn.substring(0, arn.length() - ".waitForTaskToken".length());
            p = IntegrationPattern.WAIT_FOR_TASK_TOKEN;
        } else if (arn.endsWith(".sync:2")) {
            base = arn.substring(0, arn.length() - ".sync:2".length());
            p = IntegrationPattern.RUN_JOB;
        } else if (arn.endsWith(".sync")) {
            base = arn.substring(0, arn.length() - ".sync".length());
            p = IntegrationPattern.RUN_JOB;
        }
        String type;
        String name;
        boolean lambda = false;
        if (arn.startsWith(STATES_ARN_PREFIX)) {
            String rest = arn.substring(STATES_ARN_PREFIX.length());
            int colon = rest.indexOf(':');
            type = colon < 0 ? rest : rest.substring(0, colon);
            name = colon < 0 ? "" : rest.substring(colon + 1);
        } else {
            String[] parts = arn.split(":");
            type = parts.length > 2 ? parts[2] : "unknown";
            name = arn;
            lambda = "lambda".equals(type);
        }
        return new Resource(base, p, type, name, lambda);
    }

    private void task(Txn tx, Execution ex, Frame f, State.Task s) {
        FrameScope sc = scope(ex, f);
        Resource r = resource(s.resource);
        long seq = ex.nextTaskSeq;
        String token = r.pattern() == IntegrationPattern.WAIT_FOR_TASK_TOKEN ? Runtime.newToken(ex, f.id, seq) : null;
        sc.token = token;
        JsonNode params;
        Integer timeout = s.timeoutSeconds;
        Integer heartbeat = s.heartbeatSeconds;
        if (s.isJsonata()) {
            ObjectNode st = states(f, sc);
            params = s.arguments != null ? required(s.arguments.eval(st, sc), "Arguments") : f.input;
            if (s.timeoutJsonata != null) {
                timeout = positive(s.timeoutJsonata.eval(st, sc), "TimeoutSeconds", true);
            }
            if (s.heartbeatJsonata != null) {
                heartbeat = positive(s.heartbeatJsonata.eval(st, sc), "HeartbeatSeconds", true);
            }
        } else {
            JsonNode eff = inputPath(s, f.input, sc);
            params = s.parameters != null ? s.parameters.eval(eff, sc) : eff;
            if (s.timeoutSecondsPath != null) {
                timeout = positive(s.timeoutSecondsPath.read(eff, sc), "TimeoutSecondsPath", false);
            }
            if (s.heartbeatSecondsPath != null) {
                heartbeat = positive(s.heartbeatSecondsPath.read(eff, sc), "HeartbeatSecondsPath", false);
            }
        }
        String paramsText = Json.write(params);
        checkSize(paramsText, "The state '" + s.name + "' has an input (after Parameters) with a size exceeding the "
                + "maximum number of bytes service limit.");
        if (r.lambdaArn()) {
            ObjectNode d = Txn.payloadDetails("input", paramsText);
            d.put("resource", s.resource);
            if (timeout != null) {
                d.put("timeoutInSeconds", timeout);
            }
            tx.event(f, "LambdaFunctionScheduled", "lambdaFunctionScheduledEventDetails", d);
            tx.event(f, "LambdaFunctionStarted", null, null);
        } else {
            ObjectNode d = Json.object();
            d.put("resourceType", r.resourceType()).put("resource", r.resourceName()).put("region", rt.region)
                    .put("parameters", paramsText);
            if (timeout != null) {
                d.put("timeoutInSeconds", timeout);
            }
            if (heartbeat != null) {
                d.put("heartbeatInSeconds", heartbeat);
            }
            tx.event(f, "TaskScheduled", "taskScheduledEventDetails", d);
            tx.event(f, "TaskStarted", "taskStartedEventDetails", resourceDetails(r));
        }
        Op op = tx.op("task", f).put("seq", seq).put("tok", token);
        op.set("p", params);
        if (timeout != null) {
            op.put("to", tx.now + timeout * 1000L).put("ts", timeout);
        }
        if (heartbeat != null) {
            op.put("hb", tx.now + heartbeat * 1000L).put("hs", heartbeat);
        }
        commit(tx);
        armTaskTimers(ex, f);
        invoke(ex, f, s, seq);
    }

    private static Integer positive(JsonNode v, String field, boolean jsonata) {
        if (v == null || !v.isNumber() || v.decimalValue().stripTrailingZeros().scale() > 0 || v.longValue() < 1
                || v.longValue() > 99_999_999L) {
            String msg = "The " + field + " value must be a positive integer, but was "
                    + (v == null ? "undefined" : Json.write(v));
            throw jsonata ? new StatesException(StatesErrors.QUERY_EVALUATION_ERROR, msg) : StatesException.runtime(msg);
        }
        return v.intValue();
    }

    private static ObjectNode resourceDetails(Resource r) {
        return Json.object().put("resourceType", r.resourceType()).put("resource", r.resourceName());
    }

    private void armTaskTimers(Execution ex, Frame f) {
        int id = f.id;
        long seq = f.taskSeq;
        long to = f.timeoutAt;
        long hb = f.heartbeatAt;
        if (to > 0) {
            rt.schedule(ex, to, () -> onTaskTimer(ex, id, seq, false, to));
        }
        if (hb > 0) {
            rt.schedule(ex, hb, () -> onTaskTimer(ex, id, seq, true, hb));
        }
    }

    private void invoke(Execution ex, Frame f, State.Task s, long seq) {
        Resource r = resource(s.resource);
        int id = f.id;
        TaskRequest req = new TaskRequest(s.resource, r.base(), r.pattern(), f.params, f.token, ex.arn, s.name,
                f.effectiveTimeout, f.effectiveHeartbeat, s.credentials, f.attempt);
        if (NestedExecutions.handles(r.base())) {
            nested.invoke(ex, f, r, seq); // the engine's own integration: child executions
            return;
        }
        CompletionStage<JsonNode> cs;
        try {
            TaskIntegration integration = null;
            for (TaskIntegration i : rt.integrations) {
                if (i.supports(s.resource)) {
                    integration = i;
                    break;
                }
            }
            if (integration == null) {
                cs = CompletableFuture.failedFuture(new TaskFailedException(StatesErrors.TASK_FAILED,
                        "No service integration is registered in the local cloud for the resource '"
                                + s.resource + "'"));
            } else {
                cs = integration.invoke(req);
            }
        } catch (RuntimeException e) {
            cs = CompletableFuture.failedFuture(e);
        }
        CompletableFuture<JsonNode> done = cs.toCompletableFuture();
        if (done.isDone()) {
            // answered synchronously: record it now, in order, before anything else can reach the task
            JsonNode res = null;
            Throwable err = null;
            try {
                res = done.join();
            } catch (CompletionException | java.util.concurrent.CancellationException e) {
                err = e;
            }
            onTaskResult(ex, id, seq, res, err);
            return;
        }
        cs.whenComplete((res, err) -> rt.post(ex, () -> {
            onTaskResult(ex, id, seq, res, err);
            drain(ex);
        }));
    }

    void onTaskResult(Execution ex, int frameId, long seq, JsonNode result, Throwable err) {
        Frame f = ex.frames.get(frameId);
        if (f == null || !ex.isRunning() || f.phase != Phase.TASK || f.taskSeq != seq) {
            return;
        }
        State.Task s = (State.Task) f.state;
        Resource r = resource(s.resource);
        if (err != null) {
            Throwable c = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
            if (c instanceof TaskFailedException t) {
                taskFailed(ex, f, t.error(), t.cause());
            } else if (c instanceof StatesException t) {
                taskFailed(ex, f, t.error(), t.cause());
            } else {
                taskFailed(ex, f, StatesErrors.TASK_FAILED, String.valueOf(c.getMessage() != null ? c.getMessage() : c));
            }
            return;
        }
        JsonNode res = result == null ? Json.object() : result;
        if (r.pattern() == IntegrationPattern.WAIT_FOR_TASK_TOKEN) {
            if (!f.submitted) {
                Txn tx = new Txn(ex, rt.now());
                ObjectNode d = Txn.payloadDetails("output", Json.write(res));
                d.put("resourceType", r.resourceType()).put("resource", r.resourceName());
                tx.event(f, "TaskSubmitted", "taskSubmittedEventDetails", d);
                tx.op("sub", f);
                commit(tx);
            }
            return;
        }
        taskSucceeded(ex, f, res);
    }

    void taskSucceeded(Execution ex, Frame f, JsonNode result) {
        State.Task s = (State.Task) f.state;
        Resource r = resource(s.resource);
        Txn tx = new Txn(ex, rt.now());
        try {
            String text = Json.write(result);
            checkSize(text, "The state/task '" + s.name + "' returned a result with a size exceeding the maximum "
                    + "number of bytes service limit.");
            if (r.lambdaArn()) {
                tx.event(f, "LambdaFunctionSucceeded", "lambdaFunctionSucceededEventDetails",
                        Txn.payloadDetails("output", text));
            } else {
                ObjectNode d = Txn.payloadDetails("output", text);
                d.put("resourceType", r.resourceType()).put("resource", r.resourceName());
                tx.event(f, "TaskSucceeded", "taskSucceededEventDetails", d);
            }
            FrameScope sc = scope(ex, f);
            if (s.isJsonata()) {
                finishJsonata(tx, ex, f, result, true, sc, s.next);
            } else {
                finishJsonPath(tx, ex, f, result, sc, s.next);
            }
        } catch (StatesException e) {
            handleError(tx, ex, f, e.error(), withLocation(f, e));
        }
    }

    void taskFailed(Execution ex, Frame f, String error, String cause) {
        State.Task s = (State.Task) f.state;
        Resource r = resource(s.resource);
        Txn tx = new Txn(ex, rt.now());
        if (r.lambdaArn()) {
            ObjectNode d = Json.object();
            d.put("error", error);
            d.put("cause", cause);
            tx.event(f, "LambdaFunctionFailed", "lambdaFunctionFailedEventDetails", d);
        } else {
            ObjectNode d = resourceDetails(r);
            d.put("error", error);
            d.put("cause", cause);
            tx.event(f, "TaskFailed", "taskFailedEventDetails", d);
        }
        handleError(tx, ex, f, error, cause);
    }

    private void onTaskTimer(Execution ex, int frameId, long seq, boolean heartbeat, long expectedDue) {
        Frame f = ex.frames.get(frameId);
        if (f == null || !ex.isRunning() || f.phase != Phase.TASK || f.taskSeq != seq) {
            return;
        }
        long now = rt.now();
        long due = heartbeat ? f.heartbeatAt : f.timeoutAt;
        if (due <= 0 || due != expectedDue) {
            return; // a heartbeat moved the deadline: a newer timer is armed
        }
        State.Task s = (State.Task) f.state;
        Resource r = resource(s.resource);
        String error = heartbeat ? StatesErrors.HEARTBEAT_TIMEOUT : StatesErrors.TIMEOUT;
        String cause = heartbeat ? "The task did not send a heartbeat within " + f.effectiveHeartbeat + " seconds."
                : "The task did not complete within " + f.effectiveTimeout + " seconds.";
        Txn tx = new Txn(ex, now);
        ObjectNode d = r.lambdaArn() ? Json.object() : resourceDetails(r);
        d.put("error", error).put("cause", cause);
        tx.event(f, r.lambdaArn() ? "LambdaFunctionTimedOut" : "TaskTimedOut",
                r.lambdaArn() ? "lambdaFunctionTimedOutEventDetails" : "taskTimedOutEventDetails", d);
        tx.op("tmo").put("seq", seq);
        nested.abandon(tx, ex, f, heartbeat ? "the task's heartbeat timed out" : "the task timed out");
        handleError(tx, ex, f, error, cause);
        drain(ex);
    }

    /** SendTaskSuccess/Failure/Heartbeat, already validated by the API; re-checked here in the actor. */
    void onCallback(Execution ex, int frameId, long seq, String token, String kind, JsonNode output, String error,
            String cause) {
        Frame f = ex.frames.get(frameId);
        if (f == null || !ex.isRunning() || f.phase != Phase.TASK || f.taskSeq != seq || !token.equals(f.token)) {
            return;
        }
        switch (kind) {
            case "success" -> taskSucceeded(ex, f, output);
            case "failure" -> taskFailed(ex, f, error, cause);
            default -> {
                if (f.effectiveHeartbeat != null) {
                    Txn tx = new Txn(ex, rt.now());
                    long at = tx.now + f.effectiveHeartbeat * 1000L;
                    tx.op("hb", f).put("hb", at);
                    commit(tx);
                    rt.schedule(ex, at, () -> onTaskTimer(ex, frameId, seq, true, at));
                }
            }
        }
        drain(ex);
    }

    /** A child execution (startExecution.sync or distributed Map item) ended: tell its parent. */
    void onChildDone(Execution parent, Execution child) {
        Execution.ParentLink link = child.parent;
        Frame f = parent.frames.get(link.frameId());
        if (f == null || !parent.isRunning()) {
            return;
        }
        if ("map".equals(link.kind())) {
            mapChildDone(parent, f, link, child);
        } else {
            nested.childDone(parent, link, child);
        }
        drain(parent);
    }

    // =========================================================== Parallel and Map

    private void parallel(Txn tx, Execution ex, Frame f, State.Parallel s) {
        FrameScope sc = scope(ex, f);
        JsonNode branchInput;
        if (s.isJsonata()) {
            branchInput = s.arguments != null ? required(s.arguments.eval(states(f, sc), sc), "Arguments") : f.input;
        } else {
            JsonNode eff = inputPath(s, f.input, sc);
            branchInput = s.parameters != null ? s.parameters.eval(eff, sc) : eff;
        }
        ArrayNode inputs = Json.array();
        for (int i = 0; i < s.branches.size(); i++) {
            inputs.add(branchInput);
        }
        tx.event(f, "ParallelStateStarted", null, null);
        Op op = tx.op("fork", f).put("par", true).put("dist", false).put("max", 0);
        op.set("items", inputs);
        commit(tx);
        afterChild(ex, f);
    }

    private void map(Txn tx, Execution ex, Frame f, State.Map s) {
        FrameScope sc = scope(ex, f);
        if (s.itemReader != null) {
            if (f.reading) {
                return;
            }
            f.reading = true;
            readItems(ex, f, s, sc);
            return;
        }
        JsonNode items;
        if (s.isJsonata()) {
            items = s.itemsJsonata != null ? s.itemsJsonata.eval(states(f, sc), sc) : f.input;
            if (items == null || !items.isArray()) {
                throw new StatesException(StatesErrors.QUERY_EVALUATION_ERROR, "The Items field of the Map state '"
                        + s.name + "' must evaluate to a JSON array, but returned "
                        + (items == null ? "undefined" : Json.write(items)));
            }
        } else {
            JsonNode eff = inputPath(s, f.input, sc);
            items = s.itemsPath != null ? s.itemsPath.read(eff, sc) : eff;
            if (items == null) {
                throw StatesException.runtime("Invalid path '" + s.itemsPath.text() + "' : No results for path: "
                        + s.itemsPath.text());
            }
            if (!items.isArray()) {
                throw StatesException.runtime("Item path " + (s.itemsPath == null ? "$" : s.itemsPath.text())
                        + " in the Map state '" + s.name + "' did not resolve to a JSON array, but to "
                        + Json.typeName(items));
            }
        }
        fork(tx, ex, f, s, items, sc);
    }

    private void readItems(Execution ex, Frame f, State.Map s, FrameScope sc) {
        State.ItemReader reader = s.itemReader;
        JsonNode params;
        try {
            if (s.isJsonata()) {
                params = reader.arguments() != null ? reader.arguments().eval(states(f, sc), sc) : Json.object();
            } else {
                JsonNode eff = inputPath(s, f.input, sc);
                params = reader.parameters() != null ? reader.parameters().eval(eff, sc) : Json.object();
            }
        } catch (StatesException e) {
            f.reading = false;
            handleError(new Txn(ex, rt.now()), ex, f, e.error(), withLocation(f, e));
            return;
        }
        ObjectNode p = params.isObject() ? ((ObjectNode) params).deepCopy() : Json.object();
        p.set("ReaderConfig", reader.readerConfig());
        TaskIntegration integration = null;
        for (TaskIntegration i : rt.integrations) {
            if (i.supports(reader.resource())) {
                integration = i;
                break;
            }
        }
        CompletionStage<JsonNode> cs;
        if (integration == null) {
            cs = CompletableFuture.failedFuture(new TaskFailedException(StatesErrors.ITEM_READER_FAILED,
                    "No service integration is registered for the ItemReader resource '" + reader.resource() + "'"));
        } else {
            try {
                cs = integration.invoke(new TaskRequest(reader.resource(), reader.resource(),
                        IntegrationPattern.REQUEST_RESPONSE, p, null, ex.arn, s.name, null, null, null, 0));
            } catch (RuntimeException e) {
                cs = CompletableFuture.failedFuture(e);
            }
        }
        int id = f.id;
        long marker = f.enteredEventId * 1000 + f.attempt;
        cs.whenComplete((res, err) -> rt.post(ex, () -> {
            Frame fr = ex.frames.get(id);
            if (fr == null || !ex.isRunning() || fr.enteredEventId * 1000 + fr.attempt != marker
                    || (fr.phase != Phase.ENTER && fr.phase != Phase.RETRY)) {
                return;
            }
            fr.reading = false;
            Txn tx = new Txn(ex, rt.now());
            try {
                if (err != null) {
                    Throwable c = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
                    String cause = c instanceof TaskFailedException t ? t.error() + ": " + t.cause() : c.toString();
                    throw new StatesException(StatesErrors.ITEM_READER_FAILED, cause);
                }
                JsonNode items = ItemReaders.toItems(res, reader.readerConfig());
                fork(tx, ex, fr, s, items, scope(ex, fr));
            } catch (StatesException e) {
                handleError(tx, ex, fr, e.error(), withLocation(fr, e));
            }
            drain(ex);
        }));
    }

    private void fork(Txn tx, Execution ex, Frame f, State.Map s, JsonNode items, FrameScope sc) {
        ArrayNode inputs = Json.array();
        JsonNode eff = s.isJsonata() ? f.input : inputPath(s, f.input, sc);
        for (int i = 0; i < items.size(); i++) {
            JsonNode item = items.get(i);
            JsonNode in = item;
            if (s.itemSelector != null || s.itemSelectorJsonata != null) {
                FrameScope isc = scope(ex, f);
                isc.mapIndex = i;
                isc.mapValue = item;
                if (s.isJsonata()) {
                    in = required(s.itemSelectorJsonata.eval(states(f, isc), isc), "ItemSelector");
                } else {
                    in = s.itemSelector.eval(eff, isc);
                }
            }
            inputs.add(in);
        }
        if (s.itemBatcher != null) {
            inputs = batch(s, inputs, eff, sc, f);
        }
        int max = 0;
        if (s.maxConcurrency != null) {
            max = s.maxConcurrency;
        } else if (s.maxConcurrencyPath != null) {
            JsonNode v = s.maxConcurrencyPath.read(eff, sc);
            if (v == null || !v.canConvertToInt() || v.intValue() < 0) {
                throw StatesException.runtime("The MaxConcurrencyPath field must resolve to a non-negative integer");
            }
            max = v.intValue();
        } else if (s.maxConcurrencyJsonata != null) {
            JsonNode v = s.maxConcurrencyJsonata.eval(states(f, sc), sc);
            if (v == null || !v.canConvertToInt() || v.intValue() < 0) {
                throw new StatesException(StatesErrors.QUERY_EVALUATION_ERROR,
                        "The MaxConcurrency field must evaluate to a non-negative integer");
            }
            max = v.intValue();
        }
        if (s.distributed) {
            long tc = -1;
            double tp = -1;
            if (s.toleratedFailureCount != null) {
                tc = s.toleratedFailureCount.longValue();
            } else if (s.toleratedFailureCountPath != null) {
                JsonNode v = s.toleratedFailureCountPath.read(eff, sc);
                if (v == null || !v.isIntegralNumber() || v.longValue() < 0) {
                    throw StatesException.runtime("ToleratedFailureCountPath must resolve to a non-negative integer");
                }
                tc = v.longValue();
            } else if (s.toleratedFailureCountJsonata != null) {
                JsonNode v = s.toleratedFailureCountJsonata.eval(states(f, sc), sc);
                if (v == null || !v.isNumber() || v.longValue() < 0) {
                    throw new StatesException(StatesErrors.QUERY_EVALUATION_ERROR,
                            "ToleratedFailureCount must evaluate to a non-negative integer");
                }
                tc = v.longValue();
            }
            if (s.toleratedFailurePercentage != null) {
                tp = s.toleratedFailurePercentage;
            } else if (s.toleratedFailurePercentagePath != null) {
                JsonNode v = s.toleratedFailurePercentagePath.read(eff, sc);
                if (v == null || !v.isNumber() || v.doubleValue() < 0 || v.doubleValue() > 100) {
                    throw StatesException.runtime("ToleratedFailurePercentagePath must resolve to a number 0-100");
                }
                tp = v.doubleValue();
            } else if (s.toleratedFailurePercentageJsonata != null) {
                JsonNode v = s.toleratedFailurePercentageJsonata.eval(states(f, sc), sc);
                if (v == null || !v.isNumber() || v.doubleValue() < 0 || v.doubleValue() > 100) {
                    throw new StatesException(StatesErrors.QUERY_EVALUATION_ERROR,
                            "ToleratedFailurePercentage must evaluate to a number between 0 and 100");
                }
                tp = v.doubleValue();
            }
            String label = s.label != null ? s.label : s.name;
            String runArn = "arn:aws:states:" + rt.region + ":" + rt.accountId + ":mapRun:" + ex.stateMachineName
                    + "/" + label + ":" + UUID.nameUUIDFromBytes((ex.arn + "/" + f.id + "/" + f.enteredEventId + "/"
                            + f.attempt + "/" + ex.redriveCount).getBytes(StandardCharsets.UTF_8));
            tx.event(f, "MapRunStarted", "mapRunStartedEventDetails", Json.object().put("mapRunArn", runArn));
            Op op = tx.op("fork", f).put("par", false).put("dist", true).put("max", max).put("tc", tc)
                    .put("tp", tp).put("run", runArn);
            op.set("items", inputs);
        } else {
            tx.event(f, "MapStateStarted", "mapStateStartedEventDetails", Json.object().put("length", inputs.size()));
            Op op = tx.op("fork", f).put("par", false).put("dist", false).put("max", max);
            op.set("items", inputs);
        }
        commit(tx);
        afterChild(ex, f);
    }

    private ArrayNode batch(State.Map s, ArrayNode items, JsonNode eff, FrameScope sc, Frame f) {
        State.ItemBatcher b = s.itemBatcher;
        Integer maxItems = b.maxItemsPerBatch();
        if (b.maxItemsPerBatchPath() != null) {
            JsonNode v = b.maxItemsPerBatchPath().read(eff, sc);
            if (v == null || !v.canConvertToInt() || v.intValue() < 1) {
                throw StatesException.runtime("MaxItemsPerBatchPath must resolve to a positive integer");
            }
            maxItems = v.intValue();
        } else if (b.maxItemsJsonata() != null) {
            JsonNode v = b.maxItemsJsonata().eval(states(f, sc), sc);
            if (v == null || !v.canConvertToInt() || v.intValue() < 1) {
                throw new StatesException(StatesErrors.QUERY_EVALUATION_ERROR,
                        "MaxItemsPerBatch must evaluate to a positive integer");
            }
            maxItems = v.intValue();
        }
        Integer maxBytes = b.maxInputBytesPerBatch();
        if (b.maxInputBytesPerBatchPath() != null) {
            JsonNode v = b.maxInputBytesPerBatchPath().read(eff, sc);
            if (v == null || !v.canConvertToInt() || v.intValue() < 1) {
                throw StatesException.runtime("MaxInputBytesPerBatchPath must resolve to a positive integer");
            }
            maxBytes = v.intValue();
        }
        JsonNode batchInput = null;
        if (b.batchInput() != null) {
            batchInput = b.batchInput().eval(eff, sc);
        } else if (b.batchInputJsonata() != null) {
            batchInput = b.batchInputJsonata().eval(states(f, sc), sc);
        }
        ArrayNode out = Json.array();
        ArrayNode cur = null;
        int curBytes = 0;
        for (JsonNode item : items) {
            int size = Json.write(item).getBytes(StandardCharsets.UTF_8).length;
            boolean full = cur != null && ((maxItems != null && cur.size() >= maxItems)
                    || (maxBytes != null && curBytes + size > maxBytes));
            if (cur == null || full) {
                ObjectNode batch = out.addObject();
                if (batchInput != null) {
                    batch.set("BatchInput", batchInput);
                }
                cur = batch.putArray("Items");
                curBytes = 0;
            }
            cur.add(item);
            curBytes += size;
        }
        return out;
    }

    /** Starts more branches/iterations if allowed, or finishes the Parallel/Map when all are done. */
    private void afterChild(Execution ex, Frame p) {
        Frame.Children c = p.children;
        if (c == null || p.phase != Phase.CHILDREN || !ex.isRunning() || c.failError != null
                || ex.frames.get(p.id) != p) {
            return;
        }
        Txn tx = new Txn(ex, rt.now());
        if (c.allDone()) {
            finishChildren(tx, ex, p);
            return;
        }
        int next = c.nextToStart;
        int inFlight = c.inFlight();
        List<Object[]> distributedStarts = new ArrayList<>();
        while (next < c.total() && (c.maxConcurrency <= 0 || inFlight < c.maxConcurrency)) {
            if (c.finished[next]) {
                next++;
                continue;
            }
            JsonNode input = c.inputs.get(next);
            if (c.distributed) {
                String name = UUID.nameUUIDFromBytes((c.mapRunArn + "/" + next).getBytes(StandardCharsets.UTF_8))
                        .toString();
                String label = c.mapRunArn.substring(c.mapRunArn.indexOf(":mapRun:") + 8, c.mapRunArn.lastIndexOf(':'));
                String arn = "arn:aws:states:" + rt.region + ":" + rt.accountId + ":execution:" + label + ":" + name;
                tx.op("dchild", p).put("i", next).put("arn", arn);
                distributedStarts.add(new Object[] {next, arn, name, input, label});
            } else {
                startInlineChild(tx, p, next, input);
            }
            next++;
            inFlight++;
        }
        commit(tx);
        for (Object[] d : distributedStarts) {
            startMapChild(ex, p, (Integer) d[0], (String) d[1], (String) d[2], (JsonNode) d[3], (String) d[4]);
        }
    }

    private void startInlineChild(Txn tx, Frame p, int idx, JsonNode input) {
        State first;
        long prev;
        if (p.state instanceof State.Parallel par) {
            first = par.branches.get(idx).start();
            prev = tx.lastEventId(p);
        } else {
            State.Map m = (State.Map) p.state;
            first = m.processor.start();
            prev = tx.event(p, "MapIterationStarted", "mapIterationStartedEventDetails",
                    Json.object().put("name", m.name).put("index", idx));
        }
        int cid = tx.newFrameId();
        long eid = tx.stateEvent(cid, prev, first.enteredEventType(), "stateEnteredEventDetails",
                first.name, "input", Json.write(input), null);
        Op op = tx.op("child", p).put("c", cid).put("i", idx).put("s", first.name).put("t", tx.now)
                .put("eid", eid).put("le", prev);
        op.set("in", input);
        tx.toRun.add(cid);
    }

    private void startMapChild(Execution ex, Frame p, int idx, String arn, String name, JsonNode input, String label) {
        State.Map m = (State.Map) p.state;
        Execution existing = rt.executions.get(arn);
        if (existing != null) {
            synchronized (existing) {
                if (!existing.isRunning()) {
                    rt.post(ex, () -> onChildDone(ex, existing));
                }
            }
            return;
        }
        String smArn = "arn:aws:states:" + rt.region + ":" + rt.accountId + ":stateMachine:" + label;
        Execution.ParentLink link = new Execution.ParentLink(ex.id, p.id, p.enteredEventId * 1000 + p.attempt, idx,
                "map");
        Execution child = rt.createExecution(arn, name, smArn, null, label, ex.roleArn, Json.write(m.processorJson),
                false, input, Json.write(input), null, link, p.children.mapRunArn);
        rt.post(child, () -> begin(child));
    }

    private void resumeDistributed(Execution ex, Frame p) {
        Frame.Children c = p.children;
        State.Map m = (State.Map) p.state;
        String label = c.mapRunArn.substring(c.mapRunArn.indexOf(":mapRun:") + 8, c.mapRunArn.lastIndexOf(':'));
        for (int i = 0; i < c.total(); i++) {
            if (c.finished[i] || c.childArns[i] == null) {
                continue;
            }
            Execution child = rt.executions.get(c.childArns[i]);
            if (child == null) {
                String arn = c.childArns[i];
                startMapChild(ex, p, i, arn, arn.substring(arn.lastIndexOf(':') + 1), c.inputs.get(i), label);
            } else if (!child.isRunning()) {
                rt.post(ex, () -> onChildDone(ex, child));
            }
        }
        if (m == null) {
            throw new IllegalStateException();
        }
    }

    private void mapChildDone(Execution ex, Frame p, Execution.ParentLink link, Execution child) {
        Frame.Children c = p.children;
        if (p.phase != Phase.CHILDREN || c == null || !c.distributed
                || link.taskSeq() != p.enteredEventId * 1000 + p.attempt || c.finished[link.index()]
                || !child.arn.equals(c.childArns[link.index()])) {
            return;
        }
        Txn tx = new Txn(ex, rt.now());
        boolean ok;
        Op op = tx.op("cdone", p).put("i", link.index());
        synchronized (child) {
            ok = "SUCCEEDED".equals(child.status);
            op.put("ok", ok);
            if (ok) {
                op.set("out", Json.parse(child.output));
            }
        }
        commit(tx);
        if (!ok) {
            boolean exceeded;
            boolean hasCount = c.toleratedCount >= 0;
            boolean hasPct = c.toleratedPercentage >= 0;
            if (!hasCount && !hasPct) {
                exceeded = c.failed > 0;
            } else {
                exceeded = (hasCount && c.failed > c.toleratedCount)
                        || (hasPct && c.failed * 100.0 / c.total() > c.toleratedPercentage);
            }
            if (exceeded) {
                Txn ftx = new Txn(ex, rt.now());
                String error = StatesErrors.EXCEED_TOLERATED_FAILURE_THRESHOLD;
                String cause = "The specified tolerated failure threshold was exceeded";
                ftx.event(p, "MapRunFailed", "mapRunFailedEventDetails", Json.object().put("error", error)
                        .put("cause", cause));
                ftx.op("pfail", p).put("err", error).put("cause", cause);
                stopDistributedChildren(p);
                handleError(ftx, ex, p, error, cause);
                return;
            }
        }
        afterChild(ex, p);
    }

    private void stopDistributedChildren(Frame p) {
        Frame.Children c = p.children;
        if (c == null || !c.distributed) {
            return;
        }
        for (int i = 0; i < c.total(); i++) {
            if (!c.finished[i] && c.childArns[i] != null) {
                Execution child = rt.executions.get(c.childArns[i]);
                if (child != null) {
                    rt.post(child, () -> stop(child, "States.Aborted", "The parent Map Run was aborted"));
                }
            }
        }
    }

    private void finishChildren(Txn tx, Execution ex, Frame p) {
        Frame.Children c = p.children;
        ArrayNode results = Json.array();
        for (int i = 0; i < c.total(); i++) {
            results.add(c.results[i] == null ? Json.NODES.nullNode() : c.results[i]);
        }
        if (c.parallel) {
            tx.event(p, "ParallelStateSucceeded", null, null);
        } else if (c.distributed) {
            tx.event(p, "MapRunSucceeded", null, null);
        } else {
            tx.event(p, "MapStateSucceeded", null, null);
        }
        tx.op("drop", p);
        try {
            FrameScope sc = scope(ex, p);
            State s = p.state;
            if (s.isJsonata()) {
                finishJsonata(tx, ex, p, results, true, sc, s.next);
            } else {
                finishJsonPath(tx, ex, p, results, sc, s.next);
            }
        } catch (StatesException e) {
            handleError(tx, ex, p, e.error(), withLocation(p, e));
        }
    }

    // =========================================================== results, transitions, errors

    private void finishJsonPath(Txn tx, Execution ex, Frame f, JsonNode result, FrameScope sc, String next) {
        State s = f.state;
        // Assign sees the raw result (before ResultSelector), like every other consumer of the variables
        JsonNode vars = s.assignPath != null ? assignPath(s.assignPath, result, sc) : null;
        JsonNode selected = s.resultSelector != null ? s.resultSelector.eval(result, sc) : result;
        JsonNode out;
        if (s.resultPathNull) {
            out = f.input;
        } else if (s.resultPath == null) {
            out = selected;
        } else {
            out = s.resultPath.write(f.input, selected);
        }
        out = outputPath(s, out, sc);
        transition(tx, ex, f, out, vars, next);
    }

    private void finishJsonata(Txn tx, Execution ex, Frame f, JsonNode result, boolean hasResult, FrameScope sc,
            String next) {
        State s = f.state;
        ObjectNode st = states(f, sc);
        if (hasResult) {
            st.set("result", result);
        }
        JsonNode vars = assignJsonata(s.assignJsonata, st, sc);
        JsonNode out = s.output != null ? required(s.output.eval(st, sc), "Output") : result;
        transition(tx, ex, f, out, vars, next);
    }

    /** Records StateExited and either enters {@code next} or completes the frame. Commits. */
    private void transition(Txn tx, Execution ex, Frame f, JsonNode out, JsonNode vars, String next) {
        State s = f.state;
        String text = Json.write(out);
        checkSize(text, "The state '" + s.name + "' returned an output with a size exceeding the maximum number "
                + "of bytes service limit.");
        ObjectNode av = null;
        if (vars != null && vars.size() > 0) {
            ObjectNode assigned = Json.object();
            vars.properties().forEach(e -> assigned.put(e.getKey(), Json.write(e.getValue())));
            av = assigned;
        }
        tx.stateEvent(f.id, tx.lastEventId(f), s.exitedEventType(), "stateExitedEventDetails", s.name,
                "output", text, av);
        if (next == null) {
            completeFrame(tx, ex, f, out, text);
            return;
        }
        State n = next.equals(s.next) && s.nextState != null ? s.nextState : f.scope.state(next);
        long eid = tx.stateEvent(f.id, tx.lastEventId(f), n.enteredEventType(),
                "stateEnteredEventDetails", n.name, "input", text, null);
        Op op = tx.op("enter", f);
        op.s = n.name;
        op.state = n;
        op.t = tx.now;
        op.eid = eid;
        op.in = out;
        if (vars != null && vars.size() > 0) {
            op.v = vars;
        }
        if (tx.chainable && tx.events.size() < 4000 && tx.payloadChars < 1_000_000) {
            // chain the next state into this transaction: nothing leaves the engine before it is committed
            synchronized (ex) {
                Model.applyPendingOps(ex, tx);
            }
            tx.continueWith = f;
            return;
        }
        tx.toRun.add(f.id);
        commit(tx);
    }

    private void completeFrame(Txn tx, Execution ex, Frame f, JsonNode out, String text) {
        if (f.parent == null) {
            tx.payloadEvent(f.id, tx.lastEventId(f), "ExecutionSucceeded", "executionSucceededEventDetails", "output",
                    text, null);
            tx.op("end").put("status", "SUCCEEDED").put("at", tx.now).put("out", text);
            commit(tx);
            ended(ex);
            return;
        }
        Frame p = f.parent;
        if (p.state instanceof State.Map m) {
            tx.event(p.id, tx.lastEventId(f), "MapIterationSucceeded", "mapIterationSucceededEventDetails",
                    Json.object().put("name", m.name).put("index", f.index));
        } else {
            tx.setLastEventId(p.id, tx.lastEventId(f));
        }
        Op op = tx.op("cdone", p).put("i", f.index).put("ok", true);
        op.set("out", out);
        commit(tx);
        afterChild(ex, p);
    }

    /** Routes an error through Retry and Catch, or fails the frame. Commits. */
    private void handleError(Txn tx, Execution ex, Frame f, String error, String cause) {
        State s = f.state;
        if (StatesErrors.QUERY_EVALUATION_ERROR.equals(error)) {
            ObjectNode d = Json.object().put("error", error).put("cause", cause).put("state", s.name);
            tx.event(f, "EvaluationFailed", "evaluationFailedEventDetails", d);
        }
        if (!StatesErrors.isTerminal(error)) {
            for (int i = 0; i < s.retry.size(); i++) {
                Retrier r = s.retry.get(i);
                if (!StatesErrors.matchesAny(r.errorEquals(), error)) {
                    continue;
                }
                int count = f.retryCounts.length > i ? f.retryCounts[i] : 0;
                if (count < r.maxAttempts()) {
                    double delay = r.intervalSeconds() * Math.pow(r.backoffRate(), count);
                    if (r.maxDelaySeconds() != null) {
                        delay = Math.min(delay, r.maxDelaySeconds());
                    }
                    if (r.fullJitter()) {
                        delay = ThreadLocalRandom.current().nextDouble() * delay;
                    }
                    long at = tx.now + (long) (delay * 1000);
                    if (f.children != null) {
                        tx.op("drop", f);
                    }
                    tx.op("retry", f).put("i", i).put("at", at);
                    commit(tx);
                    int id = f.id;
                    rt.schedule(ex, at, () -> onRetry(ex, id, at));
                    return;
                }
                break;
            }
            for (Catcher c : s.catchers) {
                if (!StatesErrors.matchesAny(c.errorEquals(), error)) {
                    continue;
                }
                try {
                    ObjectNode errorOutput = Json.object();
                    errorOutput.put("Error", error);
                    if (cause != null) {
                        errorOutput.put("Cause", cause);
                    }
                    FrameScope sc = scope(ex, f);
                    JsonNode out;
                    JsonNode vars;
                    if (s.isJsonata()) {
                        ObjectNode st = states(f, sc);
                        st.set("errorOutput", errorOutput);
                        vars = assignJsonata(c.assignJsonata(), st, sc);
                        out = c.output() != null ? required(c.output().eval(st, sc), "Output") : errorOutput;
                    } else {
                        vars = c.assignPath() != null ? assignPath(c.assignPath(), errorOutput, sc) : null;
                        out = c.discardResult() ? f.input : c.resultPath() == null ? errorOutput
                                : c.resultPath().write(f.input, errorOutput);
                    }
                    if (f.children != null) {
                        tx.op("drop", f);
                    }
                    transition(tx, ex, f, out, vars, c.next());
                    return;
                } catch (StatesException e) {
                    error = e.error();
                    cause = withLocation(f, e);
                    break;
                }
            }
        }
        failFrame(tx, ex, f, error, cause);
    }

    private void onRetry(Execution ex, int frameId, long until) {
        Frame f = ex.frames.get(frameId);
        if (f == null || !ex.isRunning() || f.phase != Phase.RETRY || f.until != until) {
            return;
        }
        runState(ex, f);
        drain(ex);
    }

    /** The frame failed with no handler: fail the execution or the enclosing Parallel/Map. Commits. */
    private void failFrame(Txn tx, Execution ex, Frame f, String error, String cause) {
        tx.op("ffail", f).put("err", error).put("cause", cause);
        if (f.parent == null) {
            ObjectNode d = Json.object();
            if (error != null) {
                d.put("error", error);
            }
            if (cause != null) {
                d.put("cause", cause);
            }
            tx.event(f, "ExecutionFailed", "executionFailedEventDetails", d);
            tx.op("end").put("status", "FAILED").put("at", tx.now).put("err", error).put("cause", cause);
            commit(tx);
            ended(ex);
            return;
        }
        Frame p = f.parent;
        State ps = p.state;
        if (ps instanceof State.Map m) {
            tx.event(p.id, tx.lastEventId(f), "MapIterationFailed", "mapIterationFailedEventDetails",
                    Json.object().put("name", m.name).put("index", f.index));
        } else {
            tx.setLastEventId(p.id, tx.lastEventId(f));
        }
        tx.op("cdone", p).put("i", f.index).put("ok", false);
        tx.op("pfail", p).put("err", error).put("cause", cause);
        abortChildren(tx, ex, p, f.index);
        tx.event(p, ps instanceof State.Map ? "MapStateFailed" : "ParallelStateFailed", null, null);
        handleError(tx, ex, p, error, cause);
    }

    private void abortChildren(Txn tx, Execution ex, Frame p, int except) {
        Frame.Children c = p.children;
        if (c == null) {
            return;
        }
        if (c.distributed) {
            stopDistributedChildren(p);
            return;
        }
        for (Frame child : new ArrayList<>(c.running.values())) {
            if (child.index == except || child.phase == Phase.FAILED || c.finished[child.index]) {
                continue;
            }
            abortTree(tx, ex, child);
            if (p.state instanceof State.Map m) {
                tx.event(p, "MapIterationAborted", "mapIterationAbortedEventDetails",
                        Json.object().put("name", m.name).put("index", child.index));
            }
        }
    }

    private void abortTree(Txn tx, Execution ex, Frame f) {
        nested.abandon(tx, ex, f, "its branch was aborted");
        tx.op("abort", f);
        if (f.children != null) {
            for (Frame c : f.children.running.values()) {
                abortTree(tx, ex, c);
            }
        }
    }

    /** StopExecution or the execution's TimeoutSeconds. */
    void stop(Execution ex, String error, String cause) {
        terminate(ex, "ABORTED", "ExecutionAborted", "executionAbortedEventDetails", error, cause);
    }

    private void terminate(Execution ex, String status, String type, String key, String error, String cause) {
        if (!ex.isRunning()) {
            return;
        }
        Txn tx = new Txn(ex, rt.now());
        List<Frame> frames = new ArrayList<>(ex.frames.values());
        for (Frame f : frames) {
            if (f.phase != Phase.FAILED) {
                nested.abandon(tx, ex, f, "the execution ended with status " + status);
                tx.op("abort", f);
            }
            if (f.children != null && f.children.distributed) {
                stopDistributedChildren(f);
            }
        }
        ObjectNode d = Json.object();
        if (error != null) {
            d.put("error", error);
        }
        if (cause != null) {
            d.put("cause", cause);
        }
        tx.event(null, type, key, d);
        tx.op("end").put("status", status).put("at", tx.now).put("err", error).put("cause", cause);
        commit(tx);
        ended(ex);
    }

    /** RedriveExecution: restarts unfinished frames from their current states. */
    void redrive(Execution ex) {
        Txn tx = new Txn(ex, rt.now());
        tx.event(null, "ExecutionRedriven", "executionRedrivenEventDetails",
                Json.object().put("redriveCount", ex.redriveCount + 1));
        ObjectNode le = Json.object();
        List<Frame> frames = new ArrayList<>(ex.frames.values());
        frames.sort(Comparator.comparingInt(f -> f.id));
        for (Frame f : frames) {
            if (f.children == null) {
                long eid = tx.stateEvent(f.id, tx.nextEventId() - 1, f.state.enteredEventType(),
                        "stateEnteredEventDetails", f.state.name, "input", Json.write(f.input), null);
                le.put(String.valueOf(f.id), eid);
            }
        }
        Op op = tx.op("redrive").put("at", tx.now);
        op.set("le", le);
        commit(tx);
        rt.notifyListeners(ex);
        resume(ex);
    }

    private void ended(Execution ex) {
        List<CompletableFuture<Execution>> waiters;
        synchronized (ex) {
            waiters = new ArrayList<>(ex.waiters);
            ex.waiters.clear();
        }
        for (CompletableFuture<Execution> w : waiters) {
            w.complete(ex);
        }
        rt.notifyListeners(ex);
        if (ex.parent != null) {
            Execution parent = rt.executionById(ex.parent.executionId());
            if (parent != null) {
                rt.post(parent, () -> onChildDone(parent, ex));
            }
        }
        ex.runnable.clear();
    }

    // =========================================================== helpers

    private static JsonNode required(JsonNode v, String field) {
        if (v == null) {
            throw new StatesException(StatesErrors.QUERY_EVALUATION_ERROR, "The JSONata expression of the field '"
                    + field + "' returned nothing (undefined)");
        }
        return v;
    }

    private static JsonNode assignPath(PayloadTemplate t, JsonNode input, EvalScope sc) {
        return t.eval(input, sc);
    }

    private static JsonNode assignJsonata(JsonataTemplate t, ObjectNode st, EvalScope sc) {
        if (t == null) {
            return null;
        }
        JsonNode v = t.eval(st, sc);
        if (v == null || !v.isObject()) {
            throw new StatesException(StatesErrors.QUERY_EVALUATION_ERROR, "The Assign field must evaluate to an "
                    + "object of variables");
        }
        return v;
    }

    private static JsonNode inputPath(State s, JsonNode raw, EvalScope sc) {
        if (s.inputPathNull) {
            return Json.object();
        }
        if (s.inputPath == null) {
            return raw;
        }
        JsonNode v = s.inputPath.read(raw, sc);
        if (v == null) {
            throw StatesException.runtime("Invalid path '" + s.inputPath.text() + "' : No results for path: "
                    + bracketed(s.inputPath));
        }
        return v;
    }

    private static JsonNode outputPath(State s, JsonNode out, EvalScope sc) {
        if (s.outputPathNull) {
            return Json.object();
        }
        if (s.outputPath == null) {
            return out;
        }
        JsonNode v = s.outputPath.read(out, sc);
        if (v == null) {
            throw StatesException.runtime("Invalid path '" + s.outputPath.text() + "' : No results for path: "
                    + bracketed(s.outputPath));
        }
        return v;
    }

    private static String bracketed(JsonPathExpr p) {
        String t = p.text();
        if (!t.startsWith("$.")) {
            return t;
        }
        StringBuilder sb = new StringBuilder("$");
        for (String part : t.substring(2).split("\\.")) {
            int b = part.indexOf('[');
            String name = b < 0 ? part : part.substring(0, b);
            if (!name.isEmpty()) {
                sb.append("['").append(name).append("']");
            }
            if (b >= 0) {
                sb.append(part.substring(b));
            }
        }
        return sb.toString();
    }

    private static void checkSize(String json, String message) {
        if (Json.exceedsQuota(json)) {
            throw new StatesException(StatesErrors.DATA_LIMIT_EXCEEDED, message);
        }
    }


    private ObjectNode states(Frame f, FrameScope sc) {
        ObjectNode st = Json.object();
        st.set("input", f.input);
        st.set("context", sc.context());
        return st;
    }

    private FrameScope scope(Execution ex, Frame f) {
        return new FrameScope(ex, f);
    }

    /** Variables and the context object as seen from a frame. */
    private final class FrameScope implements EvalScope {
        final Execution ex;
        final Frame f;
        String token;
        int mapIndex = -1;
        JsonNode mapValue;
        private ObjectNode ctx;

        FrameScope(Execution ex, Frame f) {
            this.ex = ex;
            this.f = f;
            this.token = f.token;
        }

        @Override
        public JsonNode context() {
            if (ctx == null) {
                ctx = Json.object();
                ObjectNode e = ctx.putObject("Execution");
                e.put("Id", ex.arn);
                e.set("Input", ex.input);
                e.put("Name", ex.name);
                e.put("RoleArn", ex.roleArn);
                e.put("StartTime", Txn.iso(ex.startDate));
                e.put("RedriveCount", ex.redriveCount);
                if (ex.redriveCount > 0) {
                    e.put("RedriveTime", Txn.iso(ex.redriveDate));
                }
                ObjectNode st = ctx.putObject("State");
                st.put("EnteredTime", Txn.iso(f.enteredAt));
                st.put("Name", f.state.name);
                st.put("RetryCount", f.attempt);
                ObjectNode sm = ctx.putObject("StateMachine");
                sm.put("Id", ex.stateMachineArn);
                sm.put("Name", ex.stateMachineName);
                if (token != null) {
                    ctx.putObject("Task").put("Token", token);
                }
                if (mapIndex >= 0) {
                    ObjectNode item = ctx.putObject("Map").putObject("Item");
                    item.put("Index", mapIndex);
                    item.set("Value", mapValue);
                }
            }
            return ctx;
        }

        @Override
        public JsonNode variable(String name) {
            return f.variable(name);
        }

        @Override
        public void forEachVariable(java.util.function.BiConsumer<String, JsonNode> visitor) {
            f.forEachVariable(visitor);
        }
    }
}
