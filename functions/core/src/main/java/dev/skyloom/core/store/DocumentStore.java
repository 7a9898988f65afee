package dev.skyloom.core.store;

import dev.skyloom.core.api.Page;
import dev.skyloom.core.identity.TenantId;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Tenant-scoped JSON documents in named collections ({@code PROJECT}, {@code AGENT}, {@code TASK#<projectId>},
 * ...). Reads are strongly consistent; every write is conditional on existence and version, so concurrent writers
 * never overwrite each other silently. A document of another tenant is simply not found.
 */
public interface DocumentStore {

    /** The outcome of a conditional write. */
    enum Write { DONE, MISSING, VERSION_MISMATCH }

    /** Stores a new document at version 1; false when the id is taken. */
    boolean create(TenantId tenant, String collection, String id, String json, Instant now);

    Optional<Versioned> get(TenantId tenant, String collection, String id);

    /** A page of the collection, in id order. */
    Page<Versioned> list(TenantId tenant, String collection, Optional<Map<String, String>> cursor, int limit);

    /** Replaces the document if it is still at {@code expectedVersion}. */
    Write replace(TenantId tenant, String collection, String id, String json, long expectedVersion, Instant now);

    /** One change of an atomic {@link #transact}. */
    sealed interface Change {
        String collection();

        String id();
    }

    /** Creates a document at version 1; fails the transaction if the id is taken. */
    record Create(String collection, String id, String json) implements Change {
    }

    /** Replaces a document at {@code expectedVersion}; fails the transaction otherwise. */
    record Replace(String collection, String id, String json, long expectedVersion) implements Change {
    }

    /** Writes nothing, but fails the transaction unless the document is at {@code expectedVersion}. */
    record Check(String collection, String id, long expectedVersion) implements Change {
    }

    /**
     * Applies all changes or none (a transaction of conditional writes).
     *
     * @return {@link Write#DONE}, or {@link Write#VERSION_MISMATCH} when any condition failed (nothing was written)
     */
    Write transact(TenantId tenant, java.util.List<Change> changes, Instant now);

    /** Deletes the document (if it is at {@code expectedVersion}, when given). */
    Write delete(TenantId tenant, String collection, String id, OptionalLong expectedVersion);
}
