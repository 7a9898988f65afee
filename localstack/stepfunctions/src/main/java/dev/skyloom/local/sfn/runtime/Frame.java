package dev.skyloom.local.sfn.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.skyloom.local.sfn.asl.Scope;
import dev.skyloom.local.sfn.asl.State;
import java.util.HashMap;
import java.util.Map;

/**
 * A thread of control inside an execution: the top level, a Parallel branch or a Map iteration. It is at one state,
 * with that state's raw input, and owns the variables assigned in its scope. All fields change only through
 * {@link Model#apply}, so replaying the journal rebuilds them exactly.
 */
final class Frame {
    final int id;
    final Frame parent;
    final int index; // branch index or item index within the parent
    final Scope scope;
    final Map<String, JsonNode> vars = new HashMap<>();

    State state;
    JsonNode input;
    long enteredAt;
    long enteredEventId;
    long lastEventId;
    Phase phase = Phase.ENTER;
    int[] retryCounts = new int[0];
    int attempt;
    long until;
    // task
    long taskSeq;
    String token;
    JsonNode params;
    long timeoutAt;
    long heartbeatAt;
    boolean submitted;
    Integer effectiveTimeout;
    Integer effectiveHeartbeat;
    // failure kept for redrive
    String error;
    String cause;
    // children (Parallel/Map)
    Children children;
    /** Runtime only: an ItemReader read is in flight. */
    transient boolean reading;

    Frame(int id, Frame parent, int index, Scope scope) {
        this.id = id;
        this.parent = parent;
        this.index = index;
        this.scope = scope;
    }

    /** Bookkeeping of a Parallel or Map state's branches/iterations. */
    static final class Children {
        final boolean parallel;
        final boolean distributed;
        final JsonNode inputs; // array: one input per branch/iteration
        final int maxConcurrency; // 0 = unlimited
        final JsonNode[] results;
        final boolean[] finished;
        final String[] childArns; // distributed: child execution ARNs
        final Map<Integer, Frame> running = new HashMap<>();
        int nextToStart;
        int succeeded;
        int failed;
        int runningDistributed;
        long toleratedCount;
        double toleratedPercentage;
        String mapRunArn;
        String failError;
        String failCause;

        Children(boolean parallel, boolean distributed, JsonNode inputs, int maxConcurrency) {
            this.parallel = parallel;
            this.distributed = distributed;
            this.inputs = inputs;
            this.maxConcurrency = maxConcurrency;
            this.results = new JsonNode[inputs.size()];
            this.finished = new boolean[inputs.size()];
            this.childArns = distributed ? new String[inputs.size()] : null;
        }

        int total() {
            return inputs.size();
        }

        int inFlight() {
            return distributed ? runningDistributed : running.size();
        }

        boolean canStartMore() {
            return failError == null && nextToStart < total() && (maxConcurrency <= 0 || inFlight() < maxConcurrency);
        }

        boolean allDone() {
            return succeeded + failed == total();
        }
    }

    /** Variable lookup through this frame's scope and its parents'. */
    JsonNode variable(String name) {
        for (Frame f = this; f != null; f = f.parent) {
            JsonNode v = f.vars.get(name);
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    void forEachVariable(java.util.function.BiConsumer<String, JsonNode> visitor) {
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (Frame f = this; f != null; f = f.parent) {
            for (Map.Entry<String, JsonNode> e : f.vars.entrySet()) {
                if (seen.add(e.getKey())) {
                    visitor.accept(e.getKey(), e.getValue());
                }
            }
        }
    }

    int retryCount() {
        return attempt;
    }
}
