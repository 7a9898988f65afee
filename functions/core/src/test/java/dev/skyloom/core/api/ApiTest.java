package dev.skyloom.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyloom.core.identity.Principal;
import dev.skyloom.core.identity.TenantId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ApiTest {
    private final List<String> log = new ArrayList<>();
    private final Principal reader = new Principal(TenantId.DEFAULT, "k1", "u1", Set.of("projects:read"), false);
    private final Router router = new Router()
            .add("GET", "/p", "projects:read", "read", (r, p) -> ApiResponse.ok(Json.tree(Map.of("ok", true))))
            .add("POST", "/p", "projects:write", "write", (r, p) -> ApiResponse.noContent())
            .add("GET", "/boom", "projects:read", "fails", (r, p) -> {
                throw new IllegalStateException("database password=hunter2 unreachable");
            })
            .add("POST", "/big", "projects:read", "reads a body", (r, p) -> ApiResponse.noContent());

    private ApiResponse call(String method, String path, String auth, String body) {
        Api api = new Api(router, request -> {
            if (request.header("Authorization").isEmpty()) {
                throw ApiError.unauthorized("Authentication required");
            }
            return reader;
        }, principal -> {
            if (auth.equals("limited")) {
                throw ApiError.tooManyRequests("slow down", 7);
            }
        }, 10, log::add);
        Map<String, String> headers = auth.isEmpty() ? Map.of() : Map.of("authorization", "Bearer x");
        return api.handle(new ApiRequest("req-9", method, path, headers, Map.of(), Map.of(), body));
    }

    @Test
    void handle_withoutCredentials_is401_withTheScope_is200_withoutTheScope_is403() {
        assertThat(call("GET", "/p", "", null).status()).isEqualTo(401);
        assertThat(call("GET", "/p", "key", null).status()).isEqualTo(200);
        ApiResponse forbidden = call("POST", "/p", "key", null);
        assertThat(forbidden.status()).isEqualTo(403);
        assertThat(forbidden.body().path("error").path("message").asText()).contains("projects:write");
    }

    @Test
    void handle_unexpectedFailure_isAGeneric500WithTheRequestId_loggedOnceWithTheDetail() {
        ApiResponse response = call("GET", "/boom", "key", null);

        assertThat(response.status()).isEqualTo(500);
        assertThat(response.body().path("error").path("code").asText()).isEqualTo("INTERNAL");
        assertThat(response.body().toString()).contains("req-9").doesNotContain("hunter2");
        assertThat(response.headers()).containsEntry("X-Request-Id", "req-9");
        assertThat(log).hasSize(1);
        assertThat(log.getFirst()).contains("requestId=req-9", "IllegalStateException");
    }

    @Test
    void handle_bodyOverTheLimit_is413_andRateLimited_is429WithRetryAfter() {
        assertThat(call("POST", "/big", "key", "12345678901").status()).isEqualTo(413);
        ApiResponse limited = call("GET", "/p", "limited", null);
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.headers()).containsEntry("Retry-After", "7");
        assertThat(limited.body().path("error").path("details").isArray()).isTrue();
    }
}
