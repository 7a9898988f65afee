package dev.skyloom.local.sfn.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.local.sfn.ExecutionListener;
import dev.skyloom.local.sfn.SfnResponse;
import dev.skyloom.local.sfn.StepFunctionsEngine;
import dev.skyloom.local.sfn.expr.Json;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** A small client for tests: calls the engine by action name and waits for executions through a listener. */
public final class Sfn implements AutoCloseable {
    public final StepFunctionsEngine engine;
    public final ScriptedIntegration integration;
    private final Map<String, CompletableFuture<String>> done = new ConcurrentHashMap<>();

    private Sfn(Path dir, dev.skyloom.local.sfn.TaskIntegration integration, double timerScale) {
        this.integration = integration instanceof ScriptedIntegration s ? s : new ScriptedIntegration();
        ExecutionListener listener = change -> {
            if (!"RUNNING".equals(change.status())) {
                done.computeIfAbsent(change.executionArn(), k -> new CompletableFuture<>()).complete(change.status());
            } else {
                done.compute(change.executionArn(), (k, v) -> v == null || v.isDone() ? new CompletableFuture<>() : v);
            }
        };
        this.engine = StepFunctionsEngine.builder().dataDir(dir).integration(integration).listener(listener)
                .timerScale(timerScale).build();
        engine.start();
    }

    public static Sfn inMemory() {
        return new Sfn(null, new ScriptedIntegration(), 0.001);
    }

    public static Sfn create(Path dir, dev.skyloom.local.sfn.TaskIntegration integration, double timerScale) {
        return new Sfn(dir, integration, timerScale);
    }

    public SfnResponse raw(String action, JsonNode request) {
        return engine.handle(action, Json.bytes(request));
    }

    public JsonNode call(String action, JsonNode request) {
        SfnResponse r = raw(action, request);
        assertThat(r.status()).as("%s -> %s", action, r.bodyText()).isEqualTo(200);
        return Json.parse(r.body());
    }

    public String createMachine(String name, String definition) {
        return createMachine(name, definition, "STANDARD");
    }

    public String createMachine(String name, String definition, String type) {
        ObjectNode req = Json.object().put("name", name).put("definition", definition)
                .put("roleArn", "arn:aws:iam::000000000000:role/sfn").put("type", type);
        return call("CreateStateMachine", req).get("stateMachineArn").asText();
    }

    public String start(String smArn, String input) {
        ObjectNode req = Json.object().put("stateMachineArn", smArn).put("input", input);
        return call("StartExecution", req).get("executionArn").asText();
    }

    /** Waits (listener-driven, with a deadline) until the execution leaves RUNNING; returns DescribeExecution. */
    public JsonNode await(String executionArn, Duration timeout) {
        CompletableFuture<String> f = done.computeIfAbsent(executionArn, k -> new CompletableFuture<>());
        JsonNode d = describe(executionArn);
        if (!"RUNNING".equals(d.get("status").asText())) {
            return d;
        }
        try {
            f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("execution did not finish within " + timeout + ": " + describe(executionArn)
                    + "\nhistory: " + history(executionArn), e);
        }
        return describe(executionArn);
    }

    public JsonNode describe(String executionArn) {
        return call("DescribeExecution", Json.object().put("executionArn", executionArn));
    }

    public ArrayNode history(String executionArn) {
        ArrayNode all = Json.array();
        String token = null;
        do {
            ObjectNode req = Json.object().put("executionArn", executionArn).put("maxResults", 1000);
            if (token != null) {
                req.put("nextToken", token);
            }
            JsonNode page = call("GetExecutionHistory", req);
            page.get("events").forEach(all::add);
            token = page.path("nextToken").textValue();
        } while (token != null);
        return all;
    }

    public List<String> eventTypes(String executionArn) {
        List<String> types = new ArrayList<>();
        history(executionArn).forEach(e -> types.add(e.get("type").asText()));
        return types;
    }

    @Override
    public void close() {
        engine.close();
    }
}
