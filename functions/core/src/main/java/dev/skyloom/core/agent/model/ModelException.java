package dev.skyloom.core.agent.model;

/**
 * A model call that failed. {@link Kind#THROTTLED} and {@link Kind#TRANSIENT} are worth retrying (the agent-step
 * state machine does, with full jitter); the others are not.
 */
public class ModelException extends RuntimeException {
    public enum Kind {
        /** The provider's quota or rate limit (Bedrock ThrottlingException, HTTP 429). */
        THROTTLED,
        /** A timeout, a 5xx, a dropped connection. */
        TRANSIENT,
        /** The request was refused as invalid (bad model id, too long a prompt, a schema the provider rejects). */
        INVALID,
        /** Credentials or permissions (AccessDenied, 401/403). */
        ACCESS_DENIED
    }

    private final Kind kind;

    public ModelException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public ModelException(Kind kind, String message) {
        this(kind, message, null);
    }

    public Kind kind() {
        return kind;
    }

    public boolean retryable() {
        return kind == Kind.THROTTLED || kind == Kind.TRANSIENT;
    }
}
