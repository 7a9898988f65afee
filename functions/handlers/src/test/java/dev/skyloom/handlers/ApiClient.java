package dev.skyloom.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A small HTTP client of the REST API for the integration tests, speaking to the local API Gateway. Every answer
 * under {@code /api/v1/} is checked against the OpenAPI document ({@link ResponseSchemas}).
 */
final class ApiClient {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;

    ApiClient(URI base) {
        this.base = base;
    }

    /** An answer: status, headers and body (parsed when JSON). */
    record Response(int status, HttpResponse<String> raw, JsonNode json) {
        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }

        @Override
        public String toString() {
            return status + " " + raw.body();
        }
    }

    Response send(String method, String path, String token, String body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        headers.forEach(request::header);
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json;
            try {
                json = response.body().isEmpty() ? MissingNode.getInstance() : JSON.readTree(response.body());
            } catch (IOException e) {
                json = MissingNode.getInstance();
            }
            if (path.startsWith("/api/v1/") && !response.body().isEmpty() && json.isMissingNode()) {
                throw new AssertionError(method + " " + path + " answered something that is not JSON: " + response);
            }
            if (path.startsWith("/api/v1/")) {
                List<String> problems = ResponseSchemas.problems(method, path, response.statusCode(), json);
                if (!problems.isEmpty()) {
                    throw new AssertionError(method + " " + path + " answered " + response.statusCode()
                            + " against the OpenAPI document: " + problems + "\n" + response.body());
                }
            }
            return new Response(response.statusCode(), response, json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Response send(String method, String path, String token, String body) {
        return send(method, path, token, body, Map.of());
    }

    Response get(String path, String token) {
        return send("GET", path, token, null);
    }

    Response post(String path, String token, String body) {
        return send("POST", path, token, body);
    }

    /** Creates a tenant with the platform admin key; answers the tenant admin's token. */
    String newTenant(String adminKey, String id) {
        Response created = post("/api/v1/tenants", adminKey, "{\"id\":\"" + id + "\",\"name\":\"Tenant " + id + "\"}");
        if (created.status() != 201) {
            throw new AssertionError("tenant creation failed: " + created);
        }
        return created.json().path("adminKey").path("token").asText();
    }
}
