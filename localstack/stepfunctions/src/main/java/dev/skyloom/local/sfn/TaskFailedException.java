package dev.skyloom.local.sfn;

/**
 * Completes a {@link TaskIntegration} call exceptionally with a Step Functions error name and cause, e.g. a Lambda
 * function error arrives as error = errorType and cause = the error JSON.
 */
public class TaskFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String error;
    private final String cause;

    public TaskFailedException(String error, String cause) {
        super(error + ": " + cause);
        this.error = error;
        this.cause = cause;
    }

    public String error() {
        return error;
    }

    public String cause() {
        return cause;
    }
}
