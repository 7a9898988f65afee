package dev.skyloom.core.agent;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Where the runtime's events go (EventBridge on AWS and locally). Every event has an id that is the same when a
 * crashed turn is retried, so the ingest path stores it once.
 */
public interface StepEvents {

    /** One event, as {@link #emit} takes it. */
    record Event(String type, String eventId, ObjectNode detail) {
    }

    /**
     * @param type    {@code STEP_STARTED}, {@code STEP_OUTPUT}, {@code TOOL_CALL_START}, {@code TOOL_CALL_END},
     *                {@code LLM_CALL}, {@code STEP_COMPLETE}, {@code STEP_FAILED}, ...
     * @param eventId stable across retries of the same turn
     * @param detail  the event's fields; the runtime adds tenant, run, step, agent
     */
    void emit(String type, String eventId, ObjectNode detail);

    /**
     * Emits several events, in this order. Adapters that can put several events in one request override it (the
     * turn hands them everything that queued up while the previous request was in flight).
     */
    default void emitAll(List<Event> events) {
        for (Event event : events) {
            emit(event.type(), event.eventId(), event.detail());
        }
    }
}
