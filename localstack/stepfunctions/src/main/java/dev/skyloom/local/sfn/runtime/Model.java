package dev.skyloom.local.sfn.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.local.sfn.asl.Scope;
import dev.skyloom.local.sfn.asl.State;
import dev.skyloom.local.sfn.expr.Json;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The single place where an execution's state changes: applies a journaled transaction (ops, then events). Used
 * both live and when replaying the journal, which is what makes recovery exact.
 */
final class Model {
    private static final int[] NO_RETRIES = new int[0];

    private Model() {
    }

    /** Applies a live transaction (its ops not yet applied, then its events). */
    static void apply(Execution ex, Txn tx) {
        applyPendingOps(ex, tx);
        appendEvents(ex, tx.events);
    }

    /** Applies the ops added since the last call: a pure transition chained inside a still-open transaction. */
    static void applyPendingOps(Execution ex, Txn tx) {
        for (int i = tx.appliedOps; i < tx.ops.size(); i++) {
            applyOp(ex, tx.ops.get(i));
        }
        tx.appliedOps = tx.ops.size();
    }

    /** Applies a transaction read back from the journal. */
    static void apply(Execution ex, JsonNode rec) {
        List<HistoryEvent> events = new ArrayList<>(rec.get("e").size());
        for (JsonNode a : rec.get("e")) {
            events.add(HistoryEvent.read(a));
        }
        List<Op> ops = new ArrayList<>(rec.get("o").size());
        for (JsonNode j : rec.get("o")) {
            Op op = Op.read(j);
            if (op.inFromEvent) {
                int index = (int) (op.eid - events.get(0).id());
                op.in = Json.parse(events.get(index).payload());
            }
            ops.add(op);
        }
        apply(ex, ops, events);
    }

    static void apply(Execution ex, List<Op> ops, List<HistoryEvent> events) {
        for (Op op : ops) {
            applyOp(ex, op);
        }
        appendEvents(ex, events);
    }

    private static void appendEvents(Execution ex, List<HistoryEvent> events) {
        ex.history.addAll(events);
        for (HistoryEvent e : events) {
            if (e.frameId() >= 0) {
                Frame fr = ex.frames.get(e.frameId());
                if (fr != null) {
                    fr.lastEventId = e.id();
                }
            }
        }
    }

    private static Frame frame(Execution ex, Op op) {
        Frame f = ex.frames.get(op.f);
        if (f == null) {
            throw new IllegalStateException("journal refers to unknown frame " + op.f + " of " + ex.arn);
        }
        return f;
    }

    private static void applyOp(Execution ex, Op op) {
        switch (op.op) {
            case "root" -> {
                Frame f = new Frame(0, null, 0, ex.definition.root());
                ex.frames.put(0, f);
                ex.nextFrameId = Math.max(ex.nextFrameId, 1);
                enter(f, op);
            }
            case "enter" -> enter(frame(ex, op), op);
            case "task" -> {
                Frame f = frame(ex, op);
                f.phase = Phase.TASK;
                f.taskSeq = op.seq;
                ex.nextTaskSeq = Math.max(ex.nextTaskSeq, f.taskSeq + 1);
                f.token = op.tok;
                f.params = op.p;
                f.timeoutAt = op.to;
                f.heartbeatAt = op.hb;
                f.effectiveTimeout = op.ts;
                f.effectiveHeartbeat = op.hs;
                f.submitted = false;
            }
            case "sub" -> frame(ex, op).submitted = true;
            case "hb" -> frame(ex, op).heartbeatAt = op.hb;
            case "tmo" -> ex.timedOutTasks.add(op.seq);
            case "retry" -> {
                Frame f = frame(ex, op);
                int i = op.i;
                if (f.retryCounts.length <= i) {
                    f.retryCounts = java.util.Arrays.copyOf(f.retryCounts, i + 1);
                }
                f.retryCounts[i]++;
                f.attempt++;
                f.phase = Phase.RETRY;
                f.until = op.at;
                f.token = null;
                f.children = null;
            }
            case "wait" -> {
                Frame f = frame(ex, op);
                f.phase = Phase.WAIT;
                f.until = op.at;
            }
            case "fork" -> {
                Frame f = frame(ex, op);
                f.phase = Phase.CHILDREN;
                Frame.Children c = new Frame.Children(op.par, op.dist, op.items, op.max);
                c.toleratedCount = op.tc;
                c.toleratedPercentage = op.tp;
                c.mapRunArn = op.run;
                f.children = c;
            }
            case "child" -> {
                Frame p = frame(ex, op);
                int idx = op.i;
                int cid = op.c;
                Scope scope = p.state instanceof State.Parallel par ? par.branches.get(idx)
                        : ((State.Map) p.state).processor;
                Frame c = new Frame(cid, p, idx, scope);
                ex.frames.put(cid, c);
                ex.nextFrameId = Math.max(ex.nextFrameId, cid + 1);
                c.lastEventId = op.le;
                p.children.running.put(idx, c);
                p.children.nextToStart = Math.max(p.children.nextToStart, idx + 1);
                enter(c, op);
            }
            case "dchild" -> {
                Frame p = frame(ex, op);
                int idx = op.i;
                p.children.childArns[idx] = op.arn;
                p.children.runningDistributed++;
                p.children.nextToStart = Math.max(p.children.nextToStart, idx + 1);
            }
            case "cdone" -> {
                Frame p = frame(ex, op);
                Frame.Children c = p.children;
                int idx = op.i;
                if (c.finished[idx]) {
                    return;
                }
                c.finished[idx] = true;
                if (c.distributed) {
                    c.runningDistributed--;
                }
                Frame child = c.running.remove(idx);
                if (op.ok) {
                    c.results[idx] = op.outNode;
                    c.succeeded++;
                    if (child != null) {
                        removeTree(ex, child);
                    }
                } else {
                    c.failed++;
                    if (child != null) {
                        c.running.put(idx, child); // kept (FAILED) so a redrive can rerun it
                    }
                }
            }
            case "ffail" -> {
                Frame f = frame(ex, op);
                f.phase = Phase.FAILED;
                f.error = op.err;
                f.cause = op.cause;
            }
            case "pfail" -> {
                Frame f = frame(ex, op);
                f.children.failError = op.err;
                f.children.failCause = op.cause;
            }
            case "abort" -> {
                Frame f = frame(ex, op);
                if (f.phase != Phase.FAILED) {
                    f.phase = Phase.ABORTED;
                }
            }
            case "drop" -> {
                Frame f = frame(ex, op);
                if (f.children != null) {
                    for (Frame c : new ArrayList<>(f.children.running.values())) {
                        removeTree(ex, c);
                    }
                    f.children = null;
                }
            }
            case "end" -> {
                ex.status = op.status;
                ex.stopDate = op.at;
                ex.output = op.outText;
                ex.error = op.err;
                ex.cause = op.cause;
                ex.finishedOnce = true;
                if ("SUCCEEDED".equals(ex.status)) {
                    ex.frames.clear();
                }
            }
            case "redrive" -> redrive(ex, op);
            default -> throw new IllegalStateException("unknown journal op " + op.op);
        }
    }

    private static void enter(Frame f, Op op) {
        JsonNode vars = op.v;
        if (vars != null && vars.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = vars.properties().iterator(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                f.vars.put(e.getKey(), e.getValue());
            }
        }
        f.state = op.state != null ? op.state : f.scope.state(op.s);
        if (f.state == null) {
            throw new IllegalStateException("journal refers to unknown state " + op.s);
        }
        f.input = op.in;
        f.enteredAt = op.t;
        f.enteredEventId = op.eid;
        f.phase = Phase.ENTER;
        f.retryCounts = NO_RETRIES;
        f.attempt = 0;
        f.token = null;
        f.params = null;
        f.children = null;
        f.error = null;
        f.cause = null;
    }

    private static void removeTree(Execution ex, Frame f) {
        if (f.children != null) {
            for (Frame c : f.children.running.values()) {
                removeTree(ex, c);
            }
        }
        ex.frames.remove(f.id);
    }

    /** Restarts every unfinished frame at its current state; finished branches and iterations keep their results. */
    private static void redrive(Execution ex, Op op) {
        ex.status = "RUNNING";
        ex.redriveCount++;
        ex.redriveDate = op.at;
        ex.stopDate = 0;
        ex.output = null;
        ex.error = null;
        ex.cause = null;
        List<Frame> all = new ArrayList<>(ex.frames.values());
        for (Frame f : all) {
            if (f.children != null) {
                Frame.Children c = f.children;
                c.failError = null;
                c.failCause = null;
                for (int i = 0; i < c.finished.length; i++) {
                    if (c.finished[i] && c.results[i] == null) {
                        c.finished[i] = false; // failed iteration: run again
                        c.failed--;
                        if (c.distributed) {
                            c.childArns[i] = null;
                            c.nextToStart = Math.min(c.nextToStart, i);
                        }
                    }
                }
                if (c.distributed) {
                    c.runningDistributed = 0;
                    for (int i = 0; i < c.finished.length; i++) {
                        if (!c.finished[i] && c.childArns[i] != null) {
                            c.childArns[i] = null;
                            c.nextToStart = Math.min(c.nextToStart, i);
                        }
                    }
                }
                f.phase = Phase.CHILDREN;
            } else {
                f.phase = Phase.ENTER;
                f.retryCounts = new int[0];
                f.attempt = 0;
                f.token = null;
                f.error = null;
                f.cause = null;
            }
        }
        JsonNode restarted = op.leNode;
        if (restarted != null) {
            restarted.properties().forEach(e -> {
                Frame f = ex.frames.get(Integer.parseInt(e.getKey()));
                if (f != null) {
                    f.enteredEventId = e.getValue().longValue();
                    f.enteredAt = op.at;
                }
            });
        }
    }
}
