package dev.skyloom.core.agent;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import dev.skyloom.core.resources.Check;

/**
 * The input of one agent step: the constant part of every AgentTurn invocation of the {@code agent-step} state
 * machine. Limits left null fall back to the agent's, then to the defaults below.
 *
 * @param tenantId     the tenant every read and write of the step is scoped to
 * @param runId        the run (pipeline run, swarm, chat) the step belongs to; it names the workspace prefix
 * @param stepId       the step of the run
 * @param agentId      the stored agent that runs the step
 * @param projectId    the project (board, shared memory), or null
 * @param stepType     {@code agent} (ends with {@code complete_step}), {@code gate} (ends with {@code gate_verdict})
 *                     or {@code swarm-planner} (ends with {@code submit_plan}: a swarm's task list, decision 0700)
 * @param prompt       the task
 * @param context      anything the pipeline passes along (earlier outputs, loop item, feedback), or null
 * @param outputSchema the JSON Schema {@code complete_step}'s output must satisfy, or null
 * @param scenario     the local model server's scripted scenario, or null (development and tests only)
 * @param model        a model id overriding the agent's {@code model.modelId} for this step (same provider), or null
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record StepSpec(String tenantId, String runId, String stepId, String agentId, String projectId,
                       String stepType, String prompt, JsonNode context, JsonNode outputSchema, Limits limits,
                       String scenario, String model) {
    private static final java.util.regex.Pattern ID = java.util.regex.Pattern.compile("[A-Za-z0-9_-]{1,64}");
    public static final int DEFAULT_MAX_TURNS = 25;
    public static final int DEFAULT_MAX_OUTPUT_TOKENS = 4096;
    public static final int DEFAULT_TIMEOUT_SECONDS = 3600;
    public static final int DEFAULT_LOOP_GUARD = 3;
    /** The step type of a swarm's planning step, whose completion tool is {@code submit_plan}. */
    public static final String SWARM_PLANNER = "swarm-planner";
    /**
     * A model id: Bedrock ids and inference profiles ({@code anthropic.claude-3-5-haiku-20241022-v1:0},
     * {@code us.anthropic...}, ARNs), OpenAI-compatible names ({@code gpt-4o-mini}, {@code llama3.1:8b}).
     */
    public static final java.util.regex.Pattern MODEL_ID = java.util.regex.Pattern.compile(
            "[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}");
    /** What {@link #MODEL_ID} accepts, for error messages. */
    public static final String MODEL_ID_RULE = "a model id of 1-200 characters (letters, digits, '.', '_', ':', '/',"
            + " '-', starting with a letter or digit) such as 'anthropic.claude-3-5-haiku-20241022-v1:0'";

    /**
     * @param maxTurns        model calls of the step
     * @param maxOutputTokens per model call
     * @param timeoutSeconds  wall-clock time of the step, from its first turn
     * @param maxTokens       input + output tokens of the step
     * @param maxDollars      cost of the step in US dollars
     * @param loopGuard       how many times the same tool with the same arguments may be called
     * @param maxRunTokens    input + output tokens of the whole run (every step, every agent)
     * @param maxRunDollars   cost of the whole run in US dollars
     */
    public record Limits(Integer maxTurns, Integer maxOutputTokens, Integer timeoutSeconds, Long maxTokens,
                         Double maxDollars, Integer loopGuard, Long maxRunTokens, Double maxRunDollars) {
        public static final Limits NONE = new Limits(null, null, null, null, null, null, null, null);

        public Limits(Integer maxTurns, Integer maxOutputTokens, Integer timeoutSeconds, Long maxTokens,
                      Double maxDollars, Integer loopGuard) {
            this(maxTurns, maxOutputTokens, timeoutSeconds, maxTokens, maxDollars, loopGuard, null, null);
        }
    }

    /** A step on the agent's own model. */
    public StepSpec(String tenantId, String runId, String stepId, String agentId, String projectId, String stepType,
                    String prompt, JsonNode context, JsonNode outputSchema, Limits limits, String scenario) {
        this(tenantId, runId, stepId, agentId, projectId, stepType, prompt, context, outputSchema, limits, scenario,
                null);
    }

    @com.fasterxml.jackson.annotation.JsonCreator
    public StepSpec {
        limits = limits == null ? Limits.NONE : limits;
        stepType = stepType == null ? "agent" : stepType;
    }

    /** Checks the input; a {@code 400}-style {@link dev.skyloom.core.api.ApiError} names every bad field. */
    public void validate() {
        Check check = new Check()
                .required("tenantId", tenantId).matches("tenantId", tenantId, ID, "a tenant id")
                .required("runId", runId).matches("runId", runId, ID, "1-64 of A-Z, a-z, 0-9, '_', '-'")
                .required("stepId", stepId).matches("stepId", stepId, ID, "1-64 of A-Z, a-z, 0-9, '_', '-'")
                .required("agentId", agentId).matches("agentId", agentId, ID, "an agent id")
                .oneOf("stepType", stepType, java.util.List.of("agent", "gate", "planner", "council", "chat",
                        SWARM_PLANNER))
                .text("prompt", prompt, true, 200_000)
                .range("limits.maxTurns", limits.maxTurns(), 1, 500)
                .range("limits.maxOutputTokens", limits.maxOutputTokens(), 1, 200_000)
                .range("limits.timeoutSeconds", limits.timeoutSeconds(), 1, 7 * 24 * 3600)
                .range("limits.maxTokens", limits.maxTokens(), 1, 1e10)
                .range("limits.maxDollars", limits.maxDollars(), 0, 1e6)
                .range("limits.loopGuard", limits.loopGuard(), 2, 100)
                .range("limits.maxRunTokens", limits.maxRunTokens(), 1, 1e11)
                .range("limits.maxRunDollars", limits.maxRunDollars(), 0, 1e7);
        if (projectId != null) {
            check.matches("projectId", projectId, ID, "a project id");
        }
        if (model != null) {
            check.matches("model", model, MODEL_ID, MODEL_ID_RULE);
        }
        if (outputSchema != null && !outputSchema.isObject()) {
            check.problem("outputSchema", "must be a JSON Schema object");
        }
        check.orThrow();
    }
}
