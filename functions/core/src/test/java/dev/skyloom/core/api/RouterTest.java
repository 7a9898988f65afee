package dev.skyloom.core.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class RouterTest {
    private final Router router = new Router()
            .add("GET", "/api/v1/projects", "projects:read", "list", (r, p) -> ApiResponse.noContent())
            .add("POST", "/api/v1/projects", "projects:write", "create", (r, p) -> ApiResponse.noContent())
            .add("GET", "/api/v1/projects/{projectId}/tasks/{taskId}", "tasks:read", "get",
                    (r, p) -> ApiResponse.noContent());

    @Test
    void match_templateWithParameters_bindsThem() {
        Router.Match match = router.match("GET", "/api/v1/projects/prj_1/tasks/tsk_2");

        assertThat(match.route().template()).isEqualTo("/api/v1/projects/{projectId}/tasks/{taskId}");
        assertThat(match.params()).isEqualTo(Map.of("projectId", "prj_1", "taskId", "tsk_2"));
    }

    @Test
    void match_trailingSlashAndHead_areServedByTheGetRoute() {
        assertThat(router.match("GET", "/api/v1/projects/").route().method()).isEqualTo("GET");
        assertThat(router.match("HEAD", "/api/v1/projects").route().method()).isEqualTo("GET");
    }

    @Test
    void match_knownPathOtherMethod_is405WithAllow() {
        assertThatThrownBy(() -> router.match("DELETE", "/api/v1/projects"))
                .isInstanceOfSatisfying(ApiError.class, e -> {
                    assertThat(e.status()).isEqualTo(405);
                    assertThat(e.headers()).containsEntry("Allow", "GET, POST");
                });
    }

    @Test
    void match_unknownPathOrEmptyParameter_is404ListingTheRoutes() {
        assertThatThrownBy(() -> router.match("GET", "/api/v1/projects//tasks/x"))
                .isInstanceOfSatisfying(ApiError.class, e -> {
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.getMessage()).contains("GET /api/v1/projects", "POST /api/v1/projects");
                });
    }

    @Test
    void add_sameMethodAndShape_isRejected() {
        assertThatThrownBy(() -> router.add("GET", "/api/v1/projects/{id}/tasks/{other}", "x:y", "dup",
                (r, p) -> ApiResponse.noContent())).isInstanceOf(IllegalArgumentException.class);
    }
}
