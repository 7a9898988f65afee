package dev.skyloom.core.agent.tools;

import dev.skyloom.core.identity.TenantId;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/** Memories in a map keyed like the DynamoDB adapter. */
final class InMemoryMemoryStore implements MemoryStore {
    final Map<String, Memory> items = new ConcurrentSkipListMap<>();

    static String key(TenantId tenant, Memory.Vault vault, String id) {
        return "TENANT#" + tenant.value() + "|MEMORY#" + vault.kind() + "#" + vault.owner() + "#" + id;
    }

    @Override
    public boolean create(TenantId tenant, Memory memory) {
        return items.putIfAbsent(key(tenant, memory.vault(), memory.id()), memory) == null;
    }

    @Override
    public List<Memory> list(TenantId tenant, Memory.Vault vault, int limit) {
        String prefix = key(tenant, vault, "");
        return items.entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).map(Map.Entry::getValue)
                .limit(limit).toList();
    }

    @Override
    public void recordRecalls(TenantId tenant, Collection<Memory> memories, Instant at) {
        for (Memory memory : memories) {
            items.computeIfPresent(key(tenant, memory.vault(), memory.id()), (k, m) -> m.withRecall(at));
        }
    }
}
