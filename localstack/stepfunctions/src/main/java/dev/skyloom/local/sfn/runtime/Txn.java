package dev.skyloom.local.sfn.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.local.sfn.expr.Json;
import java.time.Instant;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One atomic step of an execution: the history events it adds and the state changes (ops) it makes. Built without
 * touching the execution, then journaled and applied together by {@link Runtime#commit}.
 */
final class Txn {
    final Execution ex;
    final List<Op> ops = new ArrayList<>(2);
    final List<HistoryEvent> events = new ArrayList<>(8);
    private int[] lastFrames = new int[4];
    private long[] lastIds = new long[4];
    private int lastCount;
    private long nextEventId;
    final long now;
    int nextFrameId;
    /** Frames to run once this transaction is applied. */
    final List<Integer> toRun = new ArrayList<>(2);
    /** Ops already applied to the frames (pure transitions chained within one transaction). */
    int appliedOps;
    /** Whether a pure transition may continue with the next state inside this transaction. */
    boolean chainable;
    /** The frame to continue with, set by a transition that chained instead of committing. */
    Frame continueWith;
    /** Payload characters carried by this transaction's events (bounds chaining). */
    long payloadChars;
    /** Work to do once this transaction is applied (start child executions, notify, ...). */
    final List<Runnable> after = new ArrayList<>(0);

    Txn(Execution ex, long now) {
        this.ex = ex;
        this.now = now;
        this.nextEventId = ex.history.size() + 1;
        this.nextFrameId = ex.nextFrameId;
    }

    int newFrameId() {
        return nextFrameId++;
    }

    long nextEventId() {
        return nextEventId;
    }

    boolean isEmpty() {
        return ops.isEmpty() && events.isEmpty();
    }

    long lastEventId(Frame f) {
        if (f == null) {
            return nextEventId - 1;
        }
        for (int i = 0; i < lastCount; i++) {
            if (lastFrames[i] == f.id) {
                return lastIds[i];
            }
        }
        return f.lastEventId;
    }

    void setLastEventId(int frameId, long id) {
        for (int i = 0; i < lastCount; i++) {
            if (lastFrames[i] == frameId) {
                lastIds[i] = id;
                return;
            }
        }
        if (lastCount == lastFrames.length) {
            lastFrames = Arrays.copyOf(lastFrames, lastCount * 2);
            lastIds = Arrays.copyOf(lastIds, lastCount * 2);
        }
        lastFrames[lastCount] = frameId;
        lastIds[lastCount++] = id;
    }

    /** Adds a history event with a details object, attributed to frame {@code f} (null: the execution). */
    long event(Frame f, String type, String detailsKey, ObjectNode details) {
        long prev = f == null ? nextEventId - 1 : lastEventId(f);
        return add(f == null ? -1 : f.id, prev, type, detailsKey, null, null, null, details, null);
    }

    long event(int frameId, long previousEventId, String type, String detailsKey, ObjectNode details) {
        return add(frameId, previousEventId, type, detailsKey, null, null, null, details, null);
    }

    /** A StateEntered/StateExited-like event: name plus a JSON payload text (input or output). */
    long stateEvent(int frameId, long previousEventId, String type, String detailsKey, String name, String payloadKey,
            String payload, ObjectNode assigned) {
        return add(frameId, previousEventId, type, detailsKey, name, payloadKey, payload, null, assigned);
    }

    /** An event whose details carry a JSON payload text ({@code input}/{@code output}) plus other fields. */
    long payloadEvent(int frameId, long previousEventId, String type, String detailsKey, String payloadKey,
            String payload, ObjectNode details) {
        return add(frameId, previousEventId, type, detailsKey, null, payloadKey, payload, details, null);
    }

    private long add(int frameId, long prev, String type, String detailsKey, String name, String payloadKey,
            String payload, ObjectNode details, ObjectNode assigned) {
        long id = nextEventId++;
        if (payload != null) {
            payloadChars += payload.length();
        }
        events.add(new HistoryEvent(frameId, id, prev, now, type, detailsKey, name, payloadKey, payload, details,
                assigned));
        if (frameId >= 0) {
            setLastEventId(frameId, id);
        }
        return id;
    }

    Op op(String type) {
        Op o = new Op(type);
        ops.add(o);
        return o;
    }

    Op op(String type, Frame f) {
        Op o = op(type);
        o.f = f.id;
        return o;
    }

    static ObjectNode payloadDetails(String key, String json) {
        ObjectNode d = Json.object();
        d.put(key, json);
        d.putObject(key + "Details").put("truncated", false);
        return d;
    }

    static String iso(long millis) {
        return Instant.ofEpochMilli(millis).toString().replaceFirst("(\\.\\d{3})\\d*Z$", "$1Z")
                .replaceFirst(":(\\d\\d)Z$", ":$1.000Z");
    }

    static JsonNode nz(JsonNode n) {
        return n == null ? Json.NODES.nullNode() : n;
    }
}
