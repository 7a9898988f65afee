package dev.skyloom.core.resources;

import dev.skyloom.core.api.Page;
import dev.skyloom.core.identity.Principal;
import dev.skyloom.core.store.DocumentStore;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;

/** Agents of a tenant: CRUD with validation and optimistic locking. */
public final class AgentService {
    static final String COLLECTION = "AGENT";
    private final Documents<Agent> documents;

    public AgentService(DocumentStore store, Clock clock) {
        this.documents = new Documents<>(store, clock, "Agent", Agent.class);
    }

    public Stored<Agent> create(Principal caller, Agent input) {
        input.validate();
        return documents.create(caller.tenant(), COLLECTION, Documents.newId("agt_"), input.withDefaults());
    }

    public Stored<Agent> get(Principal caller, String id) {
        return documents.get(caller.tenant(), COLLECTION, id);
    }

    public boolean exists(Principal caller, String id) {
        return documents.find(caller.tenant(), COLLECTION, id).isPresent();
    }

    public Page<Stored<Agent>> list(Principal caller, Optional<Map<String, String>> cursor, int limit) {
        return documents.list(caller.tenant(), COLLECTION, cursor, limit);
    }

    public Stored<Agent> replace(Principal caller, String id, Agent input, OptionalLong ifMatch) {
        input.validate();
        return documents.update(caller.tenant(), COLLECTION, id, ifMatch, current -> input.withDefaults());
    }

    /** Creates the agent under this id, or replaces it (a pipeline's inline agents, whose ids are stable). */
    public Stored<Agent> put(Principal caller, String id, Agent input) {
        input.validate();
        if (documents.find(caller.tenant(), COLLECTION, id).isPresent()) {
            return documents.update(caller.tenant(), COLLECTION, id, OptionalLong.empty(), current -> input.withDefaults());
        }
        return documents.create(caller.tenant(), COLLECTION, id, input.withDefaults());
    }

    public void delete(Principal caller, String id, OptionalLong ifMatch) {
        documents.delete(caller.tenant(), COLLECTION, id, ifMatch);
    }

    /** The caller's tenant's agents by id and by name (the first 1000), for resolving references in definitions. */
    public dev.skyloom.core.pipeline.AgentDirectory directory(Principal caller) {
        return directory(cursor -> list(caller, cursor, 100));
    }

    /** A directory of the agents the pages list (the first 10 pages), by id and by name (the first of a name wins). */
    public static dev.skyloom.core.pipeline.AgentDirectory directory(
            Function<Optional<Map<String, String>>, Page<Stored<Agent>>> pages) {
        Map<String, String> byName = new java.util.TreeMap<>();
        java.util.Set<String> ids = new java.util.HashSet<>();
        Optional<Map<String, String>> cursor = Optional.empty();
        int read = 0;
        do {
            Page<Stored<Agent>> page = pages.apply(cursor);
            for (Stored<Agent> agent : page.items()) {
                ids.add(agent.id());
                byName.putIfAbsent(agent.doc().name(), agent.id());
            }
            cursor = page.next();
        } while (cursor.isPresent() && ++read < 10);
        return new dev.skyloom.core.pipeline.AgentDirectory() {
            @Override
            public Optional<String> resolve(String idOrName) {
                return ids.contains(idOrName) ? Optional.of(idOrName) : Optional.ofNullable(byName.get(idOrName));
            }

            @Override
            public java.util.List<String> names() {
                return java.util.List.copyOf(byName.keySet());
            }
        };
    }
}
