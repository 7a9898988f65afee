package dev.skyloom.core.api;

import java.util.List;
import java.util.Map;

/**
 * An error the API answers with a 4xx status: what went wrong, and what would be valid. Thrown anywhere below the
 * router; {@link ErrorMapping} turns it (and anything else) into the one error shape
 * {@code {"error": {"code", "message", "details": [{"field", "problem"}]}}}.
 */
public final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** One problem with one input field. */
    public record Detail(String field, String problem) {
    }

    private final int status;
    private final String code;
    private final List<Detail> details;
    private final Map<String, String> headers;

    public ApiError(int status, String code, String message, List<Detail> details, Map<String, String> headers) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.details = List.copyOf(details);
        this.headers = Map.copyOf(headers);
    }

    public static ApiError badRequest(String message, List<Detail> details) {
        return new ApiError(400, "BAD_REQUEST", message, details, Map.of());
    }

    public static ApiError invalidField(String field, String problem) {
        return badRequest("Invalid request: " + field + " " + problem, List.of(new Detail(field, problem)));
    }

    public static ApiError unauthorized(String message) {
        return new ApiError(401, "UNAUTHENTICATED", message, List.of(), Map.of("WWW-Authenticate", "Bearer"));
    }

    public static ApiError forbidden(String message) {
        return new ApiError(403, "FORBIDDEN", message, List.of(), Map.of());
    }

    public static ApiError notFound(String what) {
        return new ApiError(404, "NOT_FOUND", what + " was not found", List.of(), Map.of());
    }

    public static ApiError conflict(String message) {
        return new ApiError(409, "CONFLICT", message, List.of(), Map.of());
    }

    public static ApiError preconditionFailed(String message) {
        return new ApiError(412, "PRECONDITION_FAILED", message, List.of(), Map.of());
    }

    public static ApiError payloadTooLarge(int limitBytes) {
        return new ApiError(413, "PAYLOAD_TOO_LARGE", "The request body is larger than " + limitBytes + " bytes",
                List.of(new Detail("body", "at most " + limitBytes + " bytes")), Map.of());
    }

    public static ApiError tooManyRequests(String message, long retryAfterSeconds) {
        return new ApiError(429, "RATE_LIMITED", message, List.of(),
                Map.of("Retry-After", Long.toString(retryAfterSeconds)));
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public List<Detail> details() {
        return details;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
