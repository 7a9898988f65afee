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
                        StepError error, PendingApproval pending) {
    public static final String CONTINUE = "continue";
    public static final String DONE = "done";
    public static final String FAILED = "failed";
    /** A dangerous tool call waits for a person: {@link #pending} names it. */
    public static final String APPROVAL = "approval";

    public TurnState(int turns, String status, TokenUsage usage, long costMicroUsd, StepResult result,
                     StepError error) {
        this(turns, status, usage, costMicroUsd, result, error, null);
    }

    public static TurnState start() {
        return new TurnState(0, CONTINUE, TokenUsage.ZERO, 0, null, null);
    }

    /**
     * A tool call that needs a person's approval before it runs.
     *
     * @param callKey   the call's key; the decision must name it
     * @param turn      the turn the call belongs to
     * @param tool      the tool's name
     * @param toolUseId the model's id of the call
     * @param input     the call's arguments, as the approver sees them
     */
    public record PendingApproval(String callKey, int turn, String tool, String toolUseId, JsonNode input) {
    }

    /**
     * A person's decision on a {@link PendingApproval}, sent back to the step (on AWS and locally:
     * {@code SendTaskSuccess} with the task token of the {@code AwaitApproval} state).
     *
     * @param decision {@code approve} or {@code reject}
     * @param comment  why, shown to the model when rejected; may be null
     * @param by       who decided, for the audit trail; may be null
     */
    public record Approval(String callKey, String decision, String comment, String by) {
        public boolean approved() {
            return "approve".equals(decision);
        }
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
