package dev.skyloom.handlers;

import dev.skyloom.aws.DynamoDbLlmCallStore;
import dev.skyloom.aws.agent.DynamoDbMemoryStore;
import dev.skyloom.aws.agent.McpToolSource;
import dev.skyloom.aws.agent.S3Workspace;
import dev.skyloom.aws.agent.SafeHttpFetcher;
import dev.skyloom.aws.bedrock.BedrockEmbeddings;
import dev.skyloom.aws.bedrock.BedrockModelClient;
import dev.skyloom.aws.runtime.EventBridgeStepEvents;
import dev.skyloom.aws.runtime.S3StepStore;
import dev.skyloom.core.agent.AgentTurnService;
import dev.skyloom.core.agent.Pricing;
import dev.skyloom.core.agent.PromptAssembler;
import dev.skyloom.core.agent.StepFailure;
import dev.skyloom.core.agent.ToolRunner;
import dev.skyloom.core.agent.ToolSource;
import dev.skyloom.core.agent.model.ModelClient;
import dev.skyloom.core.agent.model.OpenAiCompatibleModelClient;
import dev.skyloom.core.agent.tools.AddressPolicy;
import dev.skyloom.core.agent.tools.BuiltInTools;
import dev.skyloom.core.agent.tools.Embeddings;
import dev.skyloom.core.agent.tools.HttpRequestTool;
import dev.skyloom.core.agent.tools.Memory;
import dev.skyloom.core.agent.tools.MemoryStore;
import dev.skyloom.core.agent.tools.MemoryTools;
import dev.skyloom.core.agent.tools.Tool;
import dev.skyloom.core.agent.tools.ToolInvoker;
import dev.skyloom.core.agent.tools.ToolRegistry;
import dev.skyloom.core.api.ApiError;
import dev.skyloom.core.identity.Principal;
import dev.skyloom.core.resources.Agent;
import dev.skyloom.manifest.SkyloomResources;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;

/**
 * The composition root of the AgentTurn function: the turn engine over the S3 step store, EventBridge events, the
 * LLM call log, the model clients and the tool registry. Built once per execution environment, on first use.
 */
final class AgentComposition {
    /** The name of the platform's EventBridge bus. */
    static final String ENV_EVENT_BUS = "SKYLOOM_EVENT_BUS";
    /**
     * The Bedrock embedding model for semantic memory recall, e.g. {@code amazon.titan-embed-text-v2:0}; unset or
     * blank: lexical ranking only.
     */
    static final String ENV_EMBEDDINGS_MODEL = SkyloomResources.ENV_EMBEDDINGS_MODEL;
    private static final int RECALLED_MEMORIES_CANDIDATES = 1000;

    private AgentComposition() {
    }

    private static final class Clients {
        static final EventBridgeClient EVENT_BRIDGE = Composition.configure(EventBridgeClient.builder()).build();
        static final BedrockModelClient BEDROCK = BedrockModelClient.create(
                Composition.CONFIG.endpoint().orElse(null), Region.of(Composition.CONFIG.region()),
                Composition.credentials());
        static final Optional<Embeddings> EMBEDDINGS = embeddings(LambdaEnvironment.read().get(ENV_EMBEDDINGS_MODEL));
        static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    private static final class Engine {
        static final String WORKSPACES = SkyloomConfig.require(Composition.CONFIG.workspacesBucket(),
                SkyloomResources.ENV_BUCKET_WORKSPACES);
        static final MemoryStore MEMORY = new DynamoDbMemoryStore(Composition.DynamoDb.CLIENT,
                Composition.Services.TABLE);
        static final ToolRegistry TOOLS = BuiltInTools.registry(new S3Workspace(Composition.S3.CLIENT, WORKSPACES),
                new HttpRequestTool(SafeHttpFetcher.create()), MEMORY, Clients.EMBEDDINGS,
                Composition.Services.TASKS, Composition.Services.PROJECTS, Composition.Services.SKILLS,
                Composition.Services.AGENTS, Clock.systemUTC());
        static final ToolInvoker INVOKER = ToolInvoker.create();
        static final Map<String, McpToolSource> MCP = new ConcurrentHashMap<>();
        static final AgentTurnService SERVICE = new AgentTurnService(Composition.Services.AGENTS,
                Composition.Services.SKILLS, AgentComposition::modelFor, AgentComposition::toolsFor,
                runner(), AgentComposition::recall,
                new S3StepStore(Composition.S3.CLIENT, WORKSPACES),
                new EventBridgeStepEvents(Clients.EVENT_BRIDGE, eventBus()),
                new DynamoDbLlmCallStore(Composition.DynamoDb.CLIENT, Composition.Services.TABLE),
                Pricing.standard(), Clock.systemUTC());
    }

    /** Bedrock embeddings of {@code model} on the platform's endpoint and credentials; none when it is unset. */
    static Optional<Embeddings> embeddings(String model) {
        if (model == null || model.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(BedrockEmbeddings.create(Composition.CONFIG.endpoint().orElse(null),
                Region.of(Composition.CONFIG.region()), Composition.credentials(), model.strip()));
    }

    static AgentTurnService turns() {
        return Engine.SERVICE;
    }

    private static String eventBus() {
        String bus = LambdaEnvironment.read().get(ENV_EVENT_BUS);
        if (bus == null || bus.isBlank()) {
            throw new IllegalStateException(ENV_EVENT_BUS + " is not set: the AgentTurn function puts its events on "
                    + "the platform's EventBridge bus");
        }
        return bus;
    }

    private static ToolRunner runner() {
        return (tool, input, context) -> Engine.INVOKER.invoke(List.of(tool), tool.name(), input, context);
    }

    /**
     * {@code bedrock} and {@code scripted} go to Bedrock's Converse API (locally: the edge's model server, where the
     * model id names a scripted scenario as {@code skyloom.scenario.<name>}); {@code openai-compatible} to the
     * agent's server with its API key from a secret granted to the agent.
     */
    static ModelClient modelFor(Principal agent, Agent.Model model) {
        return switch (model.provider()) {
            case "bedrock", "scripted" -> Clients.BEDROCK;
            case "openai-compatible" -> {
                Optional<String> key = Optional.empty();
                if (model.apiKeySecret() != null) {
                    try {
                        key = Optional.of(Composition.Services.SECRETS.reveal(agent.tenant(), model.apiKeySecret(),
                                agent.keyId().substring("agent:".length())));
                    } catch (ApiError e) {
                        throw new StepFailure(StepFailure.MODEL_ERROR, "the API key secret '" + model.apiKeySecret()
                                + "' of the agent's model cannot be read: " + e.getMessage());
                    }
                }
                yield new OpenAiCompatibleModelClient(Clients.HTTP, URI.create(model.baseUrl()), key,
                        Duration.ofMinutes(5));
            }
            default -> throw new StepFailure(StepFailure.MODEL_ERROR, "model provider '" + model.provider()
                    + "' is not available; providers: " + String.join(", ", Agent.PROVIDERS));
        };
    }

    /**
     * The agent's allowlist of built-in tools plus the tools of its MCP servers (connections kept for the life of
     * the execution environment, per tenant and agent configuration).
     */
    static List<Tool> toolsFor(Principal agentPrincipal, Agent agent, dev.skyloom.core.agent.StepSpec step) {
        List<Tool> mcp = List.of();
        if (!agent.mcpServers().isEmpty()) {
            String key = agentPrincipal.tenant().value() + "|" + step.agentId() + "|" + agent.mcpServers();
            mcp = Engine.MCP.computeIfAbsent(key, k -> McpToolSource.open(agent.mcpServers(),
                    AddressPolicy.publicOnly(), InetAddress::getAllByName, Duration.ofSeconds(10))).tools();
        }
        return Engine.TOOLS.forAgent(agent.tools(), step.stepType(), mcp);
    }

    /** The memories of the agent's vault and its project's, ranked for the task as {@code recall} ranks them. */
    static List<PromptAssembler.Memory> recall(Principal agent, String agentId, String projectId, String query,
                                               int limit) {
        List<Memory> candidates = new ArrayList<>(Engine.MEMORY.list(agent.tenant(), Memory.Vault.agent(agentId),
                RECALLED_MEMORIES_CANDIDATES));
        if (projectId != null) {
            candidates.addAll(Engine.MEMORY.list(agent.tenant(), Memory.Vault.project(projectId),
                    RECALLED_MEMORIES_CANDIDATES));
        }
        return MemoryTools.rank(query, candidates, Clients.EMBEDDINGS, Clock.systemUTC().instant(), limit).stream()
                .map(scored -> new PromptAssembler.Memory(scored.memory().type().wire(), scored.memory().content()))
                .toList();
    }
}
