package dev.skyloom.local.sfn.durability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.local.sfn.IntegrationPattern;
import dev.skyloom.local.sfn.StepFunctionsEngine;
import dev.skyloom.local.sfn.TaskIntegration;
import dev.skyloom.local.sfn.TaskRequest;
import dev.skyloom.local.sfn.expr.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The child process of {@link CrashRecoveryIT}: starts an engine on a data directory, starts four executions (a
 * Wait, a pending task token, a Map in progress, a task in flight), prints their ARNs once the Map is part-way
 * through, then keeps running until the parent kills it with SIGKILL.
 */
public final class CrashHarness {
    static final String WAIT_SM = """
            {"StartAt":"Before","States":{
              "Before":{"Type":"Pass","Result":"waited","ResultPath":"$.r","Next":"W"},
              "W":{"Type":"Wait","Seconds":3,"Next":"After"},
              "After":{"Type":"Pass","Parameters":{"r.$":"$.r","n.$":"$.n"},"End":true}}}""";
    static final String TOKEN_SM = """
            {"StartAt":"Ask","States":{
              "Ask":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                     "Parameters":{"QueueUrl":"q","MessageBody":{"token.$":"$$.Task.Token"}},
                     "HeartbeatSeconds":60,"ResultPath":"$.answer","Next":"Done"},
              "Done":{"Type":"Pass","End":true}}}""";
    static final String MAP_SM = """
            {"StartAt":"M","States":{
              "M":{"Type":"Map","MaxConcurrency":2,"ItemsPath":"$.items",
                   "ItemProcessor":{"StartAt":"Work","States":{
                      "Work":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:000000000000:function:slow","End":true}}},
                   "ResultSelector":{"sum.$":"$[*].v"},"End":true}}}""";
    static final String INFLIGHT_SM = """
            {"StartAt":"Call","States":{
              "Call":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:000000000000:function:hangOnce","End":true}}}""";

    private CrashHarness() {
    }

    /** The first process's integrations: slow Lambda answers after 100 ms, hangOnce never answers. */
    static final class FirstLife implements TaskIntegration {
        private final Path dir;
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

        FirstLife(Path dir) {
            this.dir = dir;
        }

        @Override
        public boolean supports(String resource) {
            return true;
        }

        @Override
        public CompletionStage<JsonNode> invoke(TaskRequest r) {
            if (r.pattern() == IntegrationPattern.WAIT_FOR_TASK_TOKEN) {
                try {
                    Path tmp = dir.resolve("token.tmp");
                    Files.writeString(tmp, r.taskToken());
                    Files.move(tmp, dir.resolve("token.txt"), StandardCopyOption.ATOMIC_MOVE);
                } catch (java.io.IOException e) {
                    return CompletableFuture.failedFuture(e);
                }
                return CompletableFuture.completedFuture(Json.object().put("MessageId", "1"));
            }
            if (r.resource().endsWith(":slow")) {
                CompletableFuture<JsonNode> f = new CompletableFuture<>();
                ObjectNode out = Json.object().put("v", r.parameters().asInt() * 10);
                timer.schedule(() -> f.complete(out), 100, TimeUnit.MILLISECONDS);
                return f;
            }
            return new CompletableFuture<>(); // hangOnce: in flight when the process dies
        }
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        StepFunctionsEngine engine = StepFunctionsEngine.builder().dataDir(dir).integration(new FirstLife(dir))
                .build();
        engine.start();
        String waitArn = start(engine, create(engine, "wait", WAIT_SM), "{\"n\":1}");
        String tokenArn = start(engine, create(engine, "token", TOKEN_SM), "{\"q\":\"approve?\"}");
        StringBuilder items = new StringBuilder("{\"items\":[");
        for (int i = 1; i <= 20; i++) {
            items.append(i == 1 ? "" : ",").append(i);
        }
        String mapArn = start(engine, create(engine, "map", MAP_SM), items.append("]}").toString());
        String inflightArn = start(engine, create(engine, "inflight", INFLIGHT_SM), "{\"x\":1}");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            JsonNode h = call(engine, "GetExecutionHistory", Json.object().put("executionArn", mapArn)
                    .put("maxResults", 1000));
            int done = 0;
            for (JsonNode e : h.get("events")) {
                if (e.get("type").asText().equals("MapIterationSucceeded")) {
                    done++;
                }
            }
            if (done >= 4 && Files.exists(dir.resolve("token.txt"))) {
                break;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(200_000); // poll (with the deadline above)
        }
        System.out.println("READY " + waitArn + " " + tokenArn + " " + mapArn + " " + inflightArn);
        System.out.flush();
        new CompletableFuture<Void>().get(); // wait for SIGKILL
    }

    static String create(StepFunctionsEngine engine, String name, String definition) {
        return call(engine, "CreateStateMachine", Json.object().put("name", name).put("definition", definition)
                .put("roleArn", "arn:aws:iam::000000000000:role/r")).get("stateMachineArn").asText();
    }

    static String start(StepFunctionsEngine engine, String sm, String input) {
        return call(engine, "StartExecution", Json.object().put("stateMachineArn", sm).put("input", input))
                .get("executionArn").asText();
    }

    static JsonNode call(StepFunctionsEngine engine, String action, JsonNode req) {
        var r = engine.handle(action, Json.bytes(req));
        if (r.status() != 200) {
            throw new IllegalStateException(action + " -> " + r.bodyText());
        }
        return Json.parse(r.body());
    }
}
