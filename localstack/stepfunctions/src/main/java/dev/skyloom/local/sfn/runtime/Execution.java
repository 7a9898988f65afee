package dev.skyloom.local.sfn.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.local.sfn.asl.Definition;
import dev.skyloom.local.sfn.expr.Json;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One execution: its identity and status, its history (the AWS events, also the API's view), and its frames.
 * Mutated only by {@link Model#apply} under the execution's monitor, from its own actor (or single-threaded during
 * recovery); the API reads it under the same monitor.
 */
public final class Execution {
    final long id;
    final String arn;
    final String name;
    final String stateMachineArn;
    final String versionArn;
    final String stateMachineName;
    final String roleArn;
    final String definitionText;
    final Definition definition;
    final boolean express;
    final JsonNode input;
    final String inputText;
    final long startDate;
    final String traceHeader;
    final ParentLink parent;
    final String mapRunArn;

    String status = "RUNNING";
    long stopDate;
    String output;
    String error;
    String cause;
    int redriveCount;
    long redriveDate;
    final List<HistoryEvent> history = new ArrayList<>();
    final Map<Integer, Frame> frames = new HashMap<>();
    int nextFrameId;
    long nextTaskSeq = 1;
    final Set<Long> timedOutTasks = new HashSet<>();
    boolean finishedOnce;

    // runtime only (not journaled)
    final ConcurrentLinkedQueue<Runnable> mailbox = new ConcurrentLinkedQueue<>();
    final AtomicInteger wip = new AtomicInteger();
    final java.util.ArrayDeque<Frame> runnable = new java.util.ArrayDeque<>();
    final List<java.util.concurrent.CompletableFuture<Execution>> waiters = new ArrayList<>();
    ObjectNode contextBase;

    /** Who started this execution and waits for it: a Task (startExecution.sync) or a distributed Map. */
    record ParentLink(long executionId, int frameId, long taskSeq, int index, String kind) {
        ObjectNode toJson() {
            ObjectNode o = Json.object();
            o.put("x", executionId).put("f", frameId).put("seq", taskSeq).put("i", index).put("k", kind);
            return o;
        }

        static ParentLink fromJson(JsonNode n) {
            if (n == null || n.isNull()) {
                return null;
            }
            return new ParentLink(n.get("x").longValue(), n.get("f").intValue(), n.get("seq").longValue(),
                    n.get("i").intValue(), n.get("k").textValue());
        }
    }

    Execution(long id, String arn, String name, String stateMachineArn, String versionArn, String stateMachineName,
            String roleArn, String definitionText, Definition definition, boolean express, JsonNode input,
            String inputText, long startDate, String traceHeader, ParentLink parent, String mapRunArn) {
        this.id = id;
        this.arn = arn;
        this.name = name;
        this.stateMachineArn = stateMachineArn;
        this.versionArn = versionArn;
        this.stateMachineName = stateMachineName;
        this.roleArn = roleArn;
        this.definitionText = definitionText;
        this.definition = definition;
        this.express = express;
        this.input = input;
        this.inputText = inputText;
        this.startDate = startDate;
        this.traceHeader = traceHeader;
        this.parent = parent;
        this.mapRunArn = mapRunArn;
    }

    public String arn() {
        return arn;
    }

    public synchronized String status() {
        return status;
    }

    public synchronized String output() {
        return output;
    }

    public synchronized String error() {
        return error;
    }

    public synchronized String cause() {
        return cause;
    }

    boolean isRunning() {
        return "RUNNING".equals(status);
    }

    Frame root() {
        return frames.get(0);
    }
}
