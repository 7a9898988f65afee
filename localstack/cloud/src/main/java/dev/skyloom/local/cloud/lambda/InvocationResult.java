package dev.skyloom.local.cloud.lambda;

/**
 * The outcome of an invocation as the Invoke API reports it.
 *
 * @param functionError {@code Unhandled} when the function failed (the payload then holds errorType/errorMessage),
 *                      null on success
 * @param logTail       the last 4 KB of the invocation's log, or null
 */
public record InvocationResult(int status, byte[] payload, String functionError, byte[] logTail) {

    public boolean failed() {
        return functionError != null;
    }
}
