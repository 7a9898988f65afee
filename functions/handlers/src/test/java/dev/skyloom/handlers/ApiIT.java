package dev.skyloom.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.skyloom.local.cloud.LocalCloud;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The REST API through the local API Gateway against DynamoDB Local: tenants and keys, projects and agents with
 * optimistic locking, the board with exclusive claims, tenant isolation, and the error shape.
 */
class ApiIT {
    private static final String AGENT = """
            {"name":"Reviewer","role":"code reviewer","persona":"# Soul\\nCareful.","systemPrompt":"Review.",
             "model":{"provider":"bedrock","modelId":"anthropic.claude-3-haiku","temperature":0.2,
                      "maxOutputTokens":2048},
             "maxTurns":12,"tools":["read_file"],"skills":["code-review"],
             "mcpServers":[{"name":"git","url":"http://localhost:9000/mcp"}],"memoryProfile":"persistent",
             "budgets":{"maxTokensPerRun":100000,"maxDollarsPerRun":2.5}}""";

    @TempDir
    static Path dataDir;
    static LocalCloud cloud;
    static ApiClient api;
    static String adminKey;

    @BeforeAll
    static void start() throws Exception {
        cloud = PlatformIT.start(dataDir);
        api = new ApiClient(cloud.apiEndpoint().orElseThrow());
        adminKey = Files.readString(dataDir.resolve("admin.key")).trim();
    }

    @AfterAll
    static void stop() {
        if (cloud != null) {
            cloud.close();
        }
    }

    @Test
    void tenants_createdByThePlatformAdmin_returnTheFirstAdminKeyOnce() {
        ApiClient.Response created = api.post("/api/v1/tenants", adminKey, "{\"id\":\"acme\",\"name\":\"Acme\"}");

        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.json().path("tenant").path("id").asText()).isEqualTo("acme");
        String token = created.json().path("adminKey").path("token").asText();
        assertThat(token).matches("sky_[0-9a-f]{16}_[A-Za-z0-9_-]{43}");
        assertThat(created.header("Cache-Control")).isEqualTo("no-store");

        ApiClient.Response me = api.get("/api/v1/me", token);
        assertThat(me.status()).isEqualTo(200);
        assertThat(me.json().path("tenantId").asText()).isEqualTo("acme");
        assertThat(me.json().path("platformAdmin").asBoolean()).isFalse();

        ApiClient.Response again = api.post("/api/v1/tenants", adminKey, "{\"id\":\"acme\",\"name\":\"Acme 2\"}");
        assertThat(again.status()).isEqualTo(409);
        ApiClient.Response byTenantAdmin = api.post("/api/v1/tenants", token, "{\"id\":\"evil\",\"name\":\"Evil\"}");
        assertThat(byTenantAdmin.status()).isEqualTo(403);

        ApiClient.Response keys = api.get("/api/v1/api-keys", token);
        assertThat(keys.status()).isEqualTo(200);
        assertThat(keys.json().path("items")).hasSize(1);
        assertThat(keys.raw().body()).doesNotContain(token.substring(21)).doesNotContain("secretHash")
                .doesNotContain("token");
    }

    @Test
    void apiKeys_scopedKeyIsLimited_revokedKeyIsRejected_andAKeyCannotEscalate() {
        String admin = api.newTenant(adminKey, "keys-tenant");
        ApiClient.Response reader = api.post("/api/v1/api-keys", admin,
                "{\"name\":\"ci\",\"scopes\":[\"projects:read\"],\"expiresAt\":\"2099-01-01T00:00:00Z\"}");
        assertThat(reader.status()).as(reader.toString()).isEqualTo(201);
        String readerToken = reader.json().path("token").asText();

        assertThat(api.get("/api/v1/projects", readerToken).status()).isEqualTo(200);
        ApiClient.Response forbidden = api.post("/api/v1/projects", readerToken, "{\"name\":\"x\"}");
        assertThat(forbidden.status()).isEqualTo(403);
        assertThat(forbidden.json().path("error").path("message").asText()).contains("projects:write");
        ApiClient.Response escalate = api.post("/api/v1/api-keys", readerToken,
                "{\"name\":\"more\",\"scopes\":[\"*\"]}");
        assertThat(escalate.status()).isEqualTo(403);
        ApiClient.Response badScope = api.post("/api/v1/api-keys", admin, "{\"name\":\"bad\",\"scopes\":[\"root\"]}");
        assertThat(badScope.status()).isEqualTo(400);
        assertThat(badScope.json().path("error").path("details").get(0).path("field").asText())
                .isEqualTo("scopes[0]");

        String keyId = reader.json().path("keyId").asText();
        assertThat(api.send("DELETE", "/api/v1/api-keys/" + keyId, admin, null).status()).isEqualTo(204);
        ApiClient.Response revoked = api.get("/api/v1/projects", readerToken);
        assertThat(revoked.status()).isEqualTo(401);
        assertThat(revoked.json().path("error").path("message").asText()).contains("revoked");
        assertThat(api.send("DELETE", "/api/v1/api-keys/" + keyId, admin, null).status()).isEqualTo(404);

        String wrongSecret = readerToken.substring(0, 21) + "A".repeat(43);
        assertThat(api.get("/api/v1/me", wrongSecret).status()).isEqualTo(401);
        assertThat(api.get("/api/v1/me", "not-a-key").status()).isEqualTo(401);
        assertThat(api.get("/api/v1/me", null).status()).isEqualTo(401);
    }

    @Test
    void projects_crudWithOptimisticLocking_membersAndPagination() {
        String token = api.newTenant(adminKey, "projects-tenant");
        ApiClient.Response created = api.post("/api/v1/projects", token,
                "{\"name\":\"Website\",\"description\":\"the site\"}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String id = created.json().path("id").asText();
        assertThat(created.header("ETag")).isEqualTo("\"1\"");
        assertThat(created.json().path("board").path("columns").get(0).asText()).isEqualTo("backlog");
        assertThat(created.json().path("members").get(0).path("role").asText()).isEqualTo("owner");

        ApiClient.Response updated = api.send("PUT", "/api/v1/projects/" + id, token,
                "{\"name\":\"Website v2\",\"board\":{\"columns\":[\"todo\",\"done\"]}}", Map.of("If-Match", "\"1\""));
        assertThat(updated.status()).as(updated.toString()).isEqualTo(200);
        assertThat(updated.json().path("version").asLong()).isEqualTo(2);
        ApiClient.Response stale = api.send("PUT", "/api/v1/projects/" + id, token, "{\"name\":\"lost update\"}",
                Map.of("If-Match", "\"1\""));
        assertThat(stale.status()).isEqualTo(412);
        assertThat(stale.json().path("error").path("code").asText()).isEqualTo("PRECONDITION_FAILED");

        ApiClient.Response member = api.send("PUT", "/api/v1/projects/" + id + "/members/bob", token,
                "{\"role\":\"editor\"}");
        assertThat(member.status()).isEqualTo(200);
        assertThat(member.json().path("members")).hasSize(2);
        ApiClient.Response badRole = api.send("PUT", "/api/v1/projects/" + id + "/members/bob", token,
                "{\"role\":\"god\"}");
        assertThat(badRole.status()).isEqualTo(400);
        assertThat(badRole.json().path("error").path("details").get(0).path("problem").asText())
                .contains("owner, editor, viewer");

        api.post("/api/v1/projects", token, "{\"name\":\"Second\"}");
        api.post("/api/v1/projects", token, "{\"name\":\"Third\"}");
        List<String> seen = new ArrayList<>();
        String cursor = null;
        for (int page = 0; page < 10; page++) {
            ApiClient.Response list = api.get("/api/v1/projects?limit=1"
                    + (cursor == null ? "" : "&cursor=" + cursor), token);
            assertThat(list.status()).isEqualTo(200);
            list.json().path("items").forEach(item -> seen.add(item.path("id").asText()));
            if (!list.json().has("nextCursor")) {
                break;
            }
            cursor = list.json().path("nextCursor").asText();
        }
        assertThat(seen).hasSize(3).doesNotHaveDuplicates().contains(id);

        assertThat(api.send("DELETE", "/api/v1/projects/" + id, token, null, Map.of("If-Match", "\"1\""))
                .status()).isEqualTo(412);
        assertThat(api.send("DELETE", "/api/v1/projects/" + id, token, null).status()).isEqualTo(204);
        assertThat(api.get("/api/v1/projects/" + id, token).status()).isEqualTo(404);
    }

    @Test
    void agents_crudWithValidationNamingTheField() {
        String token = api.newTenant(adminKey, "agents-tenant");
        ApiClient.Response created = api.post("/api/v1/agents", token, AGENT);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String id = created.json().path("id").asText();
        assertThat(created.json().path("model").path("temperature").asDouble()).isEqualTo(0.2);
        assertThat(api.get("/api/v1/agents/" + id, token).json().path("tools").get(0).asText())
                .isEqualTo("read_file");

        ApiClient.Response minimal = api.post("/api/v1/agents", token,
                "{\"name\":\"Min\",\"model\":{\"provider\":\"scripted\",\"modelId\":\"echo\"}}");
        assertThat(minimal.status()).isEqualTo(201);
        assertThat(minimal.json().path("tools")).isEmpty();
        assertThat(minimal.json().path("maxTurns").asInt()).isEqualTo(20);

        JsonNode hot = error(api.post("/api/v1/agents", token, AGENT.replace("0.2", "7.5")), 400);
        assertThat(hot.path("details").get(0).path("field").asText()).isEqualTo("model.temperature");
        assertThat(hot.path("details").get(0).path("problem").asText()).contains("between 0 and 2");
        JsonNode typed = error(api.post("/api/v1/agents", token, AGENT.replace("12", "\"twelve\"")), 400);
        assertThat(typed.path("details").get(0).path("field").asText()).isEqualTo("maxTurns");
        JsonNode unknown = error(api.post("/api/v1/agents", token, AGENT.replace("\"role\"", "\"rol\"")), 400);
        assertThat(unknown.path("details").get(0).path("field").asText()).isEqualTo("rol");
        assertThat(unknown.path("details").get(0).path("problem").asText()).contains("valid fields", "role");
        JsonNode provider = error(api.post("/api/v1/agents", token, AGENT.replace("bedrock", "skynet")), 400);
        assertThat(provider.path("details").get(0).path("problem").asText()).contains("bedrock");
        JsonNode malformed = error(api.post("/api/v1/agents", token, "{\"name\":"), 400);
        assertThat(malformed.path("details").get(0).path("field").asText()).isEqualTo("body");
        error(api.post("/api/v1/agents", token, "{\"name\":\"" + "x".repeat(300_000) + "\"}"), 413);
        error(api.get("/api/v1/agents?cursor=bm90LWEtY3Vyc29y", token), 400);
        error(api.get("/api/v1/agents?limit=1000", token), 400);

        ApiClient.Response replaced = api.send("PUT", "/api/v1/agents/" + id, token,
                AGENT.replace("Reviewer", "Reviewer Two"), Map.of("If-Match", created.header("ETag")));
        assertThat(replaced.status()).isEqualTo(200);
        assertThat(replaced.json().path("name").asText()).isEqualTo("Reviewer Two");
        assertThat(api.get("/api/v1/agents", token).json().path("items")).hasSize(2);
        assertThat(api.send("DELETE", "/api/v1/agents/" + id, token, null).status()).isEqualTo(204);
    }

    @Test
    void tenantIsolation_anotherTenantsObjectsAreNotFound_neverForbidden() {
        String alice = api.newTenant(adminKey, "alice");
        String bob = api.newTenant(adminKey, "bob");
        String project = api.post("/api/v1/projects", alice, "{\"name\":\"Alice's\"}").json().path("id").asText();
        String agent = api.post("/api/v1/agents", alice, AGENT).json().path("id").asText();
        String task = api.post("/api/v1/projects/" + project + "/tasks", alice, "{\"title\":\"t\"}").json()
                .path("id").asText();

        assertThat(api.get("/api/v1/projects/" + project, bob).status()).isEqualTo(404);
        assertThat(api.send("PUT", "/api/v1/projects/" + project, bob, "{\"name\":\"mine\"}").status())
                .isEqualTo(404);
        assertThat(api.send("DELETE", "/api/v1/projects/" + project, bob, null).status()).isEqualTo(404);
        assertThat(api.get("/api/v1/agents/" + agent, bob).status()).isEqualTo(404);
        assertThat(api.get("/api/v1/projects/" + project + "/tasks", bob).status()).isEqualTo(404);
        assertThat(api.get("/api/v1/projects/" + project + "/tasks/" + task, bob).status()).isEqualTo(404);
        assertThat(api.get("/api/v1/projects", bob).json().path("items")).isEmpty();
        assertThat(api.get("/api/v1/tenants/alice", bob).status()).isEqualTo(404);
        assertThat(api.get("/api/v1/projects/" + project, alice).json().path("name").asText())
                .isEqualTo("Alice's");
    }

    @Test
    void board_statusesFollowTheColumns_dependenciesExist_andClaimsAreExclusiveUnderConcurrency()
            throws Exception {
        String token = api.newTenant(adminKey, "board-tenant");
        String project = api.post("/api/v1/projects", token,
                "{\"name\":\"Board\",\"board\":{\"columns\":[\"todo\",\"doing\",\"done\"],\"workTypes\":[\"bug\"]}}")
                .json().path("id").asText();
        String agentA = api.post("/api/v1/agents", token, AGENT).json().path("id").asText();
        String agentB = api.post("/api/v1/agents", token, AGENT).json().path("id").asText();
        String tasks = "/api/v1/projects/" + project + "/tasks";

        JsonNode status = error(api.post(tasks, token, "{\"title\":\"x\",\"status\":\"review\"}"), 400);
        assertThat(status.path("details").get(0).path("problem").asText()).contains("todo, doing, done");
        JsonNode dependency = error(api.post(tasks, token, "{\"title\":\"x\",\"dependencies\":[\"tsk_missing\"]}"),
                400);
        assertThat(dependency.path("details").get(0).path("field").asText()).isEqualTo("dependencies[0]");
        String first = api.post(tasks, token, "{\"title\":\"first\"}").json().path("id").asText();
        ApiClient.Response second = api.post(tasks, token,
                "{\"title\":\"second\",\"type\":\"bug\",\"dependencies\":[\"" + first + "\"]}");
        assertThat(second.status()).as(second.toString()).isEqualTo(201);
        assertThat(second.json().path("status").asText()).isEqualTo("todo");
        ApiClient.Response moved = api.send("PUT", tasks + "/" + first, token,
                "{\"title\":\"first\",\"status\":\"doing\"}");
        assertThat(moved.json().path("status").asText()).isEqualTo("doing");
        error(api.post(tasks + "/" + first + "/claim", token, "{\"agentId\":\"agt_nobody\"}"), 400);

        int rounds = 30;
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < rounds; round++) {
                String taskId = api.post(tasks, token, "{\"title\":\"race " + round + "\"}").json().path("id")
                        .asText();
                CyclicBarrier start = new CyclicBarrier(2);
                List<CompletableFuture<ApiClient.Response>> claims = new ArrayList<>();
                for (String agentId : List.of(agentA, agentB)) {
                    claims.add(CompletableFuture.supplyAsync(() -> {
                        try {
                            start.await();
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                        return api.post(tasks + "/" + taskId + "/claim", token,
                                "{\"agentId\":\"" + agentId + "\"}");
                    }, pool));
                }
                List<Integer> statuses = claims.stream().map(CompletableFuture::join).map(ApiClient.Response::status)
                        .sorted().toList();
                assertThat(statuses).as("round " + round).containsExactly(200, 409);
                String winner = api.get(tasks + "/" + taskId, token).json().path("claimedBy").asText();
                assertThat(winner).isIn(agentA, agentB);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void rateLimit_keyOverItsLimit_gets429WithRetryAfter_inTheErrorShape() {
        String admin = api.newTenant(adminKey, "rate-tenant");
        String limited = api.post("/api/v1/api-keys", admin,
                "{\"name\":\"slow\",\"scopes\":[\"*:read\"],\"rateLimitPerMinute\":3}").json().path("token")
                .asText();

        List<ApiClient.Response> answers = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            answers.add(api.get("/api/v1/projects", limited));
        }

        assertThat(answers.getFirst().status()).isEqualTo(200);
        ApiClient.Response throttled = answers.stream().filter(r -> r.status() == 429).findFirst().orElseThrow();
        JsonNode error = error(throttled, 429);
        assertThat(error.path("code").asText()).isEqualTo("RATE_LIMITED");
        assertThat(Integer.parseInt(throttled.header("Retry-After"))).isBetween(1, 60);
        assertThat(api.get("/api/v1/projects", admin).status()).isEqualTo(200);
        error(api.post("/api/v1/api-keys", admin, "{\"name\":\"x\",\"scopes\":[\"*\"],\"rateLimitPerMinute\":0}"),
                400);
    }

    private static JsonNode error(ApiClient.Response response, int status) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        JsonNode error = response.json().path("error");
        assertThat(error.path("code").isTextual()).as(response.toString()).isTrue();
        assertThat(error.path("message").isTextual()).isTrue();
        assertThat(error.path("details").isArray()).isTrue();
        return error;
    }
}
