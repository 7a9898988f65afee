package dev.skyloom.local.sfn.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.local.sfn.IntegrationPattern;
import dev.skyloom.local.sfn.TaskFailedException;
import dev.skyloom.local.sfn.asl.State;
import dev.skyloom.local.sfn.expr.Json;
import dev.skyloom.local.sfn.expr.StatesErrors;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.UUID;

/**
 * The Step Functions service integration ({@code arn:aws:states:::states:startExecution}, plain, {@code .sync},
 * {@code .sync:2} and {@code .waitForTaskToken}): child executions started from a Task state, as AWS runs them.
 *
 * <p>Durability comes from the journal, not from callbacks held in memory. Every child records a {@link
 * Execution.ParentLink} (parent execution, frame and task sequence) in its start record, and unnamed children get a
 * name derived from that task attempt, so the child of a task attempt can always be found again:
 * <ul>
 *   <li>re-invoking a task after a restart finds the child the attempt already started (running or ended) instead
 *       of starting a second one or failing with ExecutionAlreadyExists;</li>
 *   <li>a child that ends tells its parent through the link ({@link Interpreter#onChildDone}); a parent that
 *       restarts re-attaches by looking the child up, so a child that ended just before a crash is not missed;</li>
 *   <li>a child whose parent no longer waits for it (stopped, timed out, aborted branch) is stopped, and one found
 *       running in that state at recovery (the stop was lost in a crash) is stopped then.</li>
 * </ul>
 * A same-name, same-input child that some other caller started is waited for through {@link Runtime#whenDone}; the
 * task re-invocation at recovery re-registers that wait.
 */
final class NestedExecutions {
    static final String START_EXECUTION = "arn:aws:states:::states:startExecution";
    private static final String KIND_SYNC = "sync";
    private static final String KIND_SYNC2 = "sync2";
    /** Fire-and-forget and .waitForTaskToken children: linked for idempotency only, nobody waits on their end. */
    static final String KIND_START = "start";
    /** The error a stopped child gets (the engine uses it for Map Run children too). */
    private static final String ABORTED = "States.Aborted";
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME;

    private final Runtime rt;
    private final Interpreter interpreter;

    NestedExecutions(Runtime rt, Interpreter interpreter) {
        this.rt = rt;
        this.interpreter = interpreter;
    }

    static boolean handles(String baseResource) {
        return START_EXECUTION.equals(baseResource);
    }

    /** Runs the task (in the parent's actor, after its TaskScheduled/TaskStarted were committed). */
    void invoke(Execution ex, Frame f, Interpreter.Resource r, long seq) {
        int frameId = f.id;
        Execution child;
        try {
            child = startOrFind(ex, f, r.pattern());
        } catch (TaskFailedException e) {
            interpreter.onTaskResult(ex, frameId, seq, null, e);
            return;
        }
        if (r.pattern() != IntegrationPattern.RUN_JOB) {
            // fire and forget: the StartExecution response is the result; .waitForTaskToken: it is TaskSubmitted's
            interpreter.onTaskResult(ex, frameId, seq, startResponse(child), null);
            return;
        }
        if (!f.submitted) {
            Txn tx = new Txn(ex, rt.now());
            ObjectNode d = Txn.payloadDetails("output", Json.write(startResponse(child)));
            d.put("resourceType", r.resourceType()).put("resource", r.resourceName());
            tx.event(f, "TaskSubmitted", "taskSubmittedEventDetails", d);
            tx.op("sub", f);
            interpreter.commitTxn(tx);
        }
        await(ex, f, child, KIND_SYNC2.equals(kind(f)));
    }

    /** The child of this task attempt if it started one, else a new (or same-name running) execution. */
    private Execution startOrFind(Execution ex, Frame f, IntegrationPattern pattern) {
        JsonNode p = f.params;
        if (p == null || !p.isObject() || !p.path("StateMachineArn").isTextual()) {
            throw new TaskFailedException("StepFunctions.ValidationException", "The parameter StateMachineArn is "
                    + "required (a state machine, version or alias ARN); the task's parameters were "
                    + (p == null ? "null" : Json.write(p)));
        }
        String smArn = p.get("StateMachineArn").textValue();
        JsonNode inputNode = p.get("Input");
        String inputText = inputNode == null || inputNode.isNull() ? "{}"
                : inputNode.isTextual() ? inputNode.textValue() : Json.write(inputNode);
        String name = childName(ex, f);
        String kind = pattern == IntegrationPattern.RUN_JOB ? kind(f) : KIND_START;
        Execution.ParentLink link = new Execution.ParentLink(ex.id, f.id, f.taskSeq, 0, kind);
        try {
            String arn = rt.standardExecutionArn(smArn, name);
            Execution existing = arn == null ? null : rt.executions.get(arn);
            if (existing != null && (owns(existing, ex, f) || f.submitted)) {
                // invoked again after a restart: this attempt already started it, or (TaskSubmitted is journaled)
                // StartExecution already returned it; it may have ended meanwhile, so do not ask StartExecution again
                return existing;
            }
            return rt.startExecution(smArn, name, inputText, p.path("TraceHeader").textValue(), link);
        } catch (ServiceException e) {
            String code = e.code();
            throw new TaskFailedException("StepFunctions." + code + (code.endsWith("Exception") ? "" : "Exception"),
                    e.getMessage() + " (Service: AWSStepFunctions; Status Code: 400; Error Code: " + code
                            + "; Request ID: " + UUID.randomUUID() + "; Proxy: null)");
        }
    }

    /** The Name parameter, else a name derived from this task attempt (stable across restarts, new per retry). */
    private static String childName(Execution ex, Frame f) {
        JsonNode n = f.params == null ? null : f.params.get("Name");
        if (n != null && n.isTextual()) {
            return n.textValue();
        }
        return UUID.nameUUIDFromBytes((ex.arn + "/" + f.id + "/" + f.taskSeq + "/" + f.enteredEventId)
                .getBytes(StandardCharsets.UTF_8)).toString();
    }

    private static String kind(Frame f) {
        return ((State.Task) f.state).resource.endsWith(":2") ? KIND_SYNC2 : KIND_SYNC;
    }

    private static boolean owns(Execution child, Execution ex, Frame f) {
        Execution.ParentLink l = child.parent;
        return l != null && l.executionId() == ex.id && l.frameId() == f.id && l.taskSeq() == f.taskSeq
                && !"map".equals(l.kind());
    }

    /** Waits for the child of a .sync task: inline if it has ended, through its link if it is ours, else whenDone. */
    private void await(Execution ex, Frame f, Execution child, boolean v2) {
        int frameId = f.id;
        long seq = f.taskSeq;
        boolean ended;
        synchronized (child) {
            ended = !child.isRunning();
        }
        if (ended) {
            completed(ex, frameId, seq, child, v2);
        } else if (!owns(child, ex, f)) {
            // a same-name, same-input execution someone else started (StartExecution returned it): watch it
            rt.whenDone(child).thenAccept(c -> rt.post(ex, () -> {
                completed(ex, frameId, seq, c, v2);
                interpreter.drainActor(ex);
            }));
        }
        // else: our own child tells us when it ends (Interpreter.ended -> onChildDone -> childDone)
    }

    /** A linked child ended (called in the parent's actor). */
    void childDone(Execution parent, Execution.ParentLink link, Execution child) {
        if (KIND_START.equals(link.kind())) {
            return; // nobody waits for a fire-and-forget or callback child's end
        }
        completed(parent, link.frameId(), link.taskSeq(), child, KIND_SYNC2.equals(link.kind()));
    }

    private void completed(Execution parent, int frameId, long seq, Execution child, boolean v2) {
        Frame f = parent.frames.get(frameId);
        if (f == null || !parent.isRunning() || f.phase != Phase.TASK || f.taskSeq != seq) {
            return;
        }
        ObjectNode d;
        synchronized (child) {
            d = describe(child, v2);
        }
        if ("SUCCEEDED".equals(d.get("Status").textValue())) {
            interpreter.taskSucceeded(parent, f, d);
        } else {
            // as on AWS: the child's DescribeExecution, as JSON, is the cause; its own Error/Cause are inside
            interpreter.taskFailed(parent, f, StatesErrors.TASK_FAILED, Json.write(d));
        }
    }

    /**
     * The parent abandons a task (execution stopped or timed out, task timed out, enclosing branch aborted): once
     * {@code tx} is committed, stop the running child of a .sync task, as AWS does. Callback and fire-and-forget
     * children are left running, as on AWS.
     */
    void abandon(Txn tx, Execution ex, Frame f, String reason) {
        if (f.phase != Phase.TASK || !(f.state instanceof State.Task t)) {
            return;
        }
        Interpreter.Resource r = Interpreter.resource(t.resource);
        if (!handles(r.base()) || r.pattern() != IntegrationPattern.RUN_JOB) {
            return;
        }
        Execution child = ownChild(ex, f);
        if (child == null) {
            return;
        }
        String cause = "The parent execution '" + ex.arn + "' stopped waiting for this execution in its state '"
                + t.name + "': " + reason;
        tx.after.add(() -> rt.post(child, () -> interpreter.stop(child, ABORTED, cause)));
    }

    private Execution ownChild(Execution ex, Frame f) {
        if (f.params == null || !f.params.path("StateMachineArn").isTextual()) {
            return null;
        }
        String arn;
        try {
            arn = rt.standardExecutionArn(f.params.get("StateMachineArn").textValue(), childName(ex, f));
        } catch (ServiceException e) {
            return null;
        }
        Execution child = arn == null ? null : rt.executions.get(arn);
        return child != null && owns(child, ex, f) ? child : null;
    }

    /**
     * At recovery, before a .sync child resumes: if its parent no longer waits for it (the parent ended or moved
     * on, and the stop it sent was lost in a crash), stop it now instead of running it. Runs in the child's actor.
     * A redriven child belongs to whoever redrove it and is left alone.
     */
    boolean stopIfOrphaned(Execution child) {
        Execution.ParentLink l = child.parent;
        if (l == null || !(KIND_SYNC.equals(l.kind()) || KIND_SYNC2.equals(l.kind())) || child.redriveCount > 0) {
            return false;
        }
        Execution parent = rt.executionById(l.executionId());
        boolean waiting = false;
        if (parent != null) {
            synchronized (parent) {
                Frame f = parent.frames.get(l.frameId());
                waiting = parent.isRunning() && f != null && f.phase == Phase.TASK && f.taskSeq == l.taskSeq();
            }
        }
        if (waiting) {
            return false;
        }
        interpreter.stop(child, ABORTED, "The parent execution '" + (parent == null ? "?" : parent.arn)
                + "' no longer waits for this execution (found at recovery)");
        return true;
    }

    /** StartExecution's response as the AWS integration returns it (SDK v1 shape, dates in epoch milliseconds). */
    private ObjectNode startResponse(Execution child) {
        String requestId = UUID.randomUUID().toString();
        String body = "{\"executionArn\":\"" + child.arn + "\",\"startDate\":" + child.startDate / 1000.0 + "}";
        String length = String.valueOf(body.getBytes(StandardCharsets.UTF_8).length);
        String date = HTTP_DATE.format(ZonedDateTime.now(ZoneOffset.UTC));
        ObjectNode out = Json.object();
        out.put("ExecutionArn", child.arn);
        ObjectNode http = out.putObject("SdkHttpMetadata");
        ObjectNode all = http.putObject("AllHttpHeaders");
        all.putArray("x-amzn-RequestId").add(requestId);
        all.putArray("connection").add("keep-alive");
        all.putArray("Content-Length").add(length);
        all.putArray("Date").add(date);
        all.putArray("Content-Type").add("application/x-amz-json-1.0");
        http.putObject("HttpHeaders").put("connection", "keep-alive").put("Content-Length", length)
                .put("Content-Type", "application/x-amz-json-1.0").put("Date", date).put("x-amzn-RequestId", requestId);
        http.put("HttpStatusCode", 200);
        out.putObject("SdkResponseMetadata").put("RequestId", requestId);
        out.put("StartDate", child.startDate);
        return out;
    }

    /**
     * DescribeExecution as the .sync result: {@code Input}/{@code Output} are JSON strings for {@code .sync} and
     * parsed JSON for {@code .sync:2}; dates in epoch milliseconds.
     */
    static ObjectNode describe(Execution child, boolean v2) {
        ObjectNode d = Json.object();
        if (child.cause != null) {
            d.put("Cause", child.cause);
        }
        if (child.error != null) {
            d.put("Error", child.error);
        }
        d.put("ExecutionArn", child.arn);
        if (v2) {
            d.set("Input", child.input);
        } else {
            d.put("Input", child.inputText);
        }
        d.putObject("InputDetails").put("Included", true);
        d.put("Name", child.name);
        if (child.output != null) {
            if (v2) {
                d.set("Output", Json.parse(child.output));
            } else {
                d.put("Output", child.output);
            }
            d.putObject("OutputDetails").put("Included", true);
        }
        d.put("RedriveCount", child.redriveCount);
        d.put("StartDate", child.startDate);
        d.put("StateMachineArn", child.stateMachineArn);
        if (child.versionArn != null) {
            d.put("StateMachineVersionArn", child.versionArn);
        }
        d.put("Status", child.status);
        d.put("StopDate", child.stopDate);
        return d;
    }
}
