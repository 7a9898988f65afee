package dev.skyloom.local.sfn;

/**
 * A Step Functions API response: an HTTP status and an AWS JSON 1.0 body. Errors carry
 * {@code {"__type":"com.amazonaws.sfn#Code","message":...}}.
 */
public record SfnResponse(int status, byte[] body) {
    public String bodyText() {
        return new String(body, java.nio.charset.StandardCharsets.UTF_8);
    }
}
