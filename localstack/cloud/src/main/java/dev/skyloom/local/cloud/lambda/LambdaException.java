package dev.skyloom.local.cloud.lambda;

import java.util.Map;

/**
 * An error of the Lambda API, carrying what AWS sends: HTTP status, error code ({@code x-amzn-ErrorType}) and
 * message, plus extra body fields such as {@code Reason} for throttling.
 */
public final class LambdaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;
    private final transient Map<String, String> extra;

    public LambdaException(int status, String code, String message) {
        this(status, code, message, Map.of());
    }

    public LambdaException(int status, String code, String message, Map<String, String> extra) {
        super(message);
        this.status = status;
        this.code = code;
        this.extra = Map.copyOf(extra);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public Map<String, String> extra() {
        return extra;
    }

    static LambdaException notFound(String arn) {
        return new LambdaException(404, "ResourceNotFoundException", "Function not found: " + arn);
    }

    static LambdaException invalid(String message) {
        return new LambdaException(400, "InvalidParameterValueException", message);
    }

    static LambdaException validation(String field, String value, String constraint) {
        return new LambdaException(400, "ValidationException", "1 validation error detected: Value '" + value
                + "' at '" + field + "' failed to satisfy constraint: " + constraint);
    }

    static LambdaException throttled(String reason, String message) {
        return new LambdaException(429, "TooManyRequestsException", message, Map.of("Reason", reason));
    }
}
