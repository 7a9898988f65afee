package dev.skyloom.core.builtins;

/**
 * A built-in function refused its payload or could not do what it was asked. The message says what was wrong and
 * what is valid; it becomes the step's failure cause (the run's {@code failure.cause}), so it never holds secrets
 * (request headers are not echoed).
 */
public final class BuiltInFunctionException extends RuntimeException {
    public BuiltInFunctionException(String message) {
        super(message);
    }
}
