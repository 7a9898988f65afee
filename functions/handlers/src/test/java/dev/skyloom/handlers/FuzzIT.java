package dev.skyloom.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyloom.core.resources.Check;
import dev.skyloom.local.cloud.LocalCloud;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sends hundreds of malformed requests (bad JSON, wrong types, huge strings, unicode edge cases, injection strings,
 * oversized bodies, bad ids, cursors, limits and If-Match values): every answer is a 4xx in the error shape, and
 * the tenant's data is unchanged afterwards.
 */
class FuzzIT {
    @TempDir
    Path dataDir;

    private static final List<String> HOSTILE = List.of("'; DROP TABLE projects; --", "${jndi:ldap://x/a}",
            "<script>alert(1)</script>", "../../etc/passwd", "TENANT#bob", "\\u0000", "\\ud800", "\\udfff\\ud800",
            "\\u202e\\u200b", "\u00e9\u0301", "\uD83D\uDE00", "%00", "{{7*7}}", "$(rm -rf /)", "\\\"", "NaN",
            "Infinity", "-0", "1e309", " ");

    private static final List<String> BAD_JSON = List.of("{", "}", "{\"name\":}", "{\"name\" \"x\"}", "{'name':'x'}",
            "{\"name\":\"x\",}", "[", "null", "true", "42", "\"string\"", "[]", "{\"name\":\"x\"} trailing",
            "{\"name\":\"x\",\"name\":\"y\"}", "\u0000", "{\"a\":" + "[".repeat(3000), "{\"name\":\"\\x41\"}",
            "{\"name\":\"unterminated}", "{\"name\":NaN}", "{\"name\":0x10}");

    @Test
    void malformedRequests_allAnswer4xxInTheErrorShape_andChangeNothing() throws Exception {
        try (LocalCloud cloud = PlatformIT.start(dataDir)) {
            ApiClient api = new ApiClient(cloud.apiEndpoint().orElseThrow());
            String admin = Files.readString(dataDir.resolve("admin.key")).trim();
            String token = api.newTenant(admin, "alice");
            Map<String, String> ids = new HashMap<>();
            ids.put("projectId", api.post("/api/v1/projects", token,
                    "{\"name\":\"P\",\"board\":{\"columns\":[\"todo\",\"done\"]}}").json().path("id").asText());
            ids.put("agentId", api.post("/api/v1/agents", token,
                    "{\"name\":\"A\",\"model\":{\"provider\":\"scripted\",\"modelId\":\"echo\"}}").json()
                    .path("id").asText());
            ids.put("taskId", api.post("/api/v1/projects/" + ids.get("projectId") + "/tasks", token,
                    "{\"title\":\"T\"}").json().path("id").asText());
            ids.put("tenantId", "alice");
            api.post("/api/v1/secrets", token, "{\"name\":\"openai\",\"value\":\"v\"}");
            String before = AuthMatrixIT.snapshot(api, token, ids);
            String project = "/api/v1/projects/" + ids.get("projectId");
            String agent = "/api/v1/agents/" + ids.get("agentId");
            String task = project + "/tasks/" + ids.get("taskId");

            record Call(String method, String path, String body, Map<String, String> headers) {
            }
            List<Call> calls = new ArrayList<>();
            List<String> bodyRoutes = List.of("POST /api/v1/projects", "PUT " + project, "POST /api/v1/agents",
                    "PUT " + agent, "POST " + project + "/tasks", "PUT " + task, "POST " + task + "/claim",
                    "POST /api/v1/api-keys", "PUT " + project + "/members/bob", "POST /api/v1/tenants", "POST /api/v1/secrets",
                    "PUT /api/v1/secrets/openai/value", "POST /api/v1/skills", "POST /api/v1/pipelines",
                    "POST /api/v1/users", "POST /api/v1/auth/login", "POST /api/v1/auth/refresh",
                    "POST /api/v1/swarms");
            for (String route : bodyRoutes) {
                String[] parts = route.split(" ", 2);
                for (String bad : BAD_JSON) {
                    calls.add(new Call(parts[0], parts[1], bad, Map.of()));
                }
                calls.add(new Call(parts[0], parts[1], "{\"" + HOSTILE.get(calls.size() % HOSTILE.size())
                        + "\":1}", Map.of()));
                calls.add(new Call(parts[0], parts[1], "{\"name\":\"" + "x".repeat(300_000) + "\"}", Map.of()));
            }
            String model = "\"model\":{\"provider\":\"scripted\",\"modelId\":\"echo\"}";
            for (String hostile : HOSTILE) {
                String h = hostile.replace("\"", "\\\"").replace("\\\\\"", "\\\"");
                if (!Check.NAME.matcher(hostile).matches()) {
                    calls.add(new Call("POST", "/api/v1/agents", "{\"name\":\"" + h + "\"," + model + "}",
                            Map.of()));
                }
                calls.add(new Call("POST", "/api/v1/agents", "{\"name\":\"A\",\"model\":{\"provider\":\"" + h
                        + "\",\"modelId\":\"m\"}}", Map.of()));
                calls.add(new Call("POST", "/api/v1/agents", "{\"name\":\"A\"," + model + ",\"tools\":[\"" + h
                        + "\"]}", Map.of()));
                calls.add(new Call("POST", project + "/tasks", "{\"title\":\"T\",\"status\":\"" + h + "\"}",
                        Map.of()));
                calls.add(new Call("POST", "/api/v1/api-keys", "{\"name\":\"k\",\"scopes\":[\"" + h + "\"]}",
                        Map.of()));
                calls.add(new Call("POST", "/api/v1/tenants", "{\"id\":\"" + h + "\",\"name\":\"n\"}", Map.of()));
                if (!Check.SLUG.matcher(hostile).matches()) {
                    calls.add(new Call("POST", "/api/v1/secrets", "{\"name\":\"" + h + "\",\"value\":\"v\"}",
                            Map.of()));
                }
                calls.add(new Call("GET", "/api/v1/projects?cursor=" + java.net.URLEncoder.encode(hostile,
                        java.nio.charset.StandardCharsets.UTF_8), null, Map.of()));
                calls.add(new Call("GET", "/api/v1/projects/" + java.net.URLEncoder.encode(hostile,
                        java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20"), null, Map.of()));
                // swarms: a hostile agent, failure policy, dependency or id is a 400 or a 404, never a swarm
                calls.add(new Call("POST", "/api/v1/swarms", "{\"tasks\":[{\"key\":\"a\",\"prompt\":\"p\","
                        + "\"agent\":\"" + h + "\"}]}", Map.of()));
                calls.add(new Call("POST", "/api/v1/swarms", "{\"failurePolicy\":\"" + h + "\",\"tasks\":[{\"key\":"
                        + "\"a\",\"prompt\":\"p\",\"agent\":\"A\"}]}", Map.of()));
                calls.add(new Call("POST", "/api/v1/swarms", "{\"tasks\":[{\"key\":\"a\",\"prompt\":\"p\","
                        + "\"agent\":\"A\",\"dependencies\":[\"" + h + "\"]}]}", Map.of()));
                String encoded = java.net.URLEncoder.encode(hostile, java.nio.charset.StandardCharsets.UTF_8)
                        .replace("+", "%20");
                calls.add(new Call("GET", "/api/v1/swarms/" + encoded, null, Map.of()));
                calls.add(new Call("GET", "/api/v1/swarms/" + encoded + "/events", null, Map.of()));
                calls.add(new Call("GET", "/api/v1/swarms?status=" + encoded, null, Map.of()));
                calls.add(new Call("PUT", project, "{\"name\":\"P\"}", Map.of("If-Match", hostile.strip().isEmpty()
                        ? "x" : hostile.replaceAll("[^\\x20-\\x7e]", "?"))));
            }
            for (String wrong : List.of("\"temperature\":\"hot\"", "\"temperature\":-1", "\"temperature\":2.5",
                    "\"temperature\":true", "\"maxOutputTokens\":1.5", "\"maxOutputTokens\":0",
                    "\"maxOutputTokens\":\"9\"", "\"maxOutputTokens\":99999999999")) {
                calls.add(new Call("POST", "/api/v1/agents", "{\"name\":\"A\",\"model\":{\"provider\":\"scripted\","
                        + "\"modelId\":\"m\"," + wrong + "}}", Map.of()));
            }
            for (String wrong : List.of("\"maxTurns\":0", "\"maxTurns\":501", "\"maxTurns\":\"5\"",
                    "\"tools\":\"read\"", "\"tools\":[1]", "\"tools\":[null]", "\"skills\":{}",
                    "\"mcpServers\":[{\"name\":\"x\"}]", "\"memoryProfile\":\"total\"", "\"budgets\":[]",
                    "\"budgets\":{\"maxDollarsPerRun\":-5}", "\"name\":null", "\"name\":[\"A\"]", "\"model\":null",
                    "\"persona\":" + "\"" + "p".repeat(20_001) + "\"")) {
                calls.add(new Call("POST", "/api/v1/agents", "{" + (wrong.startsWith("\"name\"") ? "" :
                        "\"name\":\"A\",") + (wrong.startsWith("\"model\"") ? "" : model + ",") + wrong + "}",
                        Map.of()));
            }
            for (String limit : List.of("0", "-1", "101", "abc", "1.5", "99999999999")) {
                calls.add(new Call("GET", "/api/v1/agents?limit=" + limit, null, Map.of()));
            }
            calls.add(new Call("POST", task + "/claim", "{\"agentId\":\"agt_missing\"}", Map.of()));
            calls.add(new Call("PUT", task, "{\"title\":\"T\",\"dependencies\":[\"" + ids.get("taskId") + "\"]}",
                    Map.of()));
            calls.add(new Call("PUT", project + "/members/" + "u".repeat(200), "{\"role\":\"viewer\"}", Map.of()));
            calls.add(new Call("DELETE", project + "/members/admin", null, Map.of()));
            calls.add(new Call("DELETE", "/api/v1/api-keys/" + "f".repeat(16), null, Map.of()));
            calls.add(new Call("GET", "/api/v1/projects/" + "p".repeat(2000), null, Map.of()));

            assertThat(calls.size()).isGreaterThanOrEqualTo(200);
            System.out.println("fuzz requests=" + calls.size());
            for (Call call : calls) {
                ApiClient.Response response = api.send(call.method(), call.path(), token, call.body(),
                        call.headers());
                String what = call.method() + " " + abbreviate(call.path()) + " " + abbreviate(call.body()) + " -> "
                        + abbreviate(response.toString());
                assertThat(response.status()).as(what).isBetween(400, 499);
                assertThat(response.json().path("error").path("code").isTextual()).as(what).isTrue();
                assertThat(response.json().path("error").path("message").isTextual()).as(what).isTrue();
                assertThat(response.json().path("error").path("details").isArray()).as(what).isTrue();
            }
            assertThat(AuthMatrixIT.snapshot(api, token, ids)).isEqualTo(before);
        }
    }

    private static String abbreviate(String text) {
        return text == null ? "" : text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }
}
