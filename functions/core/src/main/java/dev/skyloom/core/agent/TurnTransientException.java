package dev.skyloom.core.agent;

/**
 * A transient failure of a turn (model timeout or 5xx, storage unavailable). Thrown out of the AgentTurn function
 * so that {@code agent-step.asl.json} retries the turn; the turn resumes from its checkpoint.
 */
public final class TurnTransientException extends RuntimeException {
    public TurnTransientException(String message, Throwable cause) {
        super(message, cause);
    }
}
