package dev.skyloom.local.sfn.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.local.sfn.IntegrationPattern;
import dev.skyloom.local.sfn.TaskFailedException;
import dev.skyloom.local.sfn.TaskIntegration;
import dev.skyloom.local.sfn.TaskRequest;
import dev.skyloom.local.sfn.expr.Json;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test double for the host's service integrations (a fake behind the port, never in the main path): Lambda
 * (function ARN and lambda:invoke), SQS sendMessage and S3 reads, with per-function scripted answers.
 *
 * <p>Function behaviours by name: {@code echo} returns its payload; {@code fail} fails with CustomError;
 * {@code hang} never answers; any other name answers from its script (list of {"return": x} or
 * {"error": e, "cause": c} entries, consumed in order, the last one repeating) or echoes.
 */
public final class ScriptedIntegration implements TaskIntegration {
    private final Map<String, Deque<JsonNode>> scripts = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    public final BlockingQueue<String> tokens = new LinkedBlockingQueue<>();
    public final List<TaskRequest> requests = new CopyOnWriteArrayList<>();
    private final Map<String, JsonNode> objects = new ConcurrentHashMap<>();

    public ScriptedIntegration script(String function, JsonNode answers) {
        Deque<JsonNode> d = new ArrayDeque<>();
        answers.forEach(d::add);
        scripts.put(function, d);
        return this;
    }

    /** Content an s3:getObject ItemReader returns for a bucket/key. */
    public ScriptedIntegration object(String bucket, String key, JsonNode body) {
        objects.put(bucket + "/" + key, body);
        return this;
    }

    public int calls(String function) {
        AtomicInteger c = calls.get(function);
        return c == null ? 0 : c.get();
    }

    @Override
    public boolean supports(String resource) {
        return resource.startsWith("arn:aws:lambda:") || resource.startsWith("arn:aws:states:::lambda:invoke")
                || resource.startsWith("arn:aws:states:::sqs:sendMessage")
                || resource.startsWith("arn:aws:states:::s3:") || resource.startsWith("arn:aws:states:::dynamodb:")
                || resource.startsWith("arn:aws:states:::events:putEvents");
    }

    @Override
    public CompletionStage<JsonNode> invoke(TaskRequest r) {
        requests.add(r);
        if (r.taskToken() != null) {
            tokens.add(r.taskToken());
        }
        String base = r.baseResource();
        if (base.startsWith("arn:aws:states:::sqs:sendMessage")) {
            return CompletableFuture.completedFuture(Json.object().put("MessageId", "m-" + requests.size())
                    .put("MD5OfMessageBody", "00"));
        }
        if (base.startsWith("arn:aws:states:::s3:getObject")) {
            JsonNode p = r.parameters();
            JsonNode body = objects.get(p.path("Bucket").asText() + "/" + p.path("Key").asText());
            if (body == null) {
                return CompletableFuture.failedFuture(new TaskFailedException("S3.NoSuchKeyException", "no object"));
            }
            return CompletableFuture.completedFuture(Json.object().put("Body", body.isTextual() ? body.textValue()
                    : Json.write(body)));
        }
        if (base.startsWith("arn:aws:states:::dynamodb:") || base.startsWith("arn:aws:states:::events:")) {
            return CompletableFuture.completedFuture(Json.object());
        }
        boolean invokeApi = base.startsWith("arn:aws:states:::lambda:invoke");
        String function;
        JsonNode payload;
        if (invokeApi) {
            function = r.parameters().path("FunctionName").asText();
            payload = r.parameters().has("Payload") ? r.parameters().get("Payload") : Json.object();
        } else {
            function = base;
            payload = r.parameters();
        }
        function = function.substring(function.lastIndexOf(':') + 1);
        calls.computeIfAbsent(function, k -> new AtomicInteger()).incrementAndGet();
        if (r.pattern() == IntegrationPattern.WAIT_FOR_TASK_TOKEN) {
            return CompletableFuture.completedFuture(Json.object().put("StatusCode", 202));
        }
        if (function.equals("hang")) {
            return new CompletableFuture<>();
        }
        if (function.equals("fail")) {
            return CompletableFuture.failedFuture(new TaskFailedException("CustomError",
                    "{\"errorMessage\":\"boom\",\"errorType\":\"CustomError\"}"));
        }
        JsonNode answer = null;
        Deque<JsonNode> d = scripts.get(function);
        if (d != null) {
            synchronized (d) {
                answer = d.size() > 1 ? d.poll() : d.peek();
            }
        }
        JsonNode result = payload;
        if (answer != null) {
            if (answer.has("error")) {
                return CompletableFuture.failedFuture(new TaskFailedException(answer.get("error").asText(),
                        answer.path("cause").asText("")));
            }
            if (answer.has("return")) {
                result = answer.get("return");
            }
        }
        if (invokeApi) {
            ObjectNode o = Json.object();
            o.put("ExecutedVersion", "$LATEST");
            o.set("Payload", result);
            o.put("StatusCode", 200);
            return CompletableFuture.completedFuture(o);
        }
        return CompletableFuture.completedFuture(result);
    }
}
