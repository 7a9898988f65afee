package dev.skyloom.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.skyloom.local.cloud.LocalCloud;
import dev.skyloom.local.cloud.LocalCloudConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;

/**
 * The example pipelines {@code lambda} and {@code every-step} run to completion through the API on one local cloud:
 * the built-in functions ({@code builtins} Lambda: {@code http_request} to a test HTTP server on loopback, allowed
 * by exact address and port through the function's configuration like an operator would; {@code json_transform}),
 * and every step type including a swarm and an approval approved through the API. Agents answer from the default
 * local model. Every API answer is checked against the OpenAPI document ({@link ApiClient}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExamplePipelinesIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FUNCTION = "skyloom-builtins";

    @TempDir
    static Path dataDir;
    private LocalCloud cloud;
    private ApiClient api;
    private String key;
    private HttpServer status;
    private LambdaClient lambda;
    private final List<Map<String, String>> requests = new CopyOnWriteArrayList<>();

    @BeforeAll
    void start() throws Exception {
        status = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        status.createContext("/api/checkout/incidents", exchange -> {
            requests.add(Map.of("method", exchange.getRequestMethod(), "path", exchange.getRequestURI().getPath(),
                    "accept", String.valueOf(exchange.getRequestHeaders().getFirst("Accept"))));
            byte[] body = """
                    {"incidents": [{"id": 1, "title": "checkout slow", "open": true},
                                   {"id": 2, "title": "old outage", "open": false},
                                   {"id": 3, "title": "payments down", "open": true}]}"""
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        status.start();

        Path jar = Path.of(System.getProperty("skyloom.functionsJar", "target/skyloom-functions.jar"));
        Path machines = Path.of(System.getProperty("skyloom.stateMachines", "../../statemachines")).toAbsolutePath()
                .normalize();
        cloud = new LocalCloud(LocalCloudConfig.ephemeral(dataDir.resolve("cloud"), jar).withStateMachines(machines)
                .withModelsDir(Files.createDirectories(dataDir.resolve("models")))).start();
        api = new ApiClient(cloud.apiEndpoint().orElseThrow());
        lambda = LambdaClient.builder().endpointOverride(cloud.edgeEndpoint()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .overrideConfiguration(c -> c.apiCallTimeout(Duration.ofSeconds(60))).build();
        // the operator's explicit allowance of one private address and port; nothing else private is reachable
        Map<String, String> environment = new HashMap<>(lambda.getFunctionConfiguration(b -> b.functionName(FUNCTION))
                .environment().variables());
        environment.put(BuiltInFunctionHandler.ENV_HTTP_ALLOW_ADDRESSES, "127.0.0.1:" + status.getAddress().getPort());
        lambda.updateFunctionConfiguration(b -> b.functionName(FUNCTION).environment(e -> e.variables(environment)));

        String admin = Files.readString(dataDir.resolve("cloud").resolve("admin.key")).trim();
        String tenant = "t" + UUID.randomUUID().toString().substring(0, 8);
        key = ok("POST", "/api/v1/tenants", admin, "{\"id\":\"" + tenant + "\",\"name\":\"" + tenant + "\"}")
                .path("adminKey").path("token").asText();
        for (String name : List.of("planner", "coder", "analyst", "reviewer")) {
            ObjectNode agent = JSON.createObjectNode().put("name", name).put("role", name)
                    .put("systemPrompt", "Do the task.");
            agent.putObject("model").put("provider", "bedrock").put("modelId", "skyloom.local");
            ok("POST", "/api/v1/agents", key, agent.toString());
        }
    }

    @AfterAll
    void stop() {
        if (lambda != null) {
            lambda.close();
        }
        if (cloud != null) {
            cloud.close();
        }
        if (status != null) {
            status.stop(0);
        }
    }

    JsonNode ok(String method, String path, String token, String body) {
        ApiClient.Response response = api.send(method, path, token, body);
        assertThat(response.status()).as(method + " " + path + ": " + response).isBetween(200, 299);
        return response.json();
    }

    String deploy(String example) throws Exception {
        JsonNode created = ok("POST", "/api/v1/pipelines", key, JSON.createObjectNode()
                .put("yaml", PipelineHarness.example(example)).toString());
        return created.path("id").asText();
    }

    String startRun(String pipeline, String body) {
        ApiClient.Response started = api.send("POST", "/api/v1/pipelines/" + pipeline + "/runs", key, body);
        assertThat(started.status()).as(started.toString()).isEqualTo(202);
        return started.json().path("id").asText();
    }

    JsonNode until(String runId, Predicate<JsonNode> done, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        JsonNode run = null;
        while (System.nanoTime() < deadline) {
            run = ok("GET", "/api/v1/runs/" + runId, key, null);
            if (done.test(run)) {
                return run;
            }
            if (!List.of("QUEUED", "RUNNING").contains(run.path("status").asText())) {
                throw new AssertionError("run " + runId + " ended before it was " + what + ": " + run);
            }
            LockSupport.parkNanos(Duration.ofMillis(500).toNanos());
        }
        throw new AssertionError("run " + runId + " not " + what + " after 180 s: " + run);
    }

    InvokeResponse invoke(String payload) {
        return lambda.invoke(b -> b.functionName(FUNCTION).payload(SdkBytes.fromUtf8String(payload)));
    }

    @Test
    void lambdaExample_fetchesFromTheStatusServer_filtersOpenIncidents_andTheAgentDigestsThem() throws Exception {
        String pipeline = deploy("lambda");
        String statusApi = "http://127.0.0.1:" + status.getAddress().getPort() + "/api";
        String runId = startRun(pipeline, "{\"input\": {\"statusApi\": \"" + statusApi
                + "\", \"service\": \"checkout\"}}");

        JsonNode done = until(runId, PipelineHarness.status("SUCCEEDED"), "succeeded");

        for (String id : List.of("fetch", "shape", "digest")) {
            assertThat(PipelineHarness.step(done, id).path("status").asText()).as(id).isEqualTo("SUCCEEDED");
        }
        assertThat(requests).contains(Map.of("method", "GET", "path", "/api/checkout/incidents",
                "accept", "application/json"));
        JsonNode fetched = done.path("outputs").path("fetch");
        assertThat(fetched.path("status").asInt()).isEqualTo(200);
        assertThat(fetched.path("json").path("incidents")).hasSize(3);
        JsonNode open = done.path("outputs").path("shape");
        assertThat(open.findValuesAsText("title")).containsExactly("checkout slow", "payments down");
        List<String> prompts = ok("GET", "/api/v1/llm-calls?limit=100&runId=" + runId, key, null).path("items")
                .findValuesAsText("stepId");
        assertThat(prompts).contains("digest");
    }

    @Test
    void theBuiltinsFunction_invokedDirectly_transforms_andStillRefusesEveryOtherPrivateAddress() throws Exception {
        InvokeResponse transformed = invoke("{\"function\": \"json_transform\", \"input\": {\"a\": [{\"id\": 1}, "
                + "{\"id\": 2}]}, \"parameters\": {\"expression\": \"$.a[*].id\"}}");
        assertThat(transformed.functionError()).as(transformed.payload().asUtf8String()).isNull();
        assertThat(JSON.readTree(transformed.payload().asUtf8String()).toString()).isEqualTo("[1,2]");

        int allowed = status.getAddress().getPort();
        for (String url : List.of("http://127.0.0.1:" + (allowed == 65535 ? allowed - 1 : allowed + 1) + "/",
                "http://169.254.169.254/latest/meta-data/", "http://10.0.0.1:" + allowed + "/")) {
            InvokeResponse refused = invoke("{\"function\": \"http_request\", \"parameters\": {\"url\": \"" + url
                    + "\"}}");
            assertThat(refused.functionError()).as(url).isEqualTo("Unhandled");
            JsonNode error = JSON.readTree(refused.payload().asUtf8String());
            assertThat(error.path("errorMessage").asText()).as(url).contains("Refused");
        }

        InvokeResponse bad = invoke("{\"function\": \"json_transform\", \"input\": {}, \"parameters\": "
                + "{\"expression\": \"items\"}}");
        assertThat(bad.functionError()).isEqualTo("Unhandled");
        assertThat(JSON.readTree(bad.payload().asUtf8String()).path("errorMessage").asText())
                .contains("must be a JSONPath");
    }

    @Test
    void everyStepExample_runsEveryStepType_theSwarmToo_andCompletesWhenApprovedThroughTheApi() throws Exception {
        String pipeline = deploy("every-step");
        String runId = startRun(pipeline, "{\"input\": {\"goal\": \"a health check\", \"checks\": [\"lint\", "
                + "\"tests\"]}}");

        JsonNode waiting = until(runId, PipelineHarness.waitingFor("release"), "waiting for release");
        JsonNode swarm = waiting.path("outputs").path("fanout");
        assertThat(swarm.path("status").asText()).as(swarm.toString()).isEqualTo("completed");
        assertThat(swarm.path("counts").path("completed").asInt()).isEqualTo(2);
        assertThat(swarm.path("criticalPath").path("path").toString()).isEqualTo("[\"docs\",\"demo\"]");
        assertThat(waiting.path("outputs").path("lint").toString()).isEqualTo("[\"lint\",\"tests\"]");

        ok("POST", "/api/v1/runs/" + runId + "/approvals/release", key,
                "{\"decision\": \"approve\", \"comment\": \"ship it\"}");
        JsonNode done = until(runId, PipelineHarness.status("SUCCEEDED"), "succeeded");
        for (String id : List.of("outline", "check", "design", "split", "checks", "fanout", "release")) {
            assertThat(PipelineHarness.step(done, id).path("status").asText()).as(id).isEqualTo("SUCCEEDED");
        }
        assertThat(PipelineHarness.step(done, "check").path("result").asText()).isEqualTo("PASS");
        assertThat(PipelineHarness.step(done, "fanout").path("result").asText()).isEqualTo("completed");
        assertThat(PipelineHarness.step(done, "release").path("result").asText()).isEqualTo("APPROVED");
        assertThat(done.path("outputs").path("release").asText()).isEqualTo("ship it");
        // the swarm's tasks ran as agent steps under the swarm's id (decision 0700): one model call each at least
        String swarmId = swarm.path("swarmId").asText();
        assertThat(swarmId).startsWith(runId + "-fanout-");
        List<String> taskSteps = ok("GET", "/api/v1/llm-calls?limit=100&runId=" + swarmId, key, null)
                .path("items").findValuesAsText("stepId");
        assertThat(taskSteps).contains("docs", "demo");
    }
}
