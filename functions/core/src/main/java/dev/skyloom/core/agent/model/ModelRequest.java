package dev.skyloom.core.agent.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One model call.
 *
 * @param modelId         the provider's model id ({@code anthropic.claude-...}, {@code llama3.1}, {@code skyloom.local})
 * @param system          the system prompt; may be empty
 * @param tools           the tools the model may call; empty for none
 * @param temperature     null for the provider's default
 * @param maxOutputTokens the cap on generated tokens
 * @param metadata        request metadata passed to the provider where it supports it (Bedrock {@code
 *                        requestMetadata}); keys are the {@code META_*} constants. The local model server reads
 *                        them to pick the scripted answer for an agent and turn.
 */
public record ModelRequest(String modelId, String system, List<Message> messages, List<ToolSpec> tools,
                           Double temperature, int maxOutputTokens, Map<String, String> metadata) {
    public static final String META_TENANT = "skyloom:tenant";
    public static final String META_RUN = "skyloom:run";
    public static final String META_STEP = "skyloom:step";
    public static final String META_AGENT = "skyloom:agent";
    /**
     * The agent-step execution (a short hash of its id): the same for every turn and retried turn of one execution,
     * new for each visit of the step (a goto back, a retry, a resumed run). The local model server numbers a step's
     * executions in a run to answer a different script per visit.
     */
    public static final String META_EXECUTION = "skyloom:execution";
    /** The 1-based turn number of the step. */
    public static final String META_TURN = "skyloom:turn";
    /** {@code agent}, {@code gate}, {@code planner}, ... */
    public static final String META_STEP_TYPE = "skyloom:stepType";
    /** The scripted scenario the local model server should answer from, when set. */
    public static final String META_SCENARIO = "skyloom:scenario";

    public ModelRequest {
        Objects.requireNonNull(modelId, "modelId");
        system = system == null ? "" : system;
        messages = List.copyOf(messages);
        tools = List.copyOf(tools);
        metadata = Map.copyOf(metadata);
        if (maxOutputTokens < 1) {
            throw new IllegalArgumentException("maxOutputTokens must be >= 1, was " + maxOutputTokens);
        }
    }
}
