package dev.skyloom.core.resources;

import dev.skyloom.core.api.ApiError;
import dev.skyloom.core.api.Json;
import dev.skyloom.core.api.Page;
import dev.skyloom.core.identity.Principal;
import dev.skyloom.core.pipeline.AgentDirectory;
import dev.skyloom.core.pipeline.Compilation;
import dev.skyloom.core.pipeline.CompileTarget;
import dev.skyloom.core.pipeline.PipelineCompiler;
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
 *
 * <p>Built with a {@link CompileTarget}, every definition is compiled ({@link PipelineCompiler}) before it is
 * stored, and a 400 lists every error with its line and column; agents are resolved among the caller's tenant's.
 * Built without one, only {@code id}, {@code name} and {@code steps} are checked ({@link Pipeline#check}), as before
 * the compiler existed.
 */
public final class PipelineService {
    static final String COLLECTION = "PIPELINE";
    private final DocumentStore store;
    private final Clock clock;
    private final Documents<Pipeline> heads;
    private final Documents<Pipeline.Version> versions;

    private final Documents<Agent> agents;
    private final CompileTarget target;
    private final Deployer deployer;

    /**
     * Deploys what was stored: each new version's compilation after its transaction, and removes a deleted
     * pipeline's state machine ({@link dev.skyloom.core.runs.PipelineDeployments}).
     */
    public interface Deployer {
        void deploy(Principal caller, String pipelineId, long version, Compilation compilation);

        void undeploy(Principal caller, String pipelineId);
    }

    public PipelineService(DocumentStore store, Clock clock) {
        this(store, clock, null);
    }

    /** @param target where compiled pipelines run, or null to skip compiling (only id, name and steps checked) */
    public PipelineService(DocumentStore store, Clock clock, CompileTarget target) {
        this(store, clock, target, null);
    }

    /** @param deployer deploys every stored version (null: versions are only stored) */
    public PipelineService(DocumentStore store, Clock clock, CompileTarget target, Deployer deployer) {
        this.deployer = deployer;
        this.store = store;
        this.clock = clock;
        this.heads = new Documents<>(store, clock, "Pipeline", Pipeline.class);
        this.versions = new Documents<>(store, clock, "Pipeline version", Pipeline.Version.class);
        this.agents = new Documents<>(store, clock, "Agent", Agent.class);
        this.target = target;
    }

    static String versionCollection(String pipelineId) {
        return "PIPELINEVERSION#" + pipelineId;
    }

    static String versionId(long version) {
        return String.format("v%06d", version);
    }

    /** Checks a definition without a tenant: agent references are not looked up (any name or id is accepted). */
    public Pipeline.Checked validate(Pipeline.Input input) {
        return target == null ? Pipeline.check(input.yaml()) : checked(compile(input, ANY_AGENT));
    }

    /** Checks a definition as {@link #create} would, agents resolved among the caller's tenant's. */
    public Pipeline.Checked validate(Principal caller, Pipeline.Input input) {
        return target == null ? Pipeline.check(input.yaml()) : checked(compile(input, directory(caller)));
    }

    public Stored<Pipeline> create(Principal caller, Pipeline.Input input) {
        Compilation compilation = compiled(caller, input);
        Pipeline.Checked checked = compilation == null ? valid(caller, input) : checked(compilation);
        Pipeline head = new Pipeline(checked.name(), checked.description(), 1);
        DocumentStore.Write write = store.transact(caller.tenant(), List.of(
                new DocumentStore.Create(COLLECTION, checked.id(), Json.write(head)),
                new DocumentStore.Create(versionCollection(checked.id()), versionId(1),
                        Json.write(new Pipeline.Version(1, input.yaml())))), clock.instant());
        if (write != DocumentStore.Write.DONE) {
            throw ApiError.conflict("Pipeline " + checked.id() + " exists already; PUT /pipelines/" + checked.id()
                    + " stores a new version");
        }
        if (deployer != null && compilation != null) {
            deployer.deploy(caller, checked.id(), 1, compilation);
        }
        return heads.get(caller.tenant(), COLLECTION, checked.id());
    }

    public Stored<Pipeline> update(Principal caller, String id, Pipeline.Input input, OptionalLong ifMatch) {
        Compilation compilation = compiled(caller, input);
        Pipeline.Checked checked = compilation == null ? valid(caller, input) : checked(compilation);
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
        if (deployer != null && compilation != null) {
            deployer.deploy(caller, id, next, compilation);
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
        if (deployer != null) {
            deployer.undeploy(caller, id);
        }
        Optional<Map<String, String>> cursor = Optional.empty();
        do {
            Page<Stored<Pipeline.Version>> page = versions.list(caller.tenant(), versionCollection(id), cursor, 100);
            for (Stored<Pipeline.Version> version : page.items()) {
                store.delete(caller.tenant(), versionCollection(id), version.id(), OptionalLong.empty());
            }
            cursor = page.next();
        } while (cursor.isPresent());
    }

    private static final AgentDirectory ANY_AGENT = new AgentDirectory() {
        @Override
        public Optional<String> resolve(String idOrName) {
            return Optional.of(idOrName);
        }

        @Override
        public List<String> names() {
            return List.of();
        }
    };

    private Compilation compile(Pipeline.Input input, AgentDirectory directory) {
        return PipelineCompiler.create().compile(input.yaml(), directory, target);
    }

    private static Pipeline.Checked checked(Compilation compilation) {
        var pipeline = compilation.pipeline();
        return new Pipeline.Checked(pipeline == null ? null : pipeline.id(), pipeline == null ? null : pipeline.name(),
                pipeline == null ? null : pipeline.description(),
                compilation.errors().stream().map(dev.skyloom.core.pipeline.PipelineError::detail).toList());
    }

    /** The caller's tenant's agents by id and by name (the first 1000, enough to check a definition). */
    private AgentDirectory directory(Principal caller) {
        return AgentService.directory(cursor -> agents.list(caller.tenant(), AgentService.COLLECTION, cursor, 100));
    }

    /** The compilation of a valid definition (a 400 otherwise), or null when this service does not compile. */
    private Compilation compiled(Principal caller, Pipeline.Input input) {
        if (target == null) {
            return null;
        }
        return compile(input, directory(caller)).orThrow();
    }

    private Pipeline.Checked valid(Principal caller, Pipeline.Input input) {
        if (target != null) {
            Compilation compilation = compile(input, directory(caller));
            if (!compilation.ok()) {
                throw compilation.toApiError();
            }
            return checked(compilation);
        }
        Pipeline.Checked checked = Pipeline.check(input.yaml());
        if (!checked.problems().isEmpty()) {
            throw ApiError.badRequest("Invalid pipeline: " + checked.problems().getFirst().field() + " "
                    + checked.problems().getFirst().problem(), checked.problems());
        }
        return checked;
    }
}
