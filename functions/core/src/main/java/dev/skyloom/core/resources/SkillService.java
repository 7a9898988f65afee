package dev.skyloom.core.resources;

import dev.skyloom.core.api.ApiError;
import dev.skyloom.core.api.Page;
import dev.skyloom.core.identity.Principal;
import dev.skyloom.core.store.DocumentStore;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/** Skills of a tenant, keyed by the name in their front matter. */
public final class SkillService {
    static final String COLLECTION = "SKILL";
    private final Documents<Skill> documents;

    public SkillService(DocumentStore store, Clock clock) {
        this.documents = new Documents<>(store, clock, "Skill", Skill.class);
    }

    public Stored<Skill> create(Principal caller, Skill.Input input) {
        Skill skill = Skill.parse(input.markdown());
        return documents.create(caller.tenant(), COLLECTION, skill.name(), skill);
    }

    public Stored<Skill> get(Principal caller, String name) {
        return documents.get(caller.tenant(), COLLECTION, name);
    }

    public Page<Stored<Skill>> list(Principal caller, Optional<Map<String, String>> cursor, int limit) {
        return documents.list(caller.tenant(), COLLECTION, cursor, limit);
    }

    public Stored<Skill> replace(Principal caller, String name, Skill.Input input, OptionalLong ifMatch) {
        Skill skill = Skill.parse(input.markdown());
        if (!skill.name().equals(name)) {
            throw ApiError.invalidField("markdown.frontMatter.name", "must stay '" + Documents.abbreviate(name)
                    + "' (create a new skill to rename)");
        }
        return documents.update(caller.tenant(), COLLECTION, name, ifMatch, current -> skill);
    }

    public void delete(Principal caller, String name, OptionalLong ifMatch) {
        documents.delete(caller.tenant(), COLLECTION, name, ifMatch);
    }
}
