package dev.skyloom.local.cloud.provision;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The example pipelines {@code ./skyloom up} ships in the admin key's (default) tenant, through the REST API like a
 * user would: the stored agents they name ({@code planner}, {@code coder}, {@code analyst}, {@code reviewer}, on the
 * local model) and the pipelines {@code engineering}, {@code research} and {@code every-step} (every step type, no
 * network needed) from {@code statemachines/examples/}. Idempotent: what exists is left
 * as it is (a user's edits survive restarts).
 */
public final class ExamplePipelines {
    public static final List<String> PIPELINES = List.of("engineering", "research", "every-step");
    static final List<String> AGENTS = List.of("planner", "coder", "analyst", "reviewer");
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI api;
    private final String key;

    public ExamplePipelines(URI api, String adminKey) {
        this.api = api;
        this.key = adminKey;
    }

    /** Creates what is missing; answers the pipelines it created. */
    public List<String> ensure(Path examplesDir) throws IOException, InterruptedException {
        Set<String> names = new HashSet<>();
        JsonNode agents = send("GET", "/api/v1/agents?limit=100", null, null).body();
        agents.path("items").forEach(a -> names.add(a.path("name").asText()));
        for (String name : AGENTS) {
            if (!names.contains(name)) {
                ObjectNode agent = JSON.createObjectNode().put("name", name).put("role", name)
                        .put("systemPrompt", "You are the " + name + " of the example pipelines. Do the task.");
                agent.putObject("model").put("provider", "bedrock").put("modelId", "skyloom.local");
                expect(send("POST", "/api/v1/agents", agent.toString(), "application/json"), "agent " + name);
            }
        }
        List<String> created = new ArrayList<>();
        for (String id : PIPELINES) {
            if (send("GET", "/api/v1/pipelines/" + id, null, null).status() == 200) {
                continue;
            }
            String yaml = Files.readString(examplesDir.resolve(id + ".yaml"));
            expect(send("POST", "/api/v1/pipelines", yaml, "application/yaml"), "pipeline " + id);
            created.add(id);
        }
        return created;
    }

    private record Answer(int status, JsonNode body) {
    }

    private static void expect(Answer answer, String what) {
        if (answer.status() / 100 != 2) {
            throw new IllegalStateException("creating the example " + what + " failed: " + answer.status() + " "
                    + answer.body());
        }
    }

    private Answer send(String method, String path, String body, String type) throws IOException,
            InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(api.resolve(path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + key)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (type != null) {
            request.header("Content-Type", type);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.body().isBlank() ? JSON.nullNode()
                : JSON.readTree(response.body()));
    }
}
