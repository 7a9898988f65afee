package dev.skyloom.core.runs;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.skyloom.core.api.ApiError;
import dev.skyloom.core.api.Json;
import dev.skyloom.core.identity.Principal;
import dev.skyloom.core.identity.TenantId;
import dev.skyloom.core.pipeline.Compilation;
import dev.skyloom.core.pipeline.InlineAgent;
import dev.skyloom.core.resources.Agent;
import dev.skyloom.core.resources.AgentService;
import dev.skyloom.core.resources.Documents;
import dev.skyloom.core.resources.PipelineService;
import dev.skyloom.core.resources.Stored;
import dev.skyloom.core.store.DocumentStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Deploys each stored pipeline version: its inline agents are created or replaced under the compiler's stable ids,
 * then its state machine {@code skyloom-pipeline-<tenant>-<pipeline>} is created or updated with the version's ASL
 * (compiled with the deployment's ARNs) and a version of it is published, described by the pipeline version. The
 * published version's ARN is kept per pipeline version ({@code PIPELINEDEPLOY#<pipeline>}), which runs start.
 */
public final class PipelineDeployments implements PipelineService.Deployer {
    static final String PREFIX = "skyloom-pipeline-";
    private final PipelineEngine engine;
    private final String prefix;
    private final AgentService agents;
    private final Documents<Deployment> deployments;

    /** A deployed pipeline version: the state machine and its published version. */
    public record Deployment(long version, String stateMachineName, String versionArn) {
    }

    public PipelineDeployments(DocumentStore store, Clock clock, PipelineEngine engine, AgentService agents) {
        this(store, clock, engine, agents, PREFIX);
    }

    /**
     * @param prefix what state machine names start with: the deployment's own prefix plus {@code pipeline-}
     *               ({@code skyloom-pipeline-} locally, {@code skyloom-<stage>-pipeline-} on AWS), so IAM can grant
     *               {@code stateMachine:<prefix>*}
     */
    public PipelineDeployments(DocumentStore store, Clock clock, PipelineEngine engine, AgentService agents,
                               String prefix) {
        this.prefix = prefix;
        this.engine = engine;
        this.agents = agents;
        this.deployments = new Documents<>(store, clock, "Pipeline deployment", Deployment.class);
    }

    static String collection(String pipelineId) {
        return "PIPELINEDEPLOY#" + pipelineId;
    }

    /**
     * The state machine's name: {@code skyloom-pipeline-<tenant>-<pipeline>}, or, when that would exceed Step
     * Functions' 80 characters, its first 62 characters, '-' and 16 hex digits of SHA-256 of the full name.
     */
    public static String stateMachineName(TenantId tenant, String pipelineId) {
        return stateMachineName(PREFIX, tenant, pipelineId);
    }

    static String stateMachineName(String prefix, TenantId tenant, String pipelineId) {
        String name = prefix + tenant.value() + "-" + pipelineId;
        if (name.length() <= 80) {
            return name;
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            return name.substring(0, 62) + "-" + HexFormat.of().formatHex(hash, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void deploy(Principal caller, String pipelineId, long version, Compilation compilation) {
        for (InlineAgent inline : compilation.inlineAgents()) {
            Agent agent;
            try {
                agent = Json.MAPPER.treeToValue(inline.definition(), Agent.class);
            } catch (JsonProcessingException | IllegalArgumentException e) {
                throw ApiError.invalidField("yaml.agents", "inline agent " + inline.name() + ": " + e.getMessage());
            }
            agents.put(caller, inline.id(), agent);
        }
        String name = stateMachineName(prefix, caller.tenant(), pipelineId);
        String versionArn = engine.deploy(name, compilation.asl(), String.valueOf(version));
        String id = String.format("v%06d", version);
        Deployment deployment = new Deployment(version, name, versionArn);
        if (deployments.find(caller.tenant(), collection(pipelineId), id).isPresent()) {
            deployments.update(caller.tenant(), collection(pipelineId), id, java.util.OptionalLong.empty(),
                    current -> deployment);
        } else {
            deployments.create(caller.tenant(), collection(pipelineId), id, deployment);
        }
    }

    @Override
    public void undeploy(Principal caller, String pipelineId) {
        engine.delete(stateMachineName(prefix, caller.tenant(), pipelineId));
        Optional<java.util.Map<String, String>> cursor = Optional.empty();
        do {
            var page = deployments.list(caller.tenant(), collection(pipelineId), cursor, 100);
            for (Stored<Deployment> d : page.items()) {
                deployments.delete(caller.tenant(), collection(pipelineId), d.id(), java.util.OptionalLong.empty());
            }
            cursor = page.next();
        } while (cursor.isPresent());
    }

    /** The deployment of a pipeline version, if it was deployed. */
    public Optional<Deployment> find(TenantId tenant, String pipelineId, long version) {
        return deployments.find(tenant, collection(pipelineId), String.format("v%06d", version)).map(Stored::doc);
    }

}
