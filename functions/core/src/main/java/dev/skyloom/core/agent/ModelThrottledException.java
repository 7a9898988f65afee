package dev.skyloom.core.agent;

/**
 * The model provider throttled the call. Thrown out of the AgentTurn function so that {@code agent-step.asl.json}
 * retries the turn with full jitter; its class name is the error name the state machine matches.
 */
public final class ModelThrottledException extends RuntimeException {
    public ModelThrottledException(String message, Throwable cause) {
        super(message, cause);
    }
}
