package dev.skyloom.core.agent;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Where the runtime's events go (EventBridge on AWS and locally). Every event has an id that is the same when a
 * crashed turn is retried, so the ingest path stores it once.
 */
public interface StepEvents {

    /**
     * @param type    {@code STEP_STARTED}, {@code STEP_OUTPUT}, {@code TOOL_CALL_START}, {@code TOOL_CALL_END},
     *                {@code LLM_CALL}, {@code STEP_COMPLETE}, {@code STEP_FAILED}, ...
     * @param eventId stable across retries of the same turn
     * @param detail  the event's fields; the runtime adds tenant, run, step, agent
     */
    void emit(String type, String eventId, ObjectNode detail);
}
