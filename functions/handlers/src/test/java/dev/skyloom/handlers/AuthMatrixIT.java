package dev.skyloom.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.skyloom.aws.events.DynamoDbEventStore;
import dev.skyloom.core.api.Router;
import dev.skyloom.core.events.EventStream;
import dev.skyloom.core.events.IncomingEvent;
import dev.skyloom.core.identity.TenantId;
import dev.skyloom.local.cloud.LocalCloud;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Walks every route of the router: without credentials → 401; with a key lacking the route's scope → 403; with
 * tenant B's credentials on tenant A's objects → 404 (never 200, never a 403 that leaks existence).
 */
class AuthMatrixIT {
    /** The body of a pipeline create or update: a valid pipeline (it compiles) with the given id. */
    static String pipeline(String id) {
        return "{\"yaml\":\"id: " + id + "\\nname: y\\nagents: [{name: a, model: {provider: bedrock, "
                + "modelId: skyloom.local}}]\\nsteps: [{id: s, agent: a, input: go}]\\n\"}";
    }

    @TempDir
    Path dataDir;

    private static final Map<String, String> BODIES = Map.ofEntries(
            Map.entry("POST /api/v1/tenants", "{\"id\":\"matrix-new\",\"name\":\"New\"}"),
            Map.entry("POST /api/v1/api-keys", "{\"name\":\"k\",\"scopes\":[\"projects:read\"]}"),
            Map.entry("POST /api/v1/projects", "{\"name\":\"P\"}"),
            Map.entry("PUT /api/v1/projects/{projectId}", "{\"name\":\"P\"}"),
            Map.entry("PUT /api/v1/projects/{projectId}/members/{userId}", "{\"role\":\"viewer\"}"),
            Map.entry("POST /api/v1/projects/{projectId}/tasks", "{\"title\":\"T\"}"),
            Map.entry("PUT /api/v1/projects/{projectId}/tasks/{taskId}", "{\"title\":\"T\"}"),
            Map.entry("POST /api/v1/projects/{projectId}/tasks/{taskId}/claim", "{\"agentId\":\"AGENT\"}"),
            Map.entry("POST /api/v1/agents",
                    "{\"name\":\"A\",\"model\":{\"provider\":\"scripted\",\"modelId\":\"echo\"}}"),
            Map.entry("POST /api/v1/secrets", "{\"name\":\"other\",\"value\":\"v\"}"),
            Map.entry("PUT /api/v1/secrets/{name}/value", "{\"value\":\"v2\"}"),
            Map.entry("POST /api/v1/skills", "{\"markdown\":\"---\\nname: other\\ndescription: d\\n---\\n\"}"),
            Map.entry("PUT /api/v1/skills/{name}", "{\"markdown\":\"---\\nname: openai\\ndescription: d\\n---\\n\"}"),
            Map.entry("POST /api/v1/pipelines/validate", pipeline("x")),
            Map.entry("POST /api/v1/pipelines", pipeline("other")),
            Map.entry("PUT /api/v1/pipelines/{pipelineId}", pipeline("build")),
            Map.entry("POST /api/v1/users", "{\"email\":\"eve@example.com\",\"password\":\"correct horse battery\","
                    + "\"roles\":[\"viewer\"]}"),
            Map.entry("PUT /api/v1/users/{userId}", "{\"roles\":[\"viewer\"]}"),
            Map.entry("POST /api/v1/me/password", "{\"currentPassword\":\"x\",\"newPassword\":\"y\"}"),
            Map.entry("PUT /api/v1/agents/{agentId}",
                    "{\"name\":\"A\",\"model\":{\"provider\":\"scripted\",\"modelId\":\"echo\"}}"));

    @Test
    void everyRoute_answers401Then403Then404AcrossTenants() throws Exception {
        List<Router.Route> routes = ApiRoutes.router(new ApiRoutes.Services(null, null, null, null, null, null, null, null, null, null)).routes();
        try (LocalCloud cloud = PlatformIT.start(dataDir)) {
            ApiClient api = new ApiClient(cloud.apiEndpoint().orElseThrow());
            String admin = Files.readString(dataDir.resolve("admin.key")).trim();
            String alice = api.newTenant(admin, "alice");
            String bob = api.newTenant(admin, "bob");
            String noScopes = api.post("/api/v1/api-keys", alice, "{\"name\":\"none\",\"scopes\":[\"nothing:read\"]}")
                    .json().path("token").asText();

            Map<String, String> ids = new HashMap<>();
            ids.put("projectId", api.post("/api/v1/projects", alice, "{\"name\":\"A\"}").json().path("id").asText());
            ids.put("agentId", api.post("/api/v1/agents", alice, BODIES.get("POST /api/v1/agents")).json()
                    .path("id").asText());
            ids.put("taskId", api.post("/api/v1/projects/" + ids.get("projectId") + "/tasks", alice,
                    "{\"title\":\"T\"}").json().path("id").asText());
            ids.put("keyId", api.get("/api/v1/me", alice).json().path("keyId").asText());
            ids.put("userId", api.post("/api/v1/users", alice, "{\"email\":\"ada@example.com\",\"password\":"
                    + "\"correct horse battery\",\"roles\":[\"viewer\"]}").json().path("id").asText());
            ids.put("pipelineId", api.post("/api/v1/pipelines", alice, pipeline("build"))
                    .json().path("id").asText());
            ids.put("version", "1");
            ids.put("callId", "llm_00000000000000000000");
            api.post("/api/v1/skills", alice, "{\"markdown\":\"---\\nname: openai\\ndescription: d\\n---\\n\"}");
            ids.put("name", api.post("/api/v1/secrets", alice, "{\"name\":\"openai\",\"value\":\"v\"}").json()
                    .path("name").asText());
            ids.put("tenantId", "alice");
            ids.put("runId", "run-matrix");
            // a swarm needs the swarm scenarios' cloud (SwarmApiIT checks another tenant's real swarm is a 404)
            ids.put("swarmId", "swm_0000000000000000");
            ids.put("stepId", "ship");
            ids.put("approvalId", "0123456789abcdef.1.0");
            try (DynamoDbClient dynamoDb = PlatformIT.dynamoDb(cloud.edgeEndpoint())) {
                new DynamoDbEventStore(dynamoDb, "skyloom-events", java.time.Clock.systemUTC()).append(
                        new IncomingEvent(EventStream.run(new TenantId("alice"), "run-matrix"), "evt_matrix",
                                "RUN_CREATED", "skyloom.agent", java.time.Instant.now(), null,
                                ApiClient.JSON.createObjectNode()));
            }
            String before = snapshot(api, alice, ids);

            int unauthenticated = 0;
            int forbidden = 0;
            int isolated = 0;
            for (Router.Route route : routes) {
                String path = route.template();
                for (Map.Entry<String, String> id : ids.entrySet()) {
                    path = path.replace("{" + id.getKey() + "}", id.getValue());
                }
                String body = BODIES.getOrDefault(route.toString(), route.method().equals("POST")
                        || route.method().equals("PUT") ? "{}" : null);
                if (body != null) {
                    body = body.replace("AGENT", ids.get("agentId"));
                }
                if (route.isPublic()) {
                    int status = api.send(route.method(), path, null, body).status();
                    assertThat(status).as(route.toString()).isLessThan(500).isNotEqualTo(403);
                    continue;
                }
                ApiClient.Response none = api.send(route.method(), path, null, body);
                assertThat(none.status()).as(route + " without credentials").isEqualTo(401);
                assertThat(none.json().path("error").path("code").asText()).isEqualTo("UNAUTHENTICATED");
                unauthenticated++;
                if (!route.scope().equals(Router.ANY_CREDENTIAL)) {
                    ApiClient.Response lacking = api.send(route.method(), path, noScopes, body);
                    assertThat(lacking.status()).as(route + " with a key lacking " + route.scope()).isEqualTo(403);
                    forbidden++;
                }
                if (route.template().contains("{")) {
                    ApiClient.Response other = api.send(route.method(), path, bob, body);
                    assertThat(other.status()).as(route + " with another tenant's key: " + other).isEqualTo(404);
                    assertThat(other.json().path("error").path("code").asText()).isEqualTo("NOT_FOUND");
                    isolated++;
                }
            }

            long protectedRoutes = routes.stream().filter(r -> !r.isPublic()).count();
            assertThat(unauthenticated).isEqualTo(protectedRoutes);
            assertThat(forbidden).isEqualTo(protectedRoutes
                    - routes.stream().filter(r -> Router.ANY_CREDENTIAL.equals(r.scope())).count());
            assertThat(isolated).isEqualTo(routes.stream().filter(r -> r.template().contains("{")).count());
            assertThat(snapshot(api, alice, ids)).isEqualTo(before);
        }
    }

    /** Tenant A's objects as A sees them, without the volatile lastUsedAt. */
    static String snapshot(ApiClient api, String token, Map<String, String> ids) {
        StringBuilder state = new StringBuilder();
        for (String path : List.of("/api/v1/projects", "/api/v1/agents",
                "/api/v1/projects/" + ids.get("projectId") + "/tasks", "/api/v1/tenants/alice", "/api/v1/secrets", "/api/v1/skills", "/api/v1/pipelines",
                "/api/v1/pipelines/build/versions", "/api/v1/users", "/api/v1/swarms")) {
            JsonNode json = api.get(path, token).json();
            state.append(json.toString().replaceAll("\"lastUsedAt\":\"[^\"]*\",?", "")).append('\n');
        }
        JsonNode keys = api.get("/api/v1/api-keys", token).json().path("items");
        keys.forEach(k -> state.append(k.path("keyId").asText()).append(k.path("revokedAt").asText()).append('\n'));
        return state.toString();
    }
}
