package dev.skyloom.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.handlers.swarm.SwarmIT;
import dev.skyloom.local.cloud.LocalCloud;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionListItem;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;

/**
 * Swarms through the REST API on the local cloud (decision 0700 "API" and "Events"): the invalid-swarm corpus over
 * HTTP, a diamond with its tasks, timings, tokens, cost, critical path and SWARM_* events (list, long poll and SSE),
 * cancellation mid-flight. Every answer is held to the OpenAPI document by {@link ApiClient}; child executions are
 * read with the real Step Functions SDK.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SwarmApiIT {
    private static final Path CORPUS = Path.of("../core/src/test/resources/dev/skyloom/core/swarm/invalid-swarms.json");

    @TempDir
    static Path dataDir;
    private LocalCloud cloud;
    private ApiClient api;
    private SfnClient sfn;
    private String alice;
    private String bob;
    private final Map<String, String> agents = new HashMap<>();

    @BeforeAll
    void start() throws Exception {
        cloud = SwarmIT.startCloud(dataDir);
        api = new ApiClient(cloud.apiEndpoint().orElseThrow());
        sfn = SfnClient.builder().endpointOverride(cloud.edgeEndpoint()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .build();
        String admin = Files.readString(dataDir.resolve("cloud").resolve("admin.key")).trim();
        alice = api.newTenant(admin, "swarm-alice");
        bob = api.newTenant(admin, "swarm-bob");
        for (String scenario : List.of("swarm-1s", "swarm-2s", "swarm-8s")) {
            ObjectNode agent = ApiClient.JSON.createObjectNode().put("name", scenario).put("role", "swarm worker")
                    .put("systemPrompt", "Do the task.").put("memoryProfile", "none");
            agent.putObject("model").put("provider", "bedrock").put("modelId", "skyloom.scenario." + scenario);
            agent.putArray("tools");
            ApiClient.Response created = api.post("/api/v1/agents", alice, agent.toString());
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            agents.put(scenario, created.json().path("id").asText());
        }
        // the corpus names its agents planner, coder, analyst and reviewer: bob has exactly those
        for (String name : List.of("planner", "coder", "analyst", "reviewer")) {
            assertThat(api.post("/api/v1/agents", bob, "{\"name\":\"" + name + "\",\"model\":{\"provider\":"
                    + "\"scripted\",\"modelId\":\"echo\"}}").status()).isEqualTo(201);
        }
    }

    @AfterAll
    void stop() {
        if (sfn != null) {
            sfn.close();
        }
        if (cloud != null) {
            cloud.close();
        }
    }

    /** A swarm body; each task is "key:scenario:dep1,dep2", its prompt quoting its dependencies' outputs. */
    String body(int maxConcurrent, String... tasks) {
        ObjectNode body = ApiClient.JSON.createObjectNode().put("name", "test swarm")
                .put("maxConcurrent", maxConcurrent).put("globalTimeoutSeconds", 600);
        ArrayNode list = body.putArray("tasks");
        for (String t : tasks) {
            String[] p = t.split(":", -1);
            ObjectNode task = list.addObject().put("key", p[0]).put("title", "Task " + p[0]).put("agent", p[1])
                    .put("timeoutSeconds", 120);
            ArrayNode deps = task.putArray("dependencies");
            StringBuilder prompt = new StringBuilder("Task " + p[0] + ".");
            if (!p[2].isEmpty()) {
                for (String d : p[2].split(",")) {
                    deps.add(d);
                    prompt.append(" From ").append(d).append(": {{deps.").append(d).append(".output}}");
                }
            }
            task.put("prompt", prompt.toString());
        }
        return body.toString();
    }

    JsonNode awaitEnd(String swarmId, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            ApiClient.Response r = api.get("/api/v1/swarms/" + swarmId, alice);
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            if (!r.json().path("status").asText().equals("RUNNING")) {
                return r.json();
            }
            assertThat(System.nanoTime()).as("swarm " + swarmId + " still running: " + r).isLessThan(deadline);
            LockSupport.parkNanos(Duration.ofMillis(300).toNanos());
        }
    }

    /** The swarm's events through the API until one of type {@code last} is stored (long polls). */
    List<JsonNode> eventsUntil(String swarmId, String last, Duration timeout) {
        List<JsonNode> events = new ArrayList<>();
        long after = 0;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (events.stream().noneMatch(e -> e.path("type").asText().equals(last))) {
            assertThat(System.nanoTime()).as("no " + last + " in " + events).isLessThan(deadline);
            ApiClient.Response page = api.get("/api/v1/swarms/" + swarmId + "/events?after=" + after + "&wait=5",
                    alice);
            assertThat(page.status()).as(page.toString()).isEqualTo(200);
            page.json().path("items").forEach(events::add);
            after = page.json().path("next").asLong();
        }
        // nothing after the end
        ApiClient.Response rest = api.get("/api/v1/swarms/" + swarmId + "/events?after=" + after + "&wait=1", alice);
        assertThat(rest.json().path("items")).as("events after " + last).isEmpty();
        return events;
    }

    /** The agent-step executions of a swarm (their runId is the swarm id), by task key. */
    Map<String, DescribeExecutionResponse> children(String swarmId) throws Exception {
        String agentStep = sfn.listStateMachines().stateMachines().stream()
                .filter(m -> m.name().equals("skyloom-agent-step")).findFirst().orElseThrow().stateMachineArn();
        List<ExecutionListItem> all = new ArrayList<>();
        sfn.listExecutionsPaginator(b -> b.stateMachineArn(agentStep).maxResults(1000))
                .forEach(page -> all.addAll(page.executions()));
        Map<String, DescribeExecutionResponse> out = new HashMap<>();
        for (ExecutionListItem item : all) {
            DescribeExecutionResponse e = sfn.describeExecution(b -> b.executionArn(item.executionArn()));
            JsonNode input = ApiClient.JSON.readTree(e.input());
            if (swarmId.equals(input.path("runId").asText())) {
                assertThat(out).as("one child per task").doesNotContainKey(input.path("stepId").asText());
                out.put(input.path("stepId").asText(), e);
            }
        }
        return out;
    }

    @Test
    void invalidSwarms_eachAnswer400NamingTheProblem_andNothingStarts() throws Exception {
        int checked = 0;
        for (JsonNode c : ApiClient.JSON.readTree(CORPUS.toFile())) {
            if (c.has("maxTasks")) {
                continue; // a tenant limit other than the default: below with the default one
            }
            ApiClient.Response r = api.post("/api/v1/swarms", bob, c.get("swarm").toString());
            String what = c.path("name").asText() + " -> " + r;
            assertThat(r.status()).as(what).isEqualTo(400);
            assertThat(r.json().path("error").path("code").asText()).as(what).isEqualTo("BAD_REQUEST");
            assertThat(r.json().path("error").path("message").asText()).as(what).isEqualTo(c.path("expect").asText());
            assertThat(r.json().path("error").path("details")).as(what).isNotEmpty();
            if (c.has("details")) {
                List<String> fields = new ArrayList<>();
                r.json().path("error").path("details").forEach(d -> fields.add(d.path("field").asText()));
                List<String> expected = new ArrayList<>();
                c.get("details").forEach(f -> expected.add(f.asText()));
                assertThat(fields).as(what).containsExactlyElementsOf(expected);
            }
            checked++;
        }
        assertThat(checked).isGreaterThanOrEqualTo(20);

        // the tenant's task limit (the default, 1000)
        StringBuilder many = new StringBuilder("{\"tasks\":[");
        for (int i = 0; i <= 1000; i++) {
            many.append(i == 0 ? "" : ",").append("{\"key\":\"t").append(i).append("\",\"prompt\":\"p\",\"agent\":"
                    + "\"coder\"}");
        }
        ApiClient.Response tooMany = api.post("/api/v1/swarms", bob, many.append("]}").toString());
        assertThat(tooMany.status()).as(tooMany.toString()).isEqualTo(400);
        assertThat(tooMany.json().path("error").path("message").asText())
                .isEqualTo("Invalid swarm: tasks has 1001 tasks; this tenant's limit is 1000");
        // the API's own field
        ApiClient.Response project = api.post("/api/v1/swarms", bob,
                "{\"projectId\":\"../x\",\"tasks\":[{\"key\":\"a\",\"prompt\":\"p\",\"agent\":\"coder\"}]}");
        assertThat(project.status()).isEqualTo(400);
        assertThat(project.json().path("error").path("details").get(0).path("field").asText()).isEqualTo("projectId");
        ApiClient.Response status = api.get("/api/v1/swarms?status=DONE", bob);
        assertThat(status.status()).isEqualTo(400);
        assertThat(status.json().path("error").path("message").asText()).contains("status").contains("SUCCEEDED");

        assertThat(api.get("/api/v1/swarms", bob).json().path("items")).as("no swarm was created").isEmpty();
    }

    @Test
    void diamond_throughTheApi_tasksTimingsTokensCostCriticalPath_andEachEventOnceInOrder() throws Exception {
        String body = body(3, "a:swarm-1s:", "b:swarm-2s:a", "c:swarm-1s:a", "d:swarm-1s:b,c");
        ApiClient.Response created = api.send("POST", "/api/v1/swarms", alice, body,
                Map.of("Idempotency-Key", "diamond-1"));
        assertThat(created.status()).as(created.toString()).isEqualTo(202);
        String id = created.json().path("id").asText();
        assertThat(id).startsWith("swm_");
        assertThat(created.json().path("status").asText()).isEqualTo("RUNNING");
        assertThat(created.json().path("taskCount").asInt()).isEqualTo(4);
        ApiClient.Response again = api.send("POST", "/api/v1/swarms", alice, body,
                Map.of("Idempotency-Key", "diamond-1"));
        assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(again.json().path("id").asText()).as("the repeat starts nothing").isEqualTo(id);

        // another tenant sees none of it
        for (String path : List.of("", "/tasks", "/events")) {
            ApiClient.Response other = api.get("/api/v1/swarms/" + id + path, bob);
            assertThat(other.status()).as(path + ": " + other).isEqualTo(404);
        }
        assertThat(api.post("/api/v1/swarms/" + id + "/cancel", bob, null).status()).isEqualTo(404);
        HttpResponse<String> otherStream = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                cloud.apiEndpoint().orElseThrow().resolve("/api/v1/swarms/" + id + "/stream"))
                .header("Authorization", "Bearer " + bob).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(otherStream.statusCode()).as("another tenant's stream, at once").isEqualTo(404);

        JsonNode swarm = awaitEnd(id, Duration.ofSeconds(180));
        assertThat(swarm.path("status").asText()).as(swarm.toString()).isEqualTo("SUCCEEDED");
        assertThat(swarm.path("summary").path("counts").path("completed").asInt()).isEqualTo(4);
        assertThat(swarm.path("summary").path("tasks").asInt()).isEqualTo(4);
        // scripted usage: 100 input + 10 output tokens per task
        assertThat(swarm.path("summary").path("tokens").asLong()).isEqualTo(4 * 110);
        assertThat(swarm.path("criticalPath").path("tasks").toString()).isEqualTo("[\"a\",\"b\",\"d\"]");

        JsonNode tasks = api.get("/api/v1/swarms/" + id + "/tasks", alice).json().path("items");
        assertThat(tasks).hasSize(4);
        Map<String, JsonNode> byKey = new HashMap<>();
        tasks.forEach(t -> byKey.put(t.path("key").asText(), t));
        assertThat(byKey.keySet()).containsExactlyInAnyOrder("a", "b", "c", "d");
        assertThat(tasks.get(0).path("key").asText()).as("request order").isEqualTo("a");
        double cost = 0;
        for (JsonNode t : tasks) {
            String key = t.path("key").asText();
            assertThat(t.path("status").asText()).as(key).isEqualTo("completed");
            assertThat(t.path("title").asText()).isEqualTo("Task " + key);
            assertThat(t.path("agentId").asText()).isEqualTo(agents.get(key.equals("b") ? "swarm-2s" : "swarm-1s"));
            assertThat(t.path("tokens").asLong()).as(key).isEqualTo(110);
            assertThat(t.path("turns").asInt()).as(key).isEqualTo(1);
            assertThat(t.path("attempts").asInt()).as(key).isEqualTo(1);
            assertThat(t.path("costUsd").isNumber()).as(key).isTrue();
            cost += t.path("costUsd").asDouble();
            assertThat(t.path("durationMs").asLong()).as(key + " took its scripted time")
                    .isGreaterThanOrEqualTo(key.equals("b") ? 2000 : 1000);
            assertThat(Duration.between(Instant.parse(t.path("startedAt").asText()),
                    Instant.parse(t.path("endedAt").asText())).toMillis()).isEqualTo(t.path("durationMs").asLong());
            assertThat(t.path("resultUri").asText()).isEqualTo("s3://skyloom-workspaces/tenants/swarm-alice/swarms/"
                    + id + "/tasks/" + key + "/result.json");
        }
        assertThat(swarm.path("summary").path("costUsd").asDouble()).isEqualTo(cost, org.assertj.core.data.Offset
                .offset(1e-9));
        for (String[] edge : List.of(new String[] {"a", "b"}, new String[] {"a", "c"}, new String[] {"b", "d"},
                new String[] {"c", "d"})) {
            assertThat(Instant.parse(byKey.get(edge[1]).path("startedAt").asText()))
                    .as(edge[1] + " started after " + edge[0] + " ended")
                    .isAfterOrEqualTo(Instant.parse(byKey.get(edge[0]).path("endedAt").asText()));
        }
        assertThat(swarm.path("criticalPath").path("lengthMs").asLong()).isEqualTo(byKey.get("a").path("durationMs")
                .asLong() + byKey.get("b").path("durationMs").asLong() + byKey.get("d").path("durationMs").asLong());

        // the events: each once, gapless, in an order that respects the DAG
        List<JsonNode> events = eventsUntil(id, "SWARM_COMPLETE", Duration.ofSeconds(60));
        List<String> types = events.stream().map(e -> e.path("type").asText() + (e.has("stepId") ? ":"
                + e.path("stepId").asText() : "")).toList();
        assertThat(types).as(types.toString()).hasSize(14).doesNotHaveDuplicates();
        assertThat(types.getFirst()).isEqualTo("SWARM_STARTED");
        assertThat(types.getLast()).isEqualTo("SWARM_COMPLETE");
        for (String k : List.of("a", "b", "c", "d")) {
            assertThat(types.indexOf("SWARM_TASK_READY:" + k)).as(types.toString())
                    .isGreaterThan(0).isLessThan(types.indexOf("SWARM_TASK_STARTED:" + k));
            assertThat(types.indexOf("SWARM_TASK_STARTED:" + k)).isLessThan(types.indexOf("SWARM_TASK_COMPLETED:" + k));
        }
        for (String[] edge : List.of(new String[] {"a", "b"}, new String[] {"a", "c"}, new String[] {"b", "d"},
                new String[] {"c", "d"})) {
            assertThat(types.indexOf("SWARM_TASK_COMPLETED:" + edge[0]))
                    .as(edge[1] + " became ready after " + edge[0] + " completed: " + types)
                    .isLessThan(types.indexOf("SWARM_TASK_READY:" + edge[1]));
        }
        for (int i = 0; i < events.size(); i++) {
            JsonNode e = events.get(i);
            assertThat(e.path("seq").asLong()).isEqualTo(i + 1);
            assertThat(e.path("source").asText()).isEqualTo("skyloom.swarm");
            assertThat(e.path("data").path("swarmId").asText()).isEqualTo(id);
        }
        assertThat(events.stream().map(e -> e.path("eventId").asText()).distinct()).hasSize(14);
        JsonNode completedB = events.get(types.indexOf("SWARM_TASK_COMPLETED:b")).path("data");
        assertThat(completedB.path("tokens").asLong()).isEqualTo(110);
        assertThat(completedB.path("durationMs").asLong()).isEqualTo(byKey.get("b").path("durationMs").asLong());
        JsonNode complete = events.getLast().path("data");
        assertThat(complete.path("status").asText()).isEqualTo("completed");
        assertThat(complete.path("criticalPath").path("path").toString()).isEqualTo("[\"a\",\"b\",\"d\"]");

        // the same events live, as Server-Sent Events on the local gateway
        assertThat(sse(id, 14)).containsExactlyElementsOf(events.stream()
                .map(e -> e.path("seq").asLong() + " " + e.path("type").asText()).toList());

        // listed, filtered, and a finished swarm cannot be cancelled
        assertThat(api.get("/api/v1/swarms?status=SUCCEEDED", alice).json().path("items").findValuesAsText("id"))
                .contains(id);
        assertThat(api.get("/api/v1/swarms?status=CANCELLED", alice).json().path("items").findValuesAsText("id"))
                .doesNotContain(id);
        assertThat(api.post("/api/v1/swarms/" + id + "/cancel", alice, null).status()).isEqualTo(409);
    }

    /** The first {@code n} events of the swarm's SSE stream, as "seq type". */
    List<String> sse(String swarmId, int n) throws Exception {
        URI uri = cloud.apiEndpoint().orElseThrow().resolve("/api/v1/swarms/" + swarmId + "/stream?after=0");
        HttpRequest request = HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + alice)
                .timeout(Duration.ofSeconds(60)).build();
        HttpResponse<Stream<String>> response = HttpClient.newHttpClient().send(request,
                HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        List<String> out = new ArrayList<>();
        try (Stream<String> lines = response.body()) {
            String seq = null;
            Iterator<String> it = lines.iterator();
            while (out.size() < n && it.hasNext()) {
                String line = it.next();
                if (line.startsWith("id: ")) {
                    seq = line.substring(4);
                } else if (line.startsWith("event: ")) {
                    out.add(seq + " " + line.substring(7));
                }
            }
        }
        return out;
    }

    @Test
    void cancel_midFlight_cancelsTheRunningTasks_skipsTheRest_andAbortsTheirExecutions() throws Exception {
        ApiClient.Response created = api.post("/api/v1/swarms", alice,
                body(3, "a:swarm-8s:", "b:swarm-8s:", "c:swarm-1s:a,b"));
        assertThat(created.status()).as(created.toString()).isEqualTo(202);
        String id = created.json().path("id").asText();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (children(id).values().stream().filter(c -> c.status() == ExecutionStatus.RUNNING).count() < 2) {
            assertThat(System.nanoTime()).as("both long tasks started").isLessThan(deadline);
            LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
        }
        JsonNode running = api.get("/api/v1/swarms/" + id + "/tasks", alice).json().path("items");
        assertThat(running.findValuesAsText("status")).containsExactly("running", "running", "pending");
        assertThat(api.get("/api/v1/swarms/" + id, alice).json().path("summary").path("counts").path("running")
                .asInt()).isEqualTo(2);

        ApiClient.Response cancelled = api.post("/api/v1/swarms/" + id + "/cancel", alice, null);

        assertThat(cancelled.status()).as(cancelled.toString()).isEqualTo(200);
        assertThat(cancelled.json().path("status").asText()).isEqualTo("CANCELLED");
        assertThat(cancelled.json().path("error").asText()).isEqualTo("SWARM_CANCELLED");
        JsonNode tasks = api.get("/api/v1/swarms/" + id + "/tasks", alice).json().path("items");
        assertThat(tasks.findValuesAsText("status")).containsExactly("cancelled", "cancelled", "skipped");
        assertThat(tasks.findValuesAsText("reason")).containsOnly("cancelled");
        Map<String, DescribeExecutionResponse> children = children(id);
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (children.values().stream().anyMatch(c -> c.status() == ExecutionStatus.RUNNING)
                && System.nanoTime() < until) {
            LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
            children = children(id);
        }
        assertThat(children).containsOnlyKeys("a", "b");
        assertThat(children.values()).allMatch(c -> c.status() == ExecutionStatus.ABORTED, "children aborted");
        assertThat(api.post("/api/v1/swarms/" + id + "/cancel", alice, null).status()).isEqualTo(409);
        assertThat(api.get("/api/v1/swarms?status=CANCELLED", alice).json().path("items").findValuesAsText("id"))
                .contains(id);

        List<JsonNode> events = eventsUntil(id, "SWARM_FAILED", Duration.ofSeconds(60));
        Set<String> types = new HashSet<>();
        events.forEach(e -> types.add(e.path("type").asText() + (e.has("stepId") ? ":" + e.path("stepId").asText()
                : "")));
        assertThat(types).contains("SWARM_STARTED", "SWARM_TASK_STARTED:a", "SWARM_TASK_STARTED:b",
                "SWARM_TASK_CANCELLED:a", "SWARM_TASK_CANCELLED:b", "SWARM_TASK_SKIPPED:c", "SWARM_FAILED");
        assertThat(types).doesNotContain("SWARM_TASK_STARTED:c", "SWARM_TASK_READY:c", "SWARM_COMPLETE");
        assertThat(events.getLast().path("data").path("status").asText()).isEqualTo("cancelled");
    }
}
