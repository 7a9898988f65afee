package dev.skyloom.core.swarm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/**
 * Where a running swarm keeps its scheduling state (one small versioned document, replaced with optimistic
 * concurrency: DynamoDB conditional writes on AWS and locally) and its large documents (the spec, every task's
 * result, the final summary: S3).
 */
public interface SwarmStore {

    /** A state document and the version it was read at. */
    record Versioned(ObjectNode state, long version) {
    }

    Optional<Versioned> load(String tenantId, String swarmId);

    /** Creates the state at version 1; false if it exists already. */
    boolean create(String tenantId, String swarmId, ObjectNode state);

    /**
     * Replaces the state if it is still at {@code expectedVersion}, the new one at {@code expectedVersion + 1};
     * false if someone else wrote first.
     */
    boolean replace(String tenantId, String swarmId, ObjectNode state, long expectedVersion);

    void putDocument(String tenantId, String swarmId, String name, JsonNode document);

    Optional<JsonNode> getDocument(String tenantId, String swarmId, String name);

    /** Where a document is, for people and prompts: {@code s3://bucket/key}. */
    String uri(String tenantId, String swarmId, String name);
}
