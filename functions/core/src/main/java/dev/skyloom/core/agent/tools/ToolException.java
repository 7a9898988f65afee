package dev.skyloom.core.agent.tools;

/**
 * A tool failure whose message is meant for the model (what was wrong and what is valid). {@link ToolInvoker} turns
 * it into an error result; any other exception becomes a generic error and is logged.
 */
public class ToolException extends RuntimeException {
    public ToolException(String message) {
        super(message);
    }

    public ToolException(String message, Throwable cause) {
        super(message, cause);
    }
}
