package dev.skyloom.local.sfn.expr;

/**
 * A runtime error of a state, named as Amazon States Language names errors ({@code States.Runtime},
 * {@code States.TaskFailed}, a Lambda {@code errorType}, ...). Thrown by expression evaluation and caught by the
 * interpreter, which routes it through the state's Retry and Catch.
 */
public final class StatesException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String error;
    private final String cause;

    public StatesException(String error, String cause) {
        super(error + ": " + cause, null, false, false);
        this.error = error;
        this.cause = cause;
    }

    public static StatesException runtime(String cause) {
        return new StatesException(StatesErrors.RUNTIME, cause);
    }

    public String error() {
        return error;
    }

    public String cause() {
        return cause;
    }
}
