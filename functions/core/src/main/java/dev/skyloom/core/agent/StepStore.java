package dev.skyloom.core.agent;

import java.util.Optional;

/**
 * Durable JSON documents of a step: its checkpoint (conversation, totals, guards) and the record of the turn in
 * flight (the model's answer and the results of the tool calls made so far). On AWS and locally: objects in the
 * workspaces bucket under the run's prefix. Writes are whole-object puts, so a reader never sees half a document.
 */
public interface StepStore {

    Optional<String> get(String tenantId, String key);

    void put(String tenantId, String key, String json);
}
