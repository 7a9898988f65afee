package dev.skyloom.core.resources;

import dev.skyloom.core.api.Page;
import dev.skyloom.core.identity.TenantId;
import dev.skyloom.core.store.DocumentStore;
import dev.skyloom.core.store.Versioned;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/** A {@link DocumentStore} in memory for unit tests, with the same conditional semantics. */
public final class InMemoryDocumentStore implements DocumentStore {
    private final TreeMap<String, Versioned> items = new TreeMap<>();

    private static String key(TenantId tenant, String collection, String id) {
        return tenant.value() + "|" + collection + "#" + id;
    }

    @Override
    public synchronized boolean create(TenantId tenant, String collection, String id, String json, Instant now) {
        return items.putIfAbsent(key(tenant, collection, id), new Versioned(id, 1, now, now, json)) == null;
    }

    @Override
    public synchronized Optional<Versioned> get(TenantId tenant, String collection, String id) {
        return Optional.ofNullable(items.get(key(tenant, collection, id)));
    }

    @Override
    public synchronized Page<Versioned> list(TenantId tenant, String collection,
                                             Optional<Map<String, String>> cursor, int limit) {
        String prefix = tenant.value() + "|" + collection + "#";
        String from = cursor.map(c -> c.get("sk")).orElse(prefix);
        List<Versioned> page = new ArrayList<>();
        String last = null;
        for (Map.Entry<String, Versioned> e : items.tailMap(from, cursor.isEmpty()).entrySet()) {
            if (!e.getKey().startsWith(prefix) || page.size() == limit) {
                break;
            }
            page.add(e.getValue());
            last = e.getKey();
        }
        boolean more = last != null && items.higherKey(last) != null && items.higherKey(last).startsWith(prefix);
        return new Page<>(page, more && page.size() == limit ? Optional.of(Map.of("sk", last)) : Optional.empty());
    }

    @Override
    public synchronized Write replace(TenantId tenant, String collection, String id, String json,
                                      long expectedVersion, Instant now) {
        Versioned current = items.get(key(tenant, collection, id));
        if (current == null) {
            return Write.MISSING;
        }
        if (current.version() != expectedVersion) {
            return Write.VERSION_MISMATCH;
        }
        items.put(key(tenant, collection, id), new Versioned(id, expectedVersion + 1, current.createdAt(), now, json));
        return Write.DONE;
    }

    @Override
    public synchronized Write transact(TenantId tenant, List<Change> changes, Instant now) {
        for (Change change : changes) {
            Versioned current = items.get(key(tenant, change.collection(), change.id()));
            boolean ok = switch (change) {
                case Create c -> current == null;
                case Replace r -> current != null && current.version() == r.expectedVersion();
                case Check c -> current != null && current.version() == c.expectedVersion();
            };
            if (!ok) {
                return Write.VERSION_MISMATCH;
            }
        }
        for (Change change : changes) {
            switch (change) {
                case Create c -> create(tenant, c.collection(), c.id(), c.json(), now);
                case Replace r -> replace(tenant, r.collection(), r.id(), r.json(), r.expectedVersion(), now);
                case Check c -> {
                }
            }
        }
        return Write.DONE;
    }

    @Override
    public synchronized Write delete(TenantId tenant, String collection, String id, OptionalLong expectedVersion) {
        Versioned current = items.get(key(tenant, collection, id));
        if (current == null) {
            return Write.MISSING;
        }
        if (expectedVersion.isPresent() && expectedVersion.getAsLong() != current.version()) {
            return Write.VERSION_MISMATCH;
        }
        items.remove(key(tenant, collection, id));
        return Write.DONE;
    }
}
