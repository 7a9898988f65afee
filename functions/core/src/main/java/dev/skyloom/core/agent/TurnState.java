package dev.skyloom.core.agent;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.skyloom.core.agent.model.TokenUsage;

/**
 * What one AgentTurn invocation returns and the next one receives: the only state that travels through the
 * {@code agent-step} execution (the conversation itself is checkpointed in S3, so the payload stays small).
 *
 * @param turns        turns completed so far
 * @param status       {@code continue} (call the next turn), {@code done} ({@link #result} is set) or
 *                     {@code failed} ({@link #error} is set)
 * @param usage        tokens of the step so far
 * @param costMicroUsd cost of the step so far, in millionths of a US dollar
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TurnState(int turns, String status, TokenUsage usage, long costMicroUsd, StepResult result,
                        StepError error) {
    public static final String CONTINUE = "continue";
    public static final String DONE = "done";
    public static final String FAILED = "failed";

    public static TurnState start() {
        return new TurnState(0, CONTINUE, TokenUsage.ZERO, 0, null, null);
    }

    /**
     * The output of a completed step.
     *
     * @param text   the final answer
     * @param output structured output from {@code complete_step}, or null
     * @param result the result value that drives a pipeline's {@code onResult}, or null
     * @param turns  model calls the step made
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record StepResult(String text, JsonNode output, String result, int turns, TokenUsage usage,
                             long costMicroUsd) {
    }

    /**
     * Why a step failed; {@code code} becomes the execution's error name.
     *
     * @param code {@code BUDGET_EXCEEDED}, {@code MAX_TURNS}, {@code LOOP_DETECTED}, {@code STEP_TIMEOUT},
     *             {@code MODEL_ERROR}, {@code INVALID_STEP}
     */
    public record StepError(String code, String message) {
    }
}
