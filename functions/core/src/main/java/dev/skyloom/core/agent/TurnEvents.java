package dev.skyloom.core.agent;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The events of one turn, sent in the order they were emitted by one background sender while the turn goes on:
 * {@link #emit} never waits for the bus, and whatever queues up while a request is in flight goes in the next
 * request ({@link StepEvents#emitAll}). {@link #flush} waits until every event is sent, so a turn still ends only
 * after its events are on the bus, and a failure to send one fails the turn as before (the retried turn emits the
 * same event ids again; the ingest path stores each once). Once a send failed, later events are refused with the
 * same failure.
 *
 * <p>Why: a turn emits 4 to 6 events (STEP_STARTED, STEP_OUTPUT, LLM_CALL, TOOL_CALL_START/END, STEP_COMPLETE),
 * each a PutEvents round trip that the turn used to wait for, in the middle of its critical path (decision 0503).
 */
final class TurnEvents {
    private final StepEvents target;
    private final List<StepEvents.Event> pending = new ArrayList<>();
    private boolean sending;
    private RuntimeException failure;

    TurnEvents(StepEvents target) {
        this.target = target;
    }

    synchronized void emit(String type, String eventId, ObjectNode detail) {
        if (failure != null) {
            throw failure;
        }
        pending.add(new StepEvents.Event(type, eventId, detail));
        if (!sending) {
            sending = true;
            Thread.ofVirtual().name("turn-events").start(this::drain);
        }
    }

    private void drain() {
        while (true) {
            List<StepEvents.Event> batch;
            synchronized (this) {
                if (pending.isEmpty()) {
                    sending = false;
                    notifyAll();
                    return;
                }
                batch = List.copyOf(pending);
                pending.clear();
            }
            try {
                target.emitAll(batch);
            } catch (RuntimeException | Error e) {
                synchronized (this) {
                    failure = e instanceof RuntimeException r ? r
                            : new IllegalStateException("sending the turn's events failed: " + e, e);
                    pending.clear();
                    sending = false;
                    notifyAll();
                }
                return;
            }
        }
    }

    /** Waits until every event emitted so far is sent; throws what a send threw. */
    synchronized void flush() {
        while (sending) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TurnTransientException("interrupted while the turn's events were being sent", e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
