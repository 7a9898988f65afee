package dev.skyloom.core.resources;

import java.util.List;
import java.util.regex.Pattern;

/**
 * An agent: who it is (name, role, persona in Markdown, system prompt), which model it runs on, and what it may
 * use (tools, default deny; skills; MCP servers), its memory profile and budgets. The same record is the body of
 * {@code POST /agents} and {@code PUT /agents/{id}}.
 */
public record Agent(String name, String role, String persona, String systemPrompt, Model model, Integer maxTurns,
                    List<String> tools, List<String> skills, List<McpServer> mcpServers, String memoryProfile,
                    Budgets budgets) {
    public static final List<String> PROVIDERS = List.of("bedrock", "openai-compatible", "scripted");
    public static final List<String> MEMORY_PROFILES = List.of("none", "session", "persistent");
    private static final Pattern TOOL = Pattern.compile("[a-z][a-z0-9_.-]{0,63}");
    private static final Pattern URL = Pattern.compile("https?://[^\\s]{1,2000}");

    /**
     * @param baseUrl      the server of an {@code openai-compatible} provider ({@code http://localhost:11434/v1} for
     *                     Ollama); required for it, not allowed for the others
     * @param apiKeySecret the name of the tenant secret holding its API key (granted to the agent), or null
     */
    public record Model(String provider, String modelId, Double temperature, Integer maxOutputTokens, String baseUrl,
                        String apiKeySecret) {
        public Model(String provider, String modelId, Double temperature, Integer maxOutputTokens) {
            this(provider, modelId, temperature, maxOutputTokens, null, null);
        }
    }

    public record McpServer(String name, String url) {
    }

    public record Budgets(Long maxTokensPerRun, Double maxDollarsPerRun, Double maxDollarsPerDay) {
    }

    /** Fills defaults: no tools, skills or MCP servers (default deny), 20 turns, session memory. */
    public Agent withDefaults() {
        return new Agent(name, role, persona, systemPrompt, model, maxTurns == null ? 20 : maxTurns,
                tools == null ? List.of() : tools, skills == null ? List.of() : skills,
                mcpServers == null ? List.of() : mcpServers, memoryProfile == null ? "session" : memoryProfile,
                budgets);
    }

    public void validate() {
        Check check = new Check()
                .text("name", name, true, 100).matches("name", name, Check.NAME,
                        "1-100 characters of letters, digits, ' ', '.', '_' and '-', starting with a letter or digit")
                .text("role", role, false, 200)
                .text("persona", persona, false, 20_000)
                .text("systemPrompt", systemPrompt, false, 50_000)
                .required("model", model)
                .range("maxTurns", maxTurns, 1, 500)
                .list("tools", tools, 100, TOOL, "a tool name: a-z, 0-9, '_', '.', '-', starting with a letter")
                .list("skills", skills, 100, Check.SLUG, "a skill id: a-z, 0-9, '_' and '-'")
                .oneOf("memoryProfile", memoryProfile, MEMORY_PROFILES);
        if (model != null) {
            check.required("model.provider", model.provider()).oneOf("model.provider", model.provider(), PROVIDERS)
                    .text("model.modelId", model.modelId(), true, 200)
                    .range("model.temperature", model.temperature(), 0, 2)
                    .range("model.maxOutputTokens", model.maxOutputTokens(), 1, 200_000)
                    .matches("model.baseUrl", model.baseUrl(), URL, "an http(s) URL")
                    .matches("model.apiKeySecret", model.apiKeySecret(), Check.SLUG, "a secret name");
            if ("openai-compatible".equals(model.provider()) && model.baseUrl() == null) {
                check.problem("model.baseUrl", "is required for provider openai-compatible (the server's /v1 URL)");
            }
            if (!"openai-compatible".equals(model.provider()) && model.baseUrl() != null) {
                check.problem("model.baseUrl", "is only used by provider openai-compatible");
            }
        }
        if (mcpServers != null) {
            if (mcpServers.size() > 20) {
                check.problem("mcpServers", "must have at most 20 items");
            }
            for (int i = 0; i < mcpServers.size() && i < 20; i++) {
                McpServer server = mcpServers.get(i);
                if (server == null) {
                    check.problem("mcpServers[" + i + "]", "must not be null");
                    continue;
                }
                check.text("mcpServers[" + i + "].name", server.name(), true, 64)
                        .required("mcpServers[" + i + "].url", server.url())
                        .matches("mcpServers[" + i + "].url", server.url(), URL, "an http(s) URL");
            }
        }
        if (budgets != null) {
            check.range("budgets.maxTokensPerRun", budgets.maxTokensPerRun(), 1, 1e10)
                    .range("budgets.maxDollarsPerRun", budgets.maxDollarsPerRun(), 0, 1e6)
                    .range("budgets.maxDollarsPerDay", budgets.maxDollarsPerDay(), 0, 1e6);
        }
        check.orThrow();
    }
}
