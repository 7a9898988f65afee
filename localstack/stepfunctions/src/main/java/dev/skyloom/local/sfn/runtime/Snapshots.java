package dev.skyloom.local.sfn.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.local.sfn.asl.Scope;
import dev.skyloom.local.sfn.asl.State;
import dev.skyloom.local.sfn.expr.Json;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Serializes an execution's whole state (history and frames) for a journal snapshot, and restores it. */
final class Snapshots {
    private Snapshots() {
    }

    static ObjectNode snapshot(Execution ex) {
        ObjectNode o = Json.object().put("t", "snap").put("x", ex.id);
        o.put("status", ex.status).put("stop", ex.stopDate).put("out", ex.output).put("err", ex.error)
                .put("cause", ex.cause).put("redrives", ex.redriveCount).put("redriveAt", ex.redriveDate)
                .put("nextFrame", ex.nextFrameId).put("nextSeq", ex.nextTaskSeq).put("done", ex.finishedOnce);
        ArrayNode tmo = o.putArray("tmo");
        ex.timedOutTasks.forEach(tmo::add);
        ArrayNode h = o.putArray("history");
        ex.history.forEach(e -> h.add(e.toArrayNode()));
        ArrayNode fs = o.putArray("frames");
        List<Frame> frames = new ArrayList<>(ex.frames.values());
        frames.sort(Comparator.comparingInt(f -> depth(f)));
        for (Frame f : frames) {
            ObjectNode j = fs.addObject();
            j.put("id", f.id).put("parent", f.parent == null ? -1 : f.parent.id).put("index", f.index)
                    .put("state", f.state.name).put("enteredAt", f.enteredAt).put("eid", f.enteredEventId)
                    .put("le", f.lastEventId).put("phase", f.phase.name()).put("attempt", f.attempt)
                    .put("until", f.until).put("seq", f.taskSeq).put("tok", f.token).put("to", f.timeoutAt)
                    .put("hb", f.heartbeatAt).put("sub", f.submitted).put("err", f.error).put("cause", f.cause);
            if (f.effectiveTimeout != null) {
                j.put("ts", f.effectiveTimeout);
            }
            if (f.effectiveHeartbeat != null) {
                j.put("hs", f.effectiveHeartbeat);
            }
            j.set("in", f.input);
            j.set("p", f.params);
            ArrayNode rc = j.putArray("rc");
            for (int c : f.retryCounts) {
                rc.add(c);
            }
            ObjectNode vars = j.putObject("vars");
            f.vars.forEach(vars::set);
            if (f.children != null) {
                Frame.Children c = f.children;
                ObjectNode cj = j.putObject("children");
                cj.put("par", c.parallel).put("dist", c.distributed).put("max", c.maxConcurrency)
                        .put("next", c.nextToStart).put("ok", c.succeeded).put("failed", c.failed)
                        .put("rd", c.runningDistributed).put("tc", c.toleratedCount).put("tp", c.toleratedPercentage)
                        .put("run", c.mapRunArn).put("fe", c.failError).put("fc", c.failCause);
                cj.set("items", c.inputs);
                ArrayNode res = cj.putArray("results");
                ArrayNode fin = cj.putArray("finished");
                ArrayNode arns = cj.putArray("arns");
                for (int i = 0; i < c.total(); i++) {
                    res.add(c.results[i] == null ? Json.NODES.nullNode() : c.results[i]);
                    fin.add(c.finished[i]);
                    arns.add(c.childArns == null ? null : c.childArns[i]);
                }
                // results may contain JSON null as a real value: mark which are present
                ArrayNode has = cj.putArray("has");
                for (int i = 0; i < c.total(); i++) {
                    has.add(c.results[i] != null);
                }
            }
        }
        return o;
    }

    private static int depth(Frame f) {
        int d = 0;
        for (Frame p = f.parent; p != null; p = p.parent) {
            d++;
        }
        return d;
    }

    static void restore(Execution ex, JsonNode o) {
        ex.status = o.get("status").textValue();
        ex.stopDate = o.get("stop").longValue();
        ex.output = o.path("out").textValue();
        ex.error = o.path("err").textValue();
        ex.cause = o.path("cause").textValue();
        ex.redriveCount = o.get("redrives").intValue();
        ex.redriveDate = o.get("redriveAt").longValue();
        ex.nextFrameId = o.get("nextFrame").intValue();
        ex.nextTaskSeq = o.get("nextSeq").longValue();
        ex.finishedOnce = o.path("done").booleanValue();
        o.get("tmo").forEach(n -> ex.timedOutTasks.add(n.longValue()));
        ex.history.clear();
        o.get("history").forEach(h -> ex.history.add(HistoryEvent.read(h)));
        ex.frames.clear();
        for (JsonNode j : o.get("frames")) {
            int pid = j.get("parent").intValue();
            Frame parent = pid < 0 ? null : ex.frames.get(pid);
            int index = j.get("index").intValue();
            Scope scope;
            if (parent == null) {
                scope = ex.definition.root();
            } else if (parent.state instanceof State.Parallel p) {
                scope = p.branches.get(index);
            } else {
                scope = ((State.Map) parent.state).processor;
            }
            Frame f = new Frame(j.get("id").intValue(), parent, index, scope);
            f.state = scope.state(j.get("state").textValue());
            f.enteredAt = j.get("enteredAt").longValue();
            f.enteredEventId = j.get("eid").longValue();
            f.lastEventId = j.get("le").longValue();
            f.phase = Phase.valueOf(j.get("phase").textValue());
            f.attempt = j.get("attempt").intValue();
            f.until = j.get("until").longValue();
            f.taskSeq = j.get("seq").longValue();
            f.token = j.path("tok").textValue();
            f.timeoutAt = j.get("to").longValue();
            f.heartbeatAt = j.get("hb").longValue();
            f.submitted = j.get("sub").booleanValue();
            f.error = j.path("err").textValue();
            f.cause = j.path("cause").textValue();
            f.effectiveTimeout = j.has("ts") ? j.get("ts").intValue() : null;
            f.effectiveHeartbeat = j.has("hs") ? j.get("hs").intValue() : null;
            f.input = j.get("in");
            f.params = j.get("p") == null || j.get("p").isNull() ? null : j.get("p");
            JsonNode rc = j.get("rc");
            f.retryCounts = new int[rc.size()];
            for (int i = 0; i < rc.size(); i++) {
                f.retryCounts[i] = rc.get(i).intValue();
            }
            j.get("vars").properties().forEach(e -> f.vars.put(e.getKey(), e.getValue()));
            JsonNode cj = j.get("children");
            if (cj != null) {
                Frame.Children c = new Frame.Children(cj.get("par").booleanValue(), cj.get("dist").booleanValue(),
                        cj.get("items"), cj.get("max").intValue());
                c.nextToStart = cj.get("next").intValue();
                c.succeeded = cj.get("ok").intValue();
                c.failed = cj.get("failed").intValue();
                c.runningDistributed = cj.get("rd").intValue();
                c.toleratedCount = cj.get("tc").longValue();
                c.toleratedPercentage = cj.get("tp").doubleValue();
                c.mapRunArn = cj.path("run").textValue();
                c.failError = cj.path("fe").textValue();
                c.failCause = cj.path("fc").textValue();
                for (int i = 0; i < c.total(); i++) {
                    c.finished[i] = cj.get("finished").get(i).booleanValue();
                    if (cj.get("has").get(i).booleanValue()) {
                        c.results[i] = cj.get("results").get(i);
                    }
                    if (c.childArns != null) {
                        c.childArns[i] = cj.get("arns").get(i).textValue();
                    }
                }
                f.children = c;
            }
            ex.frames.put(f.id, f);
            if (parent != null && parent.children != null) {
                parent.children.running.put(index, f);
            }
        }
    }
}
