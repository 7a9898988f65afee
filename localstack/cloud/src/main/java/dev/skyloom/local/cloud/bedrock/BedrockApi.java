package dev.skyloom.local.cloud.bedrock;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.skyloom.local.cloud.edge.ServiceHandler;
import dev.skyloom.local.cloud.http.HttpExchanges;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.eventstream.HeaderValue;
import software.amazon.eventstream.Message;

/**
 * Bedrock runtime's Converse ({@code POST /model/{modelId}/converse}, JSON) and ConverseStream
 * ({@code POST /model/{modelId}/converse-stream}, AWS event-stream frames) on the edge, answered by the
 * {@link LocalModelServer}, and InvokeModel ({@code POST /model/{modelId}/invoke}) for embedding models, answered by
 * {@link EmbeddingModels}. Errors have Bedrock's REST-JSON shape: the code in {@code x-amzn-ErrorType}, the body
 * {@code {"message": ...}}.
 */
public final class BedrockApi implements ServiceHandler {
    private static final Logger LOG = LoggerFactory.getLogger(BedrockApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern ROUTE = Pattern.compile("^/model/([^/]+)/(converse|converse-stream|invoke)$");
    /** Bedrock's request limit is 20 MB; the largest images/documents go in the body base64-encoded. */
    private static final int MAX_BODY = 25 * 1024 * 1024;
    /** Characters of text per streamed delta, and of tool input JSON per streamed chunk. */
    private static final int TEXT_CHUNK = 24;
    private static final int INPUT_CHUNK = 32;

    private final LocalModelServer server;

    public BedrockApi(LocalModelServer server) {
        this.server = server;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        Matcher route = ROUTE.matcher(path);
        if (!route.matches() || !"POST".equals(exchange.getRequestMethod())) {
            error(exchange, 404, "UnknownOperationException", "The local model server serves POST "
                    + "/model/{modelId}/converse, POST /model/{modelId}/converse-stream and (for embedding models) "
                    + "POST /model/{modelId}/invoke; got " + exchange.getRequestMethod() + " " + path);
            return;
        }
        String modelId = URLDecoder.decode(route.group(1), StandardCharsets.UTF_8);
        if (route.group(2).equals("invoke")) {
            invoke(exchange, modelId);
            return;
        }
        boolean stream = route.group(2).equals("converse-stream");
        long t0 = System.nanoTime();
        ModelAnswer answer;
        try {
            JsonNode body;
            try {
                body = JSON.readTree(HttpExchanges.readBody(exchange, MAX_BODY));
            } catch (JacksonException e) {
                throw BedrockException.validation("The request body is not valid JSON: " + e.getOriginalMessage());
            }
            answer = server.answer(ConverseCall.parse(modelId, body));
        } catch (BedrockException e) {
            LOG.debug("model call refused modelId={} code={} message={}", modelId, e.code(), e.getMessage());
            error(exchange, e.status(), e.code(), e.getMessage());
            return;
        }
        sleep(answer.delayMs());
        LOG.debug("model call modelId={} stream={} stopReason={} ms={}", modelId, stream, answer.stopReason(),
                (System.nanoTime() - t0) / 1_000_000);
        if (stream) {
            stream(exchange, answer);
        } else {
            exchange.getResponseHeaders().set("x-amzn-RequestId", UUID.randomUUID().toString());
            HttpExchanges.sendJson(exchange, 200, JSON.writeValueAsString(converseResponse(answer)));
        }
    }

    /** InvokeModel: the embedding models' bodies in and out (JSON, whatever the content type says). */
    private static void invoke(HttpExchange exchange, String modelId) throws IOException {
        JsonNode out;
        try {
            JsonNode body;
            try {
                body = JSON.readTree(HttpExchanges.readBody(exchange, MAX_BODY));
            } catch (JacksonException e) {
                throw BedrockException.validation("Malformed input request: the body is not valid JSON: "
                        + e.getOriginalMessage());
            }
            out = EmbeddingModels.invoke(modelId, body == null ? JSON.missingNode() : body);
        } catch (BedrockException e) {
            LOG.debug("invoke refused modelId={} code={} message={}", modelId, e.code(), e.getMessage());
            error(exchange, e.status(), e.code(), e.getMessage());
            return;
        }
        LOG.debug("invoke modelId={}", modelId);
        exchange.getResponseHeaders().set("x-amzn-RequestId", UUID.randomUUID().toString());
        HttpExchanges.sendJson(exchange, 200, JSON.writeValueAsString(out));
    }

    /** The Converse response body. */
    static ObjectNode converseResponse(ModelAnswer answer) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode message = body.putObject("output").putObject("message").put("role", "assistant");
        ArrayNode content = message.putArray("content");
        for (ModelAnswer.Block block : answer.content()) {
            switch (block) {
                case ModelAnswer.Text t -> content.addObject().put("text", t.text());
                case ModelAnswer.ToolUse u -> content.addObject().putObject("toolUse").put("toolUseId", u.toolUseId())
                        .put("name", u.name()).set("input", u.input());
            }
        }
        body.put("stopReason", answer.stopReason());
        body.set("usage", usage(answer.usage()));
        body.putObject("metrics").put("latencyMs", answer.delayMs());
        return body;
    }

    private static ObjectNode usage(ModelAnswer.Usage usage) {
        ObjectNode node = JSON.createObjectNode().put("inputTokens", usage.inputTokens())
                .put("outputTokens", usage.outputTokens()).put("totalTokens", usage.totalTokens());
        if (usage.cacheReadInputTokens() > 0) {
            node.put("cacheReadInputTokens", usage.cacheReadInputTokens());
        }
        if (usage.cacheWriteInputTokens() > 0) {
            node.put("cacheWriteInputTokens", usage.cacheWriteInputTokens());
        }
        return node;
    }

    private static void stream(HttpExchange exchange, ModelAnswer answer) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/vnd.amazon.eventstream");
        exchange.getResponseHeaders().set("x-amzn-RequestId", UUID.randomUUID().toString());
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            for (Map.Entry<String, ObjectNode> event : events(answer)) {
                frame(event.getKey(), event.getValue()).encode(out);
                out.flush();
            }
        }
        exchange.close();
    }

    /** The ConverseStream events of an answer, in order, as (event type, payload). */
    static List<Map.Entry<String, ObjectNode>> events(ModelAnswer answer) {
        List<Map.Entry<String, ObjectNode>> events = new ArrayList<>();
        events.add(Map.entry("messageStart", JSON.createObjectNode().put("role", "assistant")));
        int index = 0;
        for (ModelAnswer.Block block : answer.content()) {
            switch (block) {
                case ModelAnswer.Text t -> {
                    for (String chunk : chunks(t.text(), TEXT_CHUNK)) {
                        ObjectNode delta = JSON.createObjectNode().put("contentBlockIndex", index);
                        delta.putObject("delta").put("text", chunk);
                        events.add(Map.entry("contentBlockDelta", delta));
                    }
                }
                case ModelAnswer.ToolUse u -> {
                    ObjectNode start = JSON.createObjectNode().put("contentBlockIndex", index);
                    start.putObject("start").putObject("toolUse").put("toolUseId", u.toolUseId()).put("name", u.name());
                    events.add(Map.entry("contentBlockStart", start));
                    for (String chunk : chunks(u.input().toString(), INPUT_CHUNK)) {
                        ObjectNode delta = JSON.createObjectNode().put("contentBlockIndex", index);
                        delta.putObject("delta").putObject("toolUse").put("input", chunk);
                        events.add(Map.entry("contentBlockDelta", delta));
                    }
                }
            }
            events.add(Map.entry("contentBlockStop", JSON.createObjectNode().put("contentBlockIndex", index)));
            index++;
        }
        events.add(Map.entry("messageStop", JSON.createObjectNode().put("stopReason", answer.stopReason())));
        ObjectNode metadata = JSON.createObjectNode();
        metadata.set("usage", usage(answer.usage()));
        metadata.putObject("metrics").put("latencyMs", answer.delayMs());
        events.add(Map.entry("metadata", metadata));
        return events;
    }

    private static List<String> chunks(String text, int size) {
        List<String> chunks = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int end = Math.min(text.length(), start + size);
            // never split a surrogate pair across two deltas
            if (end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
                end++;
            }
            chunks.add(text.substring(start, end));
            start = end;
        }
        return chunks;
    }

    private static Message frame(String eventType, ObjectNode payload) throws IOException {
        Map<String, HeaderValue> headers = new LinkedHashMap<>();
        headers.put(":event-type", HeaderValue.fromString(eventType));
        headers.put(":content-type", HeaderValue.fromString("application/json"));
        headers.put(":message-type", HeaderValue.fromString("event"));
        return new Message(headers, JSON.writeValueAsBytes(payload));
    }

    /** A Bedrock (REST-JSON) error: the SDKs read the code from {@code x-amzn-ErrorType}. */
    static void error(HttpExchange exchange, int status, String code, String message) throws IOException {
        exchange.getResponseHeaders().set("x-amzn-ErrorType", code);
        exchange.getResponseHeaders().set("x-amzn-RequestId", UUID.randomUUID().toString());
        HttpExchanges.sendJson(exchange, status, JSON.writeValueAsString(JSON.createObjectNode()
                .put("message", message)));
    }

    private static void sleep(long millis) {
        if (millis <= 0) {
            return;
        }
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
