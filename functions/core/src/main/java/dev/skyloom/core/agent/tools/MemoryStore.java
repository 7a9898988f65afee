package dev.skyloom.core.agent.tools;

import dev.skyloom.core.identity.TenantId;
import java.time.Instant;
import java.util.Collection;
import java.util.List;

/** Where memories are kept: per tenant, per vault. */
public interface MemoryStore {

    /** Stores a new memory; false (nothing written) when one with its id exists already in its vault. */
    boolean create(TenantId tenant, Memory memory);

    /** Up to {@code limit} memories of a vault (no particular order; the ranking orders them). */
    List<Memory> list(TenantId tenant, Memory.Vault vault, int limit);

    /** Counts one more recall of each memory and sets its last recall time. */
    void recordRecalls(TenantId tenant, Collection<Memory> memories, Instant at);
}
