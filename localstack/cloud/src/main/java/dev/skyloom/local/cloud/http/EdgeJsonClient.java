package dev.skyloom.local.cloud.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * Sends AWS JSON protocol requests (DynamoDB, SQS, EventBridge, ...) to the edge: what the local cloud's own
 * services (Step Functions integrations, EventBridge targets) use to call each other on the same wire as clients.
 */
public final class EdgeJsonClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI edge;
    private final HttpClient http;

    public EdgeJsonClient(URI edge, HttpClient http) {
        this.edge = edge;
        this.http = http;
    }

    /** An error answer of a service: its code (without namespace), message and status. */
    public static final class AwsCallException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String service;
        private final String code;
        private final int status;
        private final String requestId;

        AwsCallException(String service, String code, String message, int status, String requestId) {
            super(message);
            this.service = service;
            this.code = code;
            this.status = status;
            this.requestId = requestId;
        }

        public String code() {
            return code;
        }

        public int status() {
            return status;
        }

        /** The cause text AWS integrations report: message, then service, status, code and request id. */
        public String describe() {
            return getMessage() + " (Service: " + service + ", Status Code: " + status + ", Error Code: " + code
                    + ", Request ID: " + requestId + ")";
        }
    }

    /**
     * Calls {@code target} with {@code body}. The stage completes with the parsed answer, or exceptionally with an
     * {@link AwsCallException}.
     */
    public CompletionStage<JsonNode> call(String service, String signingName, String jsonVersion, String target,
                                          JsonNode body) {
        HttpRequest request = HttpRequest.newBuilder(edge)
                .timeout(Duration.ofMinutes(1))
                .header("Content-Type", "application/x-amz-json-" + jsonVersion)
                .header("X-Amz-Target", target)
                .header("Authorization", "AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/" + signingName
                        + "/aws4_request, SignedHeaders=host, Signature=local")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(response -> {
            JsonNode parsed = parse(response.body());
            if (response.statusCode() / 100 == 2) {
                return parsed;
            }
            String type = parsed.path("__type").asText(
                    response.headers().firstValue("x-amzn-ErrorType").orElse("UnknownError"));
            String code = type.substring(type.lastIndexOf('#') + 1);
            int colon = code.indexOf(':');
            if (colon > 0) {
                code = code.substring(0, colon);
            }
            String message = parsed.path("message").asText(parsed.path("Message").asText(""));
            throw new AwsCallException(service, code, message, response.statusCode(),
                    response.headers().firstValue("x-amzn-RequestId").orElse(UUID.randomUUID().toString()));
        });
    }

    /** Parses a JSON answer; text that is not JSON becomes a JSON string. */
    public static JsonNode parse(String text) {
        if (text == null || text.isBlank()) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(text);
        } catch (java.io.IOException e) {
            return JSON.getNodeFactory().textNode(text);
        }
    }
}
