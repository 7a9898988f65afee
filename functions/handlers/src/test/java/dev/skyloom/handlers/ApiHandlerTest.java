package dev.skyloom.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skyloom.core.api.Api;
import dev.skyloom.core.api.ApiError;
import dev.skyloom.core.api.ApiResponse;
import dev.skyloom.core.api.Router;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class ApiHandlerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final List<String> log = new ArrayList<>();
    private final Router router = new Router()
            .add("GET", "/api/v1/health", null, "health", (req, p) -> ApiResponse.ok(JSON.createObjectNode()
                    .put("status", "ok")))
            .add("POST", "/api/v1/echo", null, "echo", (req, p) -> ApiResponse.ok(JSON.createObjectNode()
                    .put("body", req.body()).put("requestId", req.requestId())))
            .add("GET", "/api/v1/secret", "secret:read", "needs a key", (req, p) -> ApiResponse.noContent());
    private final Api api = new Api(router, req -> {
        throw ApiError.unauthorized("Authentication required");
    }, Api.RateLimiter.NONE, 1024, log::add);

    private JsonNode call(String event) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new ApiHandler(() -> api).handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)),
                out, null);
        return JSON.readTree(out.toByteArray());
    }

    private JsonNode call(String method, String path) throws Exception {
        return call("{\"httpMethod\":\"" + method + "\",\"path\":\"" + path
                + "\",\"requestContext\":{\"requestId\":\"req-1\"}}");
    }

    @Test
    void handleRequest_unknownRoute_answers404InTheErrorShape_listingTheRoutes() throws Exception {
        JsonNode response = call("GET", "/api/v1/projects");

        assertThat(response.path("statusCode").asInt()).isEqualTo(404);
        JsonNode error = JSON.readTree(response.path("body").asText()).path("error");
        assertThat(error.path("code").asText()).isEqualTo("NOT_FOUND");
        assertThat(error.path("message").asText()).isEqualTo("No route for GET /api/v1/projects. Routes: "
                + "GET /api/v1/health, POST /api/v1/echo, GET /api/v1/secret");
        assertThat(response.path("headers").path("Content-Type").asText()).isEqualTo("application/json");
        assertThat(response.path("headers").path("X-Request-Id").asText()).isEqualTo("req-1");
    }

    @Test
    void handleRequest_wrongMethodOnHealth_answers405WithAllow() throws Exception {
        JsonNode response = call("DELETE", "/api/v1/health");

        assertThat(response.path("statusCode").asInt()).isEqualTo(405);
        assertThat(response.path("headers").path("Allow").asText()).isEqualTo("GET");
        assertThat(JSON.readTree(response.path("body").asText()).path("error").path("code").asText())
                .isEqualTo("METHOD_NOT_ALLOWED");
    }

    @Test
    void handleRequest_base64Body_isDecodedBeforeTheRoute() throws Exception {
        String body = Base64.getEncoder().encodeToString("{\"ü\":1}".getBytes(StandardCharsets.UTF_8));
        JsonNode response = call("{\"httpMethod\":\"POST\",\"path\":\"/api/v1/echo\",\"isBase64Encoded\":true,"
                + "\"body\":\"" + body + "\"}");

        assertThat(response.path("statusCode").asInt()).isEqualTo(200);
        assertThat(JSON.readTree(response.path("body").asText()).path("body").asText()).isEqualTo("{\"ü\":1}");
        assertThat(JSON.readTree(response.path("body").asText()).path("requestId").asText()).isNotBlank();
    }

    @Test
    void handleRequest_protectedRouteWithoutCredentials_answers401WithWwwAuthenticate() throws Exception {
        JsonNode response = call("GET", "/api/v1/secret");

        assertThat(response.path("statusCode").asInt()).isEqualTo(401);
        assertThat(response.path("headers").path("WWW-Authenticate").asText()).isEqualTo("Bearer");
        assertThat(JSON.readTree(response.path("body").asText()).path("error").path("code").asText())
                .isEqualTo("UNAUTHENTICATED");
    }

    @Test
    void openApi_documentsEveryRoute_andNothingElse() {
        Router full = ApiRoutes.router(new ApiRoutes.Services(JSON::createObjectNode, null, null, null, null, null, null, null, null, null));
        JsonNode doc = OpenApi.document(full);

        List<String> documented = new ArrayList<>();
        doc.path("paths").properties().forEach(path -> path.getValue().properties()
                .forEach(op -> documented.add(op.getKey().toUpperCase() + " " + path.getKey())));
        List<String> routed = full.routes().stream().map(Router.Route::toString).toList();

        assertThat(doc.path("openapi").asText()).isEqualTo("3.1.0");
        assertThat(documented).containsExactlyInAnyOrderElementsOf(routed);
        full.routes().forEach(route -> {
            JsonNode op = doc.path("paths").path(route.template()).path(route.method().toLowerCase());
            assertThat(op.path("security").isEmpty()).as(route + " security").isEqualTo(route.isPublic());
            assertThat(op.path("responses").path("default").path("content").path("application/json")
                    .path("schema").path("$ref").asText()).isEqualTo("#/components/schemas/Error");
        });
        assertThat(routed).contains("GET /api/v1/health", "POST /api/v1/projects/{projectId}/tasks/{taskId}/claim");
        assertThat(routed).containsAll(ApiRoutes.BODIES.keySet());
        assertThat(ApiRoutes.ANSWERS.keySet()).containsExactlyInAnyOrderElementsOf(routed);
        assertThat(routed).containsAll(ApiRoutes.IDEMPOTENT);
        full.routes().forEach(route -> {
            JsonNode responses = doc.path("paths").path(route.template()).path(route.method().toLowerCase())
                    .path("responses");
            ApiRoutes.Answer answer = ApiRoutes.ANSWERS.get(route.toString());
            JsonNode success = responses.path(Integer.toString(answer.status()));
            assertThat(success.isObject()).as(route + " declares " + answer.status()).isTrue();
            assertThat(success.path("content").path("application/json").path("schema").isObject())
                    .as(route + " declares its body").isEqualTo(answer.status() != 204);
        });
        doc.path("components").path("schemas").properties().forEach(schema -> assertThat(schema.getValue()
                .toString()).doesNotContain("\"type\":\"object\",\"additionalProperties\":true"));
        assertThat(ResponseSchemas.problems("GET", "/api/v1/projects/prj_1", 200, JSON.createObjectNode()
                .put("id", "prj_1").put("name", "P").put("version", "1").put("createdAt", "t")
                .put("updatedAt", "t").put("secret", "x"))).containsExactlyInAnyOrder("$.version should be integer, "
                + "is STRING", "$.secret is not in the schema");
        JsonNode agent = doc.path("paths").path("/api/v1/agents").path("post").path("requestBody").path("content")
                .path("application/json").path("schema");
        assertThat(agent.path("additionalProperties").asBoolean(true)).isFalse();
        assertThat(agent.path("properties").path("model").path("properties").path("temperature").path("type")
                .asText()).isEqualTo("number");
        assertThat(agent.path("properties").path("tools").path("items").path("type").asText()).isEqualTo("string");
    }
}
