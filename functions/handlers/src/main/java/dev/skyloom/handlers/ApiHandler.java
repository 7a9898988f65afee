package dev.skyloom.handlers;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.core.health.HealthReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;

/**
 * The API Lambda behind API Gateway (REST API, proxy integration, payload format 1.0). Until the REST API lands,
 * {@code GET /api/v1/health} is its only route; it needs no credentials and reports every dependency.
 */
public final class ApiHandler implements RequestStreamHandler {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HEALTH = "/api/v1/health";

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        JsonNode event = JSON.readTree(input);
        String method = event.path("httpMethod").asText("");
        String path = event.path("path").asText("");
        ObjectNode response;
        if (path.equals(HEALTH) || path.equals(HEALTH + "/")) {
            response = method.equals("GET") || method.equals("HEAD") ? health()
                    : error(405, "METHOD_NOT_ALLOWED", method + " is not allowed on " + HEALTH + "; allowed: GET",
                            Map.of("Allow", "GET"));
        } else {
            response = error(404, "NOT_FOUND", "No route for " + method + " " + path + ". Routes: GET " + HEALTH,
                    Map.of());
        }
        JSON.writeValue(output, response);
    }

    private static ObjectNode health() throws IOException {
        HealthReport report = Composition.health().check();
        ObjectNode body = JSON.createObjectNode();
        body.put("status", report.healthy() ? "ok" : "degraded");
        ObjectNode components = body.putObject("components");
        components.putObject("api").put("status", "ok").put("detail", "serving").put("latencyMs", 0);
        report.components().forEach((name, component) -> components.putObject(name)
                .put("status", component.healthy() ? "ok" : "down")
                .put("detail", component.detail())
                .put("latencyMs", component.latencyMillis()));
        return response(report.healthy() ? 200 : 503, body, Map.of("Cache-Control", "no-store"));
    }

    private static ObjectNode error(int status, String code, String message, Map<String, String> headers)
            throws IOException {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode error = body.putObject("error");
        error.put("code", code);
        error.put("message", message);
        error.putArray("details");
        return response(status, body, headers);
    }

    private static ObjectNode response(int status, JsonNode body, Map<String, String> headers) throws IOException {
        ObjectNode response = JSON.createObjectNode();
        response.put("statusCode", status);
        ObjectNode responseHeaders = response.putObject("headers");
        responseHeaders.put("Content-Type", "application/json");
        headers.forEach(responseHeaders::put);
        response.put("body", JSON.writeValueAsString(body));
        response.put("isBase64Encoded", false);
        return response;
    }
}
