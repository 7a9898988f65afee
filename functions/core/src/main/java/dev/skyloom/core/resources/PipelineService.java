package dev.skyloom.core.resources;

import dev.skyloom.core.api.ApiError;
import dev.skyloom.core.api.Json;
import dev.skyloom.core.api.Page;
import dev.skyloom.core.identity.Principal;
import dev.skyloom.core.store.DocumentStore;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Pipelines of a tenant and their versions. A new version and the head that points at it are written in one
 * transaction, so a version is never stored without its head moving, and two concurrent updates cannot both
 * become version n+1.
 */
public final class PipelineService {
    static final String COLLECTION = "PIPELINE";
    private final DocumentStore store;
    private final Clock clock;
    private final Documents<Pipeline> heads;
    private final Documents<Pipeline.Version> versions;

    public PipelineService(DocumentStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
        this.heads = new Documents<>(store, clock, "Pipeline", Pipeline.class);
        this.versions = new Documents<>(store, clock, "Pipeline version", Pipeline.Version.class);
    }

    static String versionCollection(String pipelineId) {
        return "PIPELINEVERSION#" + pipelineId;
    }

    static String versionId(long version) {
        return String.format("v%06d", version);
    }

    public Pipeline.Checked validate(Pipeline.Input input) {
        return Pipeline.check(input.yaml());
    }

    public Stored<Pipeline> create(Principal caller, Pipeline.Input input) {
        Pipeline.Checked checked = valid(input);
        Pipeline head = new Pipeline(checked.name(), checked.description(), 1);
        DocumentStore.Write write = store.transact(caller.tenant(), List.of(
                new DocumentStore.Create(COLLECTION, checked.id(), Json.write(head)),
                new DocumentStore.Create(versionCollection(checked.id()), versionId(1),
                        Json.write(new Pipeline.Version(1, input.yaml())))), clock.instant());
        if (write != DocumentStore.Write.DONE) {
            throw ApiError.conflict("Pipeline " + checked.id() + " exists already; PUT /pipelines/" + checked.id()
                    + " stores a new version");
        }
        return heads.get(caller.tenant(), COLLECTION, checked.id());
    }

    public Stored<Pipeline> update(Principal caller, String id, Pipeline.Input input, OptionalLong ifMatch) {
        Pipeline.Checked checked = valid(input);
        if (!id.equals(checked.id())) {
            throw ApiError.invalidField("yaml.id", "must be '" + Documents.abbreviate(id)
                    + "', the pipeline being updated");
        }
        Stored<Pipeline> current = heads.get(caller.tenant(), COLLECTION, id);
        if (ifMatch.isPresent() && ifMatch.getAsLong() != current.version()) {
            throw ApiError.preconditionFailed("Pipeline " + id + " is at version " + current.version() + ", not "
                    + ifMatch.getAsLong());
        }
        long next = current.doc().latestVersion() + 1;
        Pipeline head = new Pipeline(checked.name(), checked.description(), next);
        DocumentStore.Write write = store.transact(caller.tenant(), List.of(
                new DocumentStore.Replace(COLLECTION, id, Json.write(head), current.version()),
                new DocumentStore.Create(versionCollection(id), versionId(next),
                        Json.write(new Pipeline.Version(next, input.yaml())))), clock.instant());
        if (write != DocumentStore.Write.DONE) {
            throw ifMatch.isPresent() ? ApiError.preconditionFailed("Pipeline " + id + " changed meanwhile")
                    : ApiError.conflict("Pipeline " + id + " was updated concurrently; retry");
        }
        return heads.get(caller.tenant(), COLLECTION, id);
    }

    public Stored<Pipeline> get(Principal caller, String id) {
        return heads.get(caller.tenant(), COLLECTION, id);
    }

    public Page<Stored<Pipeline>> list(Principal caller, Optional<Map<String, String>> cursor, int limit) {
        return heads.list(caller.tenant(), COLLECTION, cursor, limit);
    }

    public Stored<Pipeline.Version> version(Principal caller, String id, String version) {
        heads.get(caller.tenant(), COLLECTION, id);
        long number;
        try {
            number = Long.parseLong(version);
        } catch (NumberFormatException e) {
            throw ApiError.notFound("Version " + Documents.abbreviate(version) + " of pipeline " + id);
        }
        if (number < 1 || number > 999_999) {
            throw ApiError.notFound("Version " + number + " of pipeline " + id);
        }
        return versions.get(caller.tenant(), versionCollection(id), versionId(number));
    }

    public Page<Stored<Pipeline.Version>> versions(Principal caller, String id, Optional<Map<String, String>> cursor,
                                                   int limit) {
        heads.get(caller.tenant(), COLLECTION, id);
        return versions.list(caller.tenant(), versionCollection(id), cursor, limit);
    }

    /**
     * Deletes the pipeline (conditionally on {@code If-Match}), then its versions. The head goes first, so the
     * pipeline is gone at once; a crash midway leaves unreachable versions that a re-create with the same id
     * answers with 409 until they are removed.
     */
    public void delete(Principal caller, String id, OptionalLong ifMatch) {
        heads.delete(caller.tenant(), COLLECTION, id, ifMatch);
        Optional<Map<String, String>> cursor = Optional.empty();
        do {
            Page<Stored<Pipeline.Version>> page = versions.list(caller.tenant(), versionCollection(id), cursor, 100);
            for (Stored<Pipeline.Version> version : page.items()) {
                store.delete(caller.tenant(), versionCollection(id), version.id(), OptionalLong.empty());
            }
            cursor = page.next();
        } while (cursor.isPresent());
    }

    private static Pipeline.Checked valid(Pipeline.Input input) {
        Pipeline.Checked checked = Pipeline.check(input.yaml());
        if (!checked.problems().isEmpty()) {
            throw ApiError.badRequest("Invalid pipeline: " + checked.problems().getFirst().field() + " "
                    + checked.problems().getFirst().problem(), checked.problems());
        }
        return checked;
    }
}
