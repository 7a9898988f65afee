package dev.skyloom.handlers.swarm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.local.cloud.LocalCloud;
import dev.skyloom.local.cloud.LocalCloudConfig;
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
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionListItem;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;

/**
 * Swarms end to end on the local cloud: {@code statemachines/swarm.asl.json} with the SwarmScheduler function, every
 * task an {@code agent-step} child execution whose model is a scripted scenario with a fixed duration
 * ({@code delayMs}). Start and end of each task are read from the child executions (their start and stop dates),
 * so the order checks do not trust the scheduler's own bookkeeping.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public class SwarmIT {
    /**
     * The local-cloud benchmarks (decision 0700), run by hand, not by the suite:
     * {@code mvn -B -o -pl functions/handlers -am package -DskipTests dependency:build-classpath
     * -Dmdep.outputFile=target/test.classpath -Dmdep.includeScope=test}, then from {@code functions/handlers}
     * {@code java -cp target/test-classes:target/classes:$(cat target/test.classpath) dev.skyloom.handlers.swarm.SwarmIT
     * [1000]} (decision 0503: {@code exec:java} does not resolve offline).
     * Prints makespan, critical path and their ratio for a random 100-task DAG (40 and 4 slots), or with {@code 1000}
     * the time and overhead per task of a 1,000-task swarm.
     */
    public static void main(String[] args) throws Exception {
        dataDir = Files.createTempDirectory("skyloom-swarm-bench");
        SwarmIT bench = new SwarmIT();
        bench.start();
        try {
            if (args.length > 0 && args[0].equals("1000")) {
                bench.bench_thousandTasks();
            } else {
                bench.bench_randomDagOf100Tasks();
            }
        } finally {
            bench.stop();
        }
        System.exit(0); // the functions' SDK threads (Netty) can outlive the cloud and keep the JVM up
    }

    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final StaticCredentialsProvider CREDENTIALS = StaticCredentialsProvider.create(
            AwsBasicCredentials.create("test", "test"));

    @TempDir
    static Path dataDir;
    private LocalCloud cloud;
    private SfnClient sfn;
    private S3Client s3;
    private String swarmArn;
    private String agentStepArn;
    private Tenant tenant;

    record Tenant(String id, String key, Map<String, String> agents) {
    }

    /** A task's child execution: when it ran and how it ended. */
    record Child(String key, Instant start, Instant stop, ExecutionStatus status, JsonNode input, JsonNode output) {
    }

    /**
     * A local cloud with the platform's state machines (the swarm's among them) and the swarm scenarios as models
     * ({@code skyloom.scenario.swarm-1s}, {@code -2s}, {@code -8s}, {@code -fail}); its data under
     * {@code dataDir/cloud}. SwarmApiIT starts its cloud with it too.
     */
    public static LocalCloud startCloud(Path dataDir) throws Exception {
        Path models = Files.createDirectories(dataDir.resolve("models"));
        for (String name : List.of("swarm-1s.yaml", "swarm-2s.yaml", "swarm-8s.yaml", "swarm-fail.yaml",
                "swarm-planner.yaml", "swarm-flaky.yaml")) {
            try (var in = SwarmIT.class.getResourceAsStream("/scenarios/" + name)) {
                assertThat(in).as(name).isNotNull();
                Files.copy(in, models.resolve(name));
            }
        }
        Path stateMachines = Path.of(System.getProperty("skyloom.stateMachines", "../../statemachines"))
                .toAbsolutePath().normalize();
        Path jar = Path.of(System.getProperty("skyloom.functionsJar", "target/skyloom-functions.jar"));
        return new LocalCloud(LocalCloudConfig.ephemeral(dataDir.resolve("cloud"), jar)
                .withStateMachines(stateMachines).withModelsDir(models)).start();
    }

    @BeforeAll
    void start() throws Exception {
        cloud = startCloud(dataDir);
        URI edge = cloud.edgeEndpoint();
        sfn = SfnClient.builder().endpointOverride(edge).region(Region.US_EAST_1).credentialsProvider(CREDENTIALS)
                .build();
        s3 = S3Client.builder().endpointOverride(edge).region(Region.US_EAST_1).credentialsProvider(CREDENTIALS)
                .forcePathStyle(true).build();
        swarmArn = arnOf("skyloom-swarm");
        agentStepArn = arnOf("skyloom-agent-step");
        tenant = tenant();
    }

    @AfterAll
    void stop() {
        if (cloud != null) {
            cloud.close();
        }
    }

    String arnOf(String name) {
        return sfn.listStateMachines().stateMachines().stream().filter(m -> m.name().equals(name)).findFirst()
                .orElseThrow().stateMachineArn();
    }

    Tenant tenant() throws Exception {
        String admin = Files.readString(dataDir.resolve("cloud").resolve("admin.key")).trim();
        String id = "t" + UUID.randomUUID().toString().substring(0, 8);
        JsonNode created = api("POST", "/api/v1/tenants", admin, "{\"id\":\"" + id + "\",\"name\":\"" + id + "\"}");
        String key = created.path("adminKey").path("token").asText();
        Map<String, String> agents = new HashMap<>();
        for (String scenario : List.of("swarm-1s", "swarm-2s", "swarm-8s", "swarm-fail", "swarm-planner",
                "swarm-flaky")) {
            ObjectNode agent = JSON.createObjectNode().put("name", scenario).put("role", "swarm worker")
                    .put("systemPrompt", "Do the task.").put("memoryProfile", "none");
            agent.putObject("model").put("provider", "bedrock").put("modelId", "skyloom.scenario." + scenario);
            agent.putArray("tools");
            agents.put(scenario, api("POST", "/api/v1/agents", key, agent.toString()).path("id").asText());
        }
        return new Tenant(id, key, agents);
    }

    JsonNode api(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(cloud.apiEndpoint().orElseThrow().resolve(path))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isBetween(200, 299);
        return JSON.readTree(response.body());
    }

    /** A swarm input; each task is "key:scenario:dep1,dep2" and its prompt quotes its dependencies' outputs. */
    ObjectNode swarm(String swarmId, int maxConcurrent, String policy, String... tasks) {
        ObjectNode input = JSON.createObjectNode().put("tenantId", tenant.id()).put("swarmId", swarmId);
        ObjectNode swarm = input.putObject("swarm").put("maxConcurrent", maxConcurrent).put("failurePolicy", policy)
                .put("globalTimeoutSeconds", 600);
        ArrayNode list = swarm.putArray("tasks");
        for (String t : tasks) {
            String[] p = t.split(":", -1);
            ObjectNode task = list.addObject().put("key", p[0]).put("agentId", tenant.agents().get(p[1]))
                    .put("timeoutSeconds", 120);
            ArrayNode deps = task.putArray("dependencies");
            StringBuilder prompt = new StringBuilder("Task " + p[0] + ".");
            if (p.length > 2 && !p[2].isEmpty()) {
                for (String d : p[2].split(",")) {
                    deps.add(d);
                    prompt.append(" From ").append(d).append(": {{deps.").append(d).append(".output}}");
                }
            }
            task.put("prompt", prompt.toString());
        }
        return input;
    }

    String start(ObjectNode input) {
        return sfn.startExecution(b -> b.stateMachineArn(swarmArn).name(input.path("swarmId").asText())
                .input(input.toString())).executionArn();
    }

    DescribeExecutionResponse finished(String arn, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            DescribeExecutionResponse e = sfn.describeExecution(b -> b.executionArn(arn));
            if (e.status() != ExecutionStatus.RUNNING) {
                return e;
            }
            LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
        }
        throw new AssertionError(arn + " still running after " + timeout);
    }

    /** The agent-step executions of this swarm (runId = swarmId), by task key. */
    Map<String, Child> children(String swarmId) throws Exception {
        Map<String, Child> out = new HashMap<>();
        for (Child c : attempts(swarmId)) {
            assertThat(out).as("one child per task: " + c.key()).doesNotContainKey(c.key());
            out.put(c.key(), c);
        }
        return out;
    }

    /** Every agent-step execution of this swarm (a retried task has one per attempt), oldest first. */
    List<Child> attempts(String swarmId) throws Exception {
        List<Child> out = new ArrayList<>();
        List<ExecutionListItem> all = new ArrayList<>();
        sfn.listExecutionsPaginator(b -> b.stateMachineArn(agentStepArn).maxResults(1000))
                .forEach(page -> all.addAll(page.executions()));
        for (ExecutionListItem item : all) {
            DescribeExecutionResponse e = sfn.describeExecution(b -> b.executionArn(item.executionArn()));
            JsonNode input = JSON.readTree(e.input());
            if (swarmId.equals(input.path("runId").asText())) {
                out.add(new Child(input.path("stepId").asText(), e.startDate(), e.stopDate(), e.status(), input,
                        e.output() == null ? null : JSON.readTree(e.output())));
            }
        }
        out.sort(java.util.Comparator.comparing(Child::start));
        return out;
    }

    /** Every task started after each of its dependencies' executions ended; never more than max ran at once. */
    static void assertEagerAndBounded(ObjectNode input, Map<String, Child> children, int max) {
        for (JsonNode t : input.path("swarm").path("tasks")) {
            Child c = children.get(t.path("key").asText());
            if (c == null) {
                continue;
            }
            for (JsonNode d : t.path("dependencies")) {
                Child dep = children.get(d.asText());
                assertThat(dep).as(c.key() + " ran, so its dependency " + d.asText() + " ran").isNotNull();
                assertThat(dep.stop()).as(d.asText() + " ended before " + c.key() + " started")
                        .isBeforeOrEqualTo(c.start());
            }
        }
        for (Child c : children.values()) { // at each start, count who is running
            long running = children.values().stream().filter(o -> !o.start().isAfter(c.start())
                    && (o.stop() == null || o.stop().isAfter(c.start()))).count();
            assertThat(running).as("running when " + c.key() + " started").isLessThanOrEqualTo(max);
        }
    }

    int historySize(String arn) {
        int[] n = {0};
        sfn.getExecutionHistoryPaginator(b -> b.executionArn(arn).maxResults(1000))
                .forEach(page -> n[0] += page.events().size());
        return n[0];
    }

    JsonNode summaryOf(String swarmId) throws Exception {
        return JSON.readTree(s3.getObjectAsBytes(b -> b.bucket("skyloom-workspaces")
                .key("tenants/" + tenant.id() + "/swarms/" + swarmId + "/summary.json")).asUtf8String());
    }

    static double seconds(Instant a, Instant b) {
        return Duration.between(a, b).toMillis() / 1000.0;
    }

    @Test
    void diamond_runsBothBranchesAtOnce_andTheJoinSeesBothOutputs() throws Exception {
        String id = "swm-diamond-" + tenant.id();
        ObjectNode input = swarm(id, 3, "skip-dependents", "a:swarm-1s:", "b:swarm-2s:a", "c:swarm-1s:a",
                "d:swarm-1s:b,c");

        DescribeExecutionResponse done = finished(start(input), Duration.ofSeconds(180));

        assertThat(done.status()).as(done.error() + ": " + done.cause()).isEqualTo(ExecutionStatus.SUCCEEDED);
        JsonNode summary = JSON.readTree(done.output());
        assertThat(summary.path("status").asText()).isEqualTo("completed");
        assertThat(summary.path("counts").path("completed").asInt()).isEqualTo(4);
        assertThat(summary.path("criticalPath").path("path").toString()).isEqualTo("[\"a\",\"b\",\"d\"]");
        Map<String, Child> children = children(id);
        assertThat(children).containsOnlyKeys("a", "b", "c", "d");
        assertEagerAndBounded(input, children, 3);
        // b and c ran at the same time
        assertThat(children.get("c").start()).isBefore(children.get("b").stop());
        assertThat(children.get("b").start()).isBefore(children.get("c").stop());
        assertThat(children.get("d").input().path("prompt").asText())
                .isEqualTo("Task d. From b: Finished the task in 2 s. From c: Finished the task in 1 s.");
        assertThat(children.get("d").input().path("context").path("deps").path("b").path("resultUri").asText())
                .isEqualTo("s3://skyloom-workspaces/tenants/" + tenant.id() + "/swarms/" + id
                        + "/tasks/b/result.json");
        System.out.printf("diamond: makespan %.2f s (tasks 1+2+1 s on the critical path), %d history events%n",
                seconds(children.get("a").start(), children.get("d").stop()), historySize(done.executionArn()));
    }

    @Test
    void chain_runsOneAfterTheOther() throws Exception {
        String id = "swm-chain-" + tenant.id();
        ObjectNode input = swarm(id, 3, "skip-dependents", "a:swarm-1s:", "b:swarm-1s:a", "c:swarm-1s:b",
                "d:swarm-1s:c");

        DescribeExecutionResponse done = finished(start(input), Duration.ofSeconds(180));

        assertThat(done.status()).as(done.error() + ": " + done.cause()).isEqualTo(ExecutionStatus.SUCCEEDED);
        Map<String, Child> children = children(id);
        assertThat(children).containsOnlyKeys("a", "b", "c", "d");
        assertEagerAndBounded(input, children, 1);
        assertThat(children.get("c").input().path("prompt").asText())
                .isEqualTo("Task c. From b: Finished the task in 1 s.");
    }

    @Test
    void failureInTheMiddle_skipsItsDependents_andTheRestCompletes() throws Exception {
        String id = "swm-fail-" + tenant.id();
        ObjectNode input = swarm(id, 2, "skip-dependents", "a:swarm-1s:", "b:swarm-fail:a", "c:swarm-1s:b",
                "d:swarm-1s:c", "x:swarm-1s:a", "y:swarm-1s:x");

        DescribeExecutionResponse done = finished(start(input), Duration.ofSeconds(180));

        assertThat(done.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(done.error()).isEqualTo("SWARM_FAILED");
        JsonNode summary = summaryOf(id);
        JsonNode tasks = summary.path("tasks");
        assertThat(summary.path("status").asText()).isEqualTo("failed");
        assertThat(tasks.path("b").path("status").asText()).isEqualTo("failed");
        assertThat(tasks.path("b").path("error").asText()).isEqualTo("MODEL_ERROR");
        assertThat(tasks.path("c").path("status").asText()).isEqualTo("skipped");
        assertThat(tasks.path("d").path("status").asText()).isEqualTo("skipped");
        assertThat(tasks.path("x").path("status").asText()).isEqualTo("completed");
        assertThat(tasks.path("y").path("status").asText()).isEqualTo("completed");
        Map<String, Child> children = children(id);
        assertThat(children).containsOnlyKeys("a", "b", "x", "y");
        assertThat(children.get("b").status()).isEqualTo(ExecutionStatus.FAILED);
        assertEagerAndBounded(input, children, 2);
    }

    @Test
    void wideFanOutAndIn_neverRunsMoreThanMaxConcurrent() throws Exception {
        String id = "swm-fan-" + tenant.id();
        List<String> tasks = new ArrayList<>(List.of("root:swarm-1s:"));
        StringBuilder leaves = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            tasks.add("l" + i + ":swarm-1s:root");
            leaves.append(leaves.isEmpty() ? "" : ",").append("l").append(i);
        }
        tasks.add("sink:swarm-1s:" + leaves);
        ObjectNode input = swarm(id, 4, "skip-dependents", tasks.toArray(String[]::new));

        String arn = start(input);
        DescribeExecutionResponse done = finished(arn, Duration.ofSeconds(240));

        assertThat(done.status()).as(done.error() + ": " + done.cause()).isEqualTo(ExecutionStatus.SUCCEEDED);
        Map<String, Child> children = children(id);
        assertThat(children).hasSize(12);
        int events = historySize(arn);
        System.out.printf("fan-out: %d history events for 12 tasks and 4 workers; makespan %.2f s%n", events,
                seconds(children.get("root").start(), children.get("sink").stop()));
        // 13 per task, 8 per park (at most one per task), 11 per worker, ~22 per swarm (decision 0700)
        assertThat(events).isLessThanOrEqualTo(12 * 21 + 4 * 11 + 22);
        assertEagerAndBounded(input, children, 4);
        long peak = children.values().stream().mapToLong(c -> children.values().stream()
                .filter(o -> !o.start().isAfter(c.start()) && o.stop().isAfter(c.start())).count()).max()
                .orElse(0);
        assertThat(peak).as("the fan-out uses the slots").isGreaterThanOrEqualTo(3);
    }

    @Test
    void stopExecution_midFlight_stopsTheRunningChildren() throws Exception {
        String id = "swm-stop-" + tenant.id();
        ObjectNode input = swarm(id, 3, "skip-dependents", "a:swarm-8s:", "b:swarm-8s:", "c:swarm-1s:a,b");
        String arn = start(input);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (children(id).values().stream().filter(c -> c.status() == ExecutionStatus.RUNNING).count() < 2) {
            assertThat(System.nanoTime()).as("both long tasks started").isLessThan(deadline);
            LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
        }

        sfn.stopExecution(b -> b.executionArn(arn).error("SWARM_CANCELLED").cause("cancelled by the test"));

        assertThat(finished(arn, Duration.ofSeconds(10)).status()).isEqualTo(ExecutionStatus.ABORTED);
        long until = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        Map<String, Child> children = children(id);
        while (children.values().stream().anyMatch(c -> c.status() == ExecutionStatus.RUNNING)
                && System.nanoTime() < until) {
            LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
            children = children(id);
        }
        assertThat(children).containsOnlyKeys("a", "b");
        assertThat(children.values()).allMatch(c -> c.status() == ExecutionStatus.ABORTED, "children aborted");
    }

    @Test
    void failFast_firstFailure_stopsTheRunningTasks_andSkipsTheRest() throws Exception {
        String id = "swm-ff-" + tenant.id();
        ObjectNode input = swarm(id, 3, "fail-fast", "a:swarm-2s:", "b:swarm-fail:", "c:swarm-8s:", "d:swarm-1s:a");

        DescribeExecutionResponse done = finished(start(input), Duration.ofSeconds(120));

        assertThat(done.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(done.error()).isEqualTo("SWARM_FAILED");
        JsonNode tasks = summaryOf(id).path("tasks");
        assertThat(tasks.path("b").path("status").asText()).isEqualTo("failed");
        assertThat(tasks.path("c").path("status").asText()).isEqualTo("cancelled");
        assertThat(tasks.path("d").path("status").asText()).isEqualTo("skipped");
        Map<String, Child> children = children(id);
        assertThat(children).doesNotContainKey("d");
        long until = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (children.get("c").status() == ExecutionStatus.RUNNING && System.nanoTime() < until) {
            LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
            children = children(id);
        }
        assertThat(children.get("c").status()).as("the running task's child is stopped").isEqualTo(
                ExecutionStatus.ABORTED);
    }

    @Test
    void globalTimeout_stopsWhatRuns_andMarksWhatDidNotFinish() throws Exception {
        String id = "swm-gt-" + tenant.id();
        ObjectNode input = swarm(id, 2, "skip-dependents", "a:swarm-8s:", "b:swarm-8s:", "c:swarm-1s:a,b");
        ((ObjectNode) input.get("swarm")).put("globalTimeoutSeconds", 4);

        DescribeExecutionResponse done = finished(start(input), Duration.ofSeconds(60));

        assertThat(done.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(done.error()).isEqualTo("SWARM_FAILED");
        JsonNode summary = summaryOf(id);
        assertThat(summary.path("status").asText()).isEqualTo("timed_out");
        JsonNode tasks = summary.path("tasks");
        for (String k : List.of("a", "b")) {
            assertThat(tasks.path(k).path("status").asText()).as(k).isEqualTo("cancelled");
            assertThat(tasks.path(k).path("reason").asText()).as(k).isEqualTo("global timeout");
        }
        assertThat(tasks.path("c").path("status").asText()).isEqualTo("skipped");
        assertThat(seconds(sfn.describeExecution(b -> b.executionArn(done.executionArn())).startDate(),
                done.stopDate())).as("stopped near the 4 s deadline").isLessThan(15);
        Map<String, Child> children = children(id);
        long until = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (children.values().stream().anyMatch(c -> c.status() == ExecutionStatus.RUNNING)
                && System.nanoTime() < until) {
            LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
            children = children(id);
        }
        assertThat(children).containsOnlyKeys("a", "b");
        assertThat(children.values()).allMatch(c -> c.status() == ExecutionStatus.ABORTED, "children stopped");
    }

    @Test
    void plannedSwarm_thePlannersFixedPlanRuns_afterItsInvalidFirstPlanWasRejected() throws Exception {
        String id = "swm-plan-" + tenant.id();
        ObjectNode input = JSON.createObjectNode().put("tenantId", tenant.id()).put("swarmId", id);
        input.putObject("swarm").put("goal", "Write a report on the topic, with figures.")
                .put("plannerAgentId", tenant.agents().get("swarm-planner")).put("maxConcurrent", 3)
                .put("failurePolicy", "skip-dependents").put("globalTimeoutSeconds", 600);

        DescribeExecutionResponse done = finished(start(input), Duration.ofSeconds(180));

        assertThat(done.status()).as(done.error() + ": " + done.cause()).isEqualTo(ExecutionStatus.SUCCEEDED);
        JsonNode summary = JSON.readTree(done.output());
        assertThat(summary.path("counts").path("completed").asInt()).isEqualTo(4);
        Map<String, Child> children = children(id);
        assertThat(children).containsOnlyKeys("PLAN", "research", "draft", "figures", "report");
        Child plan = children.get("PLAN");
        assertThat(plan.input().path("stepType").asText()).isEqualTo("swarm-planner");
        assertThat(plan.input().path("prompt").asText()).contains("Write a report on the topic, with figures.");
        assertThat(plan.output().path("turns").asInt()).as("one rejected plan, one accepted").isEqualTo(2);
        assertThat(plan.output().path("result").asText()).isEqualTo("PLANNED");
        // the first plan came back to the planner as a tool error naming the problem
        String prefix = "tenants/" + tenant.id() + "/runs/" + id + "/steps/PLAN/";
        String firstTurn = s3.listObjectsV2Paginator(b -> b.bucket("skyloom-workspaces").prefix(prefix)).contents()
                .stream().filter(o -> o.key().endsWith("/turns/0001.json")).findFirst()
                .map(o -> s3.getObjectAsBytes(b -> b.bucket("skyloom-workspaces").key(o.key())).asUtf8String())
                .orElseThrow();
        assertThat(firstTurn).contains("The plan was rejected (1 problem): tasks have a dependency cycle: "
                + "report -> research -> report");
        for (String k : List.of("research", "draft", "figures", "report")) {
            assertThat(plan.stop()).as("the plan ended before " + k + " started")
                    .isBeforeOrEqualTo(children.get(k).start());
            assertThat(children.get(k).input().path("agentId").asText()).as(k)
                    .isEqualTo(tenant.agents().get("swarm-1s"));
        }
        assertEagerAndBounded(swarm(id, 3, "skip-dependents", "research:swarm-1s:", "draft:swarm-1s:research",
                "figures:swarm-1s:research", "report:swarm-1s:draft,figures"), children, 3);
        // figures ran on its own model (the 2 s scenario), not its agent's (1 s)
        assertThat(children.get("figures").input().path("model").asText()).isEqualTo("skyloom.scenario.swarm-2s");
        assertThat(children.get("report").input().path("prompt").asText())
                .isEqualTo("Report: Finished the task in 1 s. / Finished the task in 2 s.");
    }

    @Test
    void plannedSwarm_whosePlannerNeverSubmits_failsWithSwarmPlanFailed() throws Exception {
        String id = "swm-noplan-" + tenant.id();
        ObjectNode input = JSON.createObjectNode().put("tenantId", tenant.id()).put("swarmId", id);
        input.putObject("swarm").put("goal", "Plan something.")
                .put("plannerAgentId", tenant.agents().get("swarm-fail")).put("globalTimeoutSeconds", 600);

        DescribeExecutionResponse done = finished(start(input), Duration.ofSeconds(120));

        assertThat(done.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(done.error()).isEqualTo("SWARM_PLAN_FAILED");
        assertThat(done.cause()).contains("MODEL_ERROR");
        assertThat(children(id)).containsOnlyKeys("PLAN");
    }

    @Test
    void aTasksModel_overridesItsAgentsModel_forThatTaskOnly() throws Exception {
        String id = "swm-model-" + tenant.id();
        ObjectNode input = swarm(id, 2, "skip-dependents", "own:swarm-1s:", "other:swarm-1s:");
        ((ObjectNode) input.at("/swarm/tasks/1")).put("model", "skyloom.scenario.swarm-2s");

        DescribeExecutionResponse done = finished(start(input), Duration.ofSeconds(120));

        assertThat(done.status()).as(done.error() + ": " + done.cause()).isEqualTo(ExecutionStatus.SUCCEEDED);
        Map<String, Child> children = children(id);
        assertThat(children.get("own").output().path("text").asText()).isEqualTo("Finished the task in 1 s.");
        assertThat(children.get("other").output().path("text").asText()).isEqualTo("Finished the task in 2 s.");
        assertThat(children.get("other").input().path("agentId").asText()).isEqualTo(tenant.agents().get("swarm-1s"));
    }

    @Test
    void aFailedTaskWithARetry_runsAgainWithTheFailureAsFeedback_andTheSwarmCompletes() throws Exception {
        String id = "swm-retry-" + tenant.id();
        ObjectNode input = swarm(id, 2, "fail-fast", "flaky:swarm-flaky:", "after:swarm-1s:flaky");
        ((ObjectNode) input.at("/swarm/tasks/0")).put("maxRetries", 1);

        DescribeExecutionResponse done = finished(start(input), Duration.ofSeconds(120));

        assertThat(done.status()).as(done.error() + ": " + done.cause()).isEqualTo(ExecutionStatus.SUCCEEDED);
        List<Child> attempts = attempts(id);
        assertThat(attempts).extracting(Child::key).containsExactly("flaky", "flaky", "after");
        assertThat(attempts.get(0).status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(attempts.get(1).status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(attempts.get(1).input().path("prompt").asText()).startsWith("Task flaky.\n\n# Previous attempt\n"
                + "Attempt 1 of this task failed (MODEL_ERROR: ").contains("The model refuses this attempt.");
        assertThat(attempts.get(1).input().at("/context/previousAttempts/0/error").asText()).isEqualTo("MODEL_ERROR");
        assertThat(attempts.get(0).stop()).isBeforeOrEqualTo(attempts.get(1).start());
        assertThat(attempts.get(1).stop()).as("the dependent waited for the retry").isBeforeOrEqualTo(
                attempts.get(2).start());
        assertThat(attempts.get(2).input().path("prompt").asText())
                .isEqualTo("Task after. From flaky: Finished on the second attempt.");
        JsonNode flaky = summaryOf(id).path("tasks").path("flaky");
        assertThat(flaky.path("status").asText()).isEqualTo("completed");
        assertThat(flaky.path("attempt").asInt()).isEqualTo(2);
        assertThat(flaky.path("failures")).hasSize(1);

        // without a retry the same scenario fails the task (its attempt counters are per run: a new swarm id)
        String once = "swm-noretry-" + tenant.id();
        DescribeExecutionResponse failed = finished(start(swarm(once, 2, "fail-fast", "flaky:swarm-flaky:")),
                Duration.ofSeconds(120));
        assertThat(failed.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(summaryOf(once).path("tasks").path("flaky").path("status").asText()).isEqualTo("failed");
        assertThat(attempts(once)).hasSize(1);
    }

    @Test
    void sixtySlots_runMoreThan40TasksAtOnce_asADistributedPoolOfWorkers() throws Exception {
        String id = "swm-wide-" + tenant.id();
        List<String> tasks = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            tasks.add("w" + i + ":swarm-8s:");
        }
        tasks.add("sink:swarm-1s:w0,w59");
        ObjectNode input = swarm(id, 60, "skip-dependents", tasks.toArray(String[]::new));

        String arn = start(input);
        DescribeExecutionResponse done = finished(arn, Duration.ofSeconds(300));

        assertThat(done.status()).as(done.error() + ": " + done.cause()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(JSON.readTree(done.output()).path("counts").path("completed").asInt()).isEqualTo(61);
        Map<String, Child> children = children(id);
        assertThat(children).hasSize(61);
        assertEagerAndBounded(input, children, 60);
        long peak = children.values().stream().mapToLong(c -> children.values().stream()
                .filter(o -> !o.start().isAfter(c.start()) && o.stop().isAfter(c.start())).count()).max()
                .orElse(0);
        System.out.printf("wide: peak %d tasks at once of 60 slots%n", peak);
        assertThat(peak).as("past the inline Map's 40").isGreaterThan(40);
        List<String> types = new ArrayList<>();
        sfn.getExecutionHistoryPaginator(b -> b.executionArn(arn).maxResults(1000))
                .forEach(page -> page.events().forEach(e -> types.add(e.typeAsString())));
        assertThat(types).contains("MapRunStarted", "MapRunSucceeded").doesNotContain("MapStateStarted");
    }

    @Test
    void failFast_inADistributedPool_stopsTheOtherWorkersTasks() throws Exception {
        String id = "swm-wideff-" + tenant.id();
        List<String> tasks = new ArrayList<>();
        for (int i = 0; i < 41; i++) {
            tasks.add("w" + i + ":swarm-8s:");
        }
        tasks.add("bad:swarm-fail:"); // fails at once, beside the 8 s tasks
        ObjectNode input = swarm(id, 42, "fail-fast", tasks.toArray(String[]::new));

        DescribeExecutionResponse done = finished(start(input), Duration.ofSeconds(180));

        assertThat(done.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(done.error()).isEqualTo("SWARM_FAILED");
        JsonNode summary = summaryOf(id);
        assertThat(summary.path("tasks").path("bad").path("status").asText()).isEqualTo("failed");
        assertThat(summary.path("counts").path("cancelled").asInt()).as("the 8 s tasks were stopped").isPositive();
        Map<String, Child> children = children(id);
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (children.values().stream().anyMatch(c -> c.status() == ExecutionStatus.RUNNING)
                && System.nanoTime() < until) {
            LockSupport.parkNanos(Duration.ofMillis(500).toNanos());
            children = children(id);
        }
        assertThat(children.values()).filteredOn(c -> c.key().startsWith("w"))
                .as("no 8 s task ran to its end").noneMatch(c -> c.status() == ExecutionStatus.RUNNING)
                .anyMatch(c -> c.status() == ExecutionStatus.ABORTED);
    }

    /**
     * The local-cloud benchmark (decision 0700), run by hand through {@link #main}. One random DAG of
     * 100 tasks (each earlier task a dependency with probability 0.05; scripted durations 1 or 2 s), run with 40
     * slots (the most a swarm uses: "unlimited") and with 4. Prints makespan against the critical path and the
     * list-scheduling bound, both computed from the children's measured durations and from the scripted ones.
     */
    void bench_randomDagOf100Tasks() throws Exception {
        java.util.Random rnd = new java.util.Random(2026);
        List<String> tasks = new ArrayList<>();
        Map<String, Long> scripted = new HashMap<>();
        for (int i = 0; i < 100; i++) {
            StringBuilder deps = new StringBuilder();
            for (int j = 0; j < i; j++) {
                if (rnd.nextDouble() < 0.05) {
                    deps.append(deps.isEmpty() ? "" : ",").append("t").append(j);
                }
            }
            int seconds = 1 + rnd.nextInt(2);
            scripted.put("t" + i, seconds * 1000L);
            tasks.add("t" + i + ":swarm-" + seconds + "s:" + deps);
        }
        for (int slots : new int[] {40, 4}) {
            String id = "swm-bench" + slots + "-" + tenant.id();
            ObjectNode input = swarm(id, slots, "skip-dependents", tasks.toArray(String[]::new));
            var edgeBefore = cloud.edgeTimings().snapshot();
            String arn = start(input);
            DescribeExecutionResponse done = finished(arn, Duration.ofSeconds(900));
            var edge = cloud.edgeTimings().snapshot().minus(edgeBefore);
            assertThat(done.status()).as(done.error() + ": " + done.cause()).isEqualTo(ExecutionStatus.SUCCEEDED);
            edge.entries().entrySet().stream().filter(e -> e.getValue().count() > 0)
                    .sorted((x, y) -> Long.compare(y.getValue().nanos(), x.getValue().nanos())).limit(16)
                    .forEach(e -> System.out.printf(java.util.Locale.ROOT, "bench slots=%d edge %s: %d × %.1f ms%n",
                            slots, e.getKey(), e.getValue().count(),
                            e.getValue().millis() / e.getValue().count()));
            Map<String, Child> children = children(id);
            assertEagerAndBounded(input, children, slots);
            List<String> keys = new ArrayList<>();
            Map<String, List<String>> deps = new HashMap<>();
            for (JsonNode t : input.path("swarm").path("tasks")) {
                keys.add(t.path("key").asText());
                List<String> d = new ArrayList<>();
                t.path("dependencies").forEach(x -> d.add(x.asText()));
                deps.put(t.path("key").asText(), d);
            }
            dev.skyloom.core.swarm.Dag dag = dev.skyloom.core.swarm.Dag.of(keys, deps);
            long[] measured = new long[100];
            long[] script = new long[100];
            Instant first = Instant.MAX;
            Instant last = Instant.MIN;
            for (int i = 0; i < 100; i++) {
                Child c = children.get(dag.key(i));
                measured[i] = Duration.between(c.start(), c.stop()).toMillis();
                script[i] = scripted.get(dag.key(i));
                first = c.start().isBefore(first) ? c.start() : first;
                last = c.stop().isAfter(last) ? c.stop() : last;
            }
            double makespan = Duration.between(first, last).toMillis();
            // per-edge latency: a task's start after its last dependency's end (the scheduler's path)
            List<Long> gaps = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                Instant ready = Instant.MIN;
                for (String d : deps.get(dag.key(i))) {
                    Instant stop = children.get(d).stop();
                    ready = stop.isAfter(ready) ? stop : ready;
                }
                if (!ready.equals(Instant.MIN)) {
                    gaps.add(Duration.between(ready, children.get(dag.key(i)).start()).toMillis());
                }
            }
            java.util.Collections.sort(gaps);
            System.out.printf(java.util.Locale.ROOT, "bench slots=%d: dependency end -> dependent start over %d tasks:"
                    + " mean %.0f ms, median %d ms, p90 %d ms, max %d ms%n", slots, gaps.size(),
                    gaps.stream().mapToLong(Long::longValue).average().orElse(0), gaps.get(gaps.size() / 2),
                    gaps.get(gaps.size() * 9 / 10), gaps.getLast());
            long cpMeasured = dev.skyloom.core.swarm.CriticalPath.of(dag, measured).length();
            long cpScripted = dev.skyloom.core.swarm.CriticalPath.of(dag, script).length();
            double boundMeasured = Math.max(cpMeasured, java.util.Arrays.stream(measured).sum() / (double) slots);
            double boundScripted = Math.max(cpScripted, java.util.Arrays.stream(script).sum() / (double) slots);
            System.out.printf(java.util.Locale.ROOT, "bench slots=%d: makespan %.1f s; critical path measured %.1f s "
                    + "(ratio %.3f), scripted %.1f s (ratio %.3f); list-scheduling bound measured %.1f s (ratio %.3f),"
                    + " scripted %.1f s (ratio %.3f); mean task %.2f s (scripted %.2f s); %d history events%n", slots,
                    makespan / 1000, cpMeasured / 1000.0, makespan / cpMeasured, cpScripted / 1000.0,
                    makespan / cpScripted, boundMeasured / 1000, makespan / boundMeasured, boundScripted / 1000,
                    makespan / boundScripted, java.util.Arrays.stream(measured).average().orElse(0) / 1000,
                    java.util.Arrays.stream(script).average().orElse(0) / 1000, historySize(arn));
        }
    }

    /**
     * A 1,000-task swarm on the local cloud, run by hand through {@link #main}: each task depends on
     * up to two of the 100 tasks before it, 1 s scripted each, 40 slots. Prints the time, the overhead per task and
     * the history events.
     */
    void bench_thousandTasks() throws Exception {
        java.util.Random rnd = new java.util.Random(1000);
        List<String> tasks = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            java.util.TreeSet<Integer> deps = new java.util.TreeSet<>();
            for (int k = 0; k < 2 && i > 0; k++) {
                if (rnd.nextBoolean()) {
                    deps.add(Math.max(0, i - 1 - rnd.nextInt(Math.min(i, 100))));
                }
            }
            StringBuilder d = new StringBuilder();
            deps.forEach(j -> d.append(d.isEmpty() ? "" : ",").append("t").append(j));
            tasks.add("t" + i + ":swarm-1s:" + d);
        }
        String id = "swm-k-" + tenant.id();
        ObjectNode input = swarm(id, 40, "skip-dependents", tasks.toArray(String[]::new));
        long started = System.nanoTime();
        String arn = start(input);
        DescribeExecutionResponse done = finished(arn, Duration.ofSeconds(1500));
        double seconds = (System.nanoTime() - started) / 1e9;
        assertThat(done.status()).as(done.error() + ": " + done.cause()).isEqualTo(ExecutionStatus.SUCCEEDED);
        JsonNode summary = JSON.readTree(done.output());
        int events = historySize(arn);
        System.out.printf(java.util.Locale.ROOT, "bench 1000 tasks, 40 slots: %.1f s wall, makespan %.1f s, critical "
                + "path %.1f s (%d tasks), %.3f s of slot time per task beyond the 1 s scripted, %d history events "
                + "(%.1f per task)%n", seconds, summary.path("makespanMs").asLong() / 1000.0,
                summary.path("criticalPath").path("lengthMs").asLong() / 1000.0,
                summary.path("criticalPath").path("path").size(), seconds * 40 / 1000 - 1, events, events / 1000.0);
        assertThat(summary.path("counts").path("completed").asInt()).isEqualTo(1000);
        assertThat(events).isLessThan(25_000);
    }
}
