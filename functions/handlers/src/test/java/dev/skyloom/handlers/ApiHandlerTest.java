package dev.skyloom.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ApiHandlerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode call(String method, String path) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String event = "{\"httpMethod\":\"" + method + "\",\"path\":\"" + path + "\"}";
        new ApiHandler().handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), out, null);
        return JSON.readTree(out.toByteArray());
    }

    @Test
    void handleRequest_unknownRoute_answers404InTheErrorShape() throws Exception {
        JsonNode response = call("GET", "/api/v1/projects");

        assertThat(response.path("statusCode").asInt()).isEqualTo(404);
        JsonNode error = JSON.readTree(response.path("body").asText()).path("error");
        assertThat(error.path("code").asText()).isEqualTo("NOT_FOUND");
        assertThat(error.path("message").asText()).isEqualTo(
                "No route for GET /api/v1/projects. Routes: GET /api/v1/health");
        assertThat(response.path("headers").path("Content-Type").asText()).isEqualTo("application/json");
    }

    @Test
    void handleRequest_wrongMethodOnHealth_answers405WithAllow() throws Exception {
        JsonNode response = call("DELETE", "/api/v1/health");

        assertThat(response.path("statusCode").asInt()).isEqualTo(405);
        assertThat(response.path("headers").path("Allow").asText()).isEqualTo("GET");
        assertThat(JSON.readTree(response.path("body").asText()).path("error").path("code").asText())
                .isEqualTo("METHOD_NOT_ALLOWED");
    }
}
