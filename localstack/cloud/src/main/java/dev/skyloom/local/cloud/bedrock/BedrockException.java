package dev.skyloom.local.cloud.bedrock;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A Bedrock error as the service answers it (REST-JSON: the code in {@code x-amzn-ErrorType}, the body
 * {@code {"message": ...}}), raised by the model server for malformed requests and injected by scenarios.
 */
public final class BedrockException extends RuntimeException {
    /** Bedrock runtime's error codes and their HTTP statuses (from the service model). */
    static final Map<String, Integer> STATUS_BY_CODE = statuses();

    private final String code;
    private final int status;

    BedrockException(String code, String message) {
        super(message);
        Integer known = STATUS_BY_CODE.get(code);
        if (known == null) {
            throw new IllegalArgumentException("unknown Bedrock error type '" + code + "'; valid: "
                    + String.join(", ", STATUS_BY_CODE.keySet()));
        }
        this.code = code;
        this.status = known;
    }

    static BedrockException validation(String message) {
        return new BedrockException("ValidationException", message);
    }

    /** A constraint on one request field, worded like Bedrock's own validation errors, naming the field. */
    static BedrockException field(String field, String constraint) {
        return validation("1 validation error detected: Value at '" + field + "' failed to satisfy constraint: "
                + constraint);
    }

    /** The canonical spelling of an error type, matched case-insensitively; null when unknown. */
    static String canonicalCode(String type) {
        for (String code : STATUS_BY_CODE.keySet()) {
            if (code.toLowerCase(Locale.ROOT).equals(type.toLowerCase(Locale.ROOT))) {
                return code;
            }
        }
        return null;
    }

    public String code() {
        return code;
    }

    public int status() {
        return status;
    }

    private static Map<String, Integer> statuses() {
        Map<String, Integer> m = new TreeMap<>();
        m.put("AccessDeniedException", 403);
        m.put("InternalServerException", 500);
        m.put("ModelErrorException", 424);
        m.put("ModelNotReadyException", 429);
        m.put("ModelTimeoutException", 408);
        m.put("ResourceNotFoundException", 404);
        m.put("ServiceUnavailableException", 503);
        m.put("ThrottlingException", 429);
        m.put("ValidationException", 400);
        return java.util.Collections.unmodifiableMap(m);
    }
}
