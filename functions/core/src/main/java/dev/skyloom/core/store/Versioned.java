package dev.skyloom.core.store;

import java.time.Instant;

/** A stored document with its optimistic-locking version (1 on create, +1 on every write). */
public record Versioned(String id, long version, Instant createdAt, Instant updatedAt, String json) {
}
