package dev.skyloom.core.agent.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.core.api.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Chat completions with tools ({@code POST <baseUrl>/chat/completions}) for Ollama, vLLM, LM Studio or any server
 * that speaks the OpenAI API. Messages map one to one: the system prompt becomes a {@code system} message, tool
 * results become {@code tool} messages, tool calls travel as {@code tool_calls} with their arguments as a JSON
 * string. The call is not streamed; a listener receives the whole text once the answer is in.
 */
public final class OpenAiCompatibleModelClient implements ModelClient {
    private final HttpClient http;
    private final URI completions;
    private final Optional<String> apiKey;
    private final Duration timeout;

    /**
     * @param baseUrl the API root, e.g. {@code http://localhost:11434/v1}
     * @param apiKey  sent as {@code Authorization: Bearer}; never logged
     */
    public OpenAiCompatibleModelClient(HttpClient http, URI baseUrl, Optional<String> apiKey, Duration timeout) {
        this.http = http;
        String root = baseUrl.toString();
        this.completions = URI.create((root.endsWith("/") ? root : root + "/") + "chat/completions");
        this.apiKey = apiKey;
        this.timeout = timeout;
    }

    @Override
    public ModelResponse converse(ModelRequest request, StreamListener listener) {
        String body = Json.write(body(request));
        HttpRequest.Builder builder = HttpRequest.newBuilder(completions).timeout(timeout)
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        apiKey.ifPresent(key -> builder.header("Authorization", "Bearer " + key));
        long started = System.nanoTime();
        HttpResponse<String> response;
        try {
            response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (HttpTimeoutException e) {
            throw new ModelException(ModelException.Kind.TRANSIENT, "no answer from " + completions + " within "
                    + timeout.toSeconds() + " s", e);
        } catch (IOException e) {
            throw new ModelException(ModelException.Kind.TRANSIENT, "cannot reach " + completions + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelException(ModelException.Kind.TRANSIENT, "interrupted while calling " + completions, e);
        }
        long latencyMs = (System.nanoTime() - started) / 1_000_000;
        int status = response.statusCode();
        if (status != 200) {
            throw error(status, response.body());
        }
        ModelResponse answer = parse(response.body(), latencyMs);
        String text = answer.message().text();
        if (!text.isEmpty()) {
            listener.onText(text);
        }
        return answer;
    }

    static ObjectNode body(ModelRequest request) {
        ObjectNode body = Json.MAPPER.createObjectNode().put("model", request.modelId())
                .put("max_tokens", request.maxOutputTokens());
        if (request.temperature() != null) {
            body.put("temperature", request.temperature());
        }
        ArrayNode messages = body.putArray("messages");
        if (!request.system().isEmpty()) {
            messages.addObject().put("role", "system").put("content", request.system());
        }
        for (Message message : request.messages()) {
            if (message.role() == Role.ASSISTANT) {
                ObjectNode out = messages.addObject().put("role", "assistant");
                String text = message.text();
                if (text.isEmpty()) {
                    out.putNull("content");
                } else {
                    out.put("content", text);
                }
                List<ContentBlock.ToolUse> uses = message.toolUses();
                if (!uses.isEmpty()) {
                    ArrayNode calls = out.putArray("tool_calls");
                    for (ContentBlock.ToolUse use : uses) {
                        ObjectNode call = calls.addObject().put("id", use.toolUseId()).put("type", "function");
                        call.putObject("function").put("name", use.name()).put("arguments", use.input().toString());
                    }
                }
                continue;
            }
            StringBuilder text = new StringBuilder();
            for (ContentBlock block : message.content()) {
                if (block instanceof ContentBlock.ToolResult result) {
                    messages.addObject().put("role", "tool").put("tool_call_id", result.toolUseId())
                            .put("content", result.error() ? "ERROR: " + result.content() : result.content());
                } else if (block instanceof ContentBlock.Text t) {
                    text.append(text.isEmpty() ? "" : "\n").append(t.text());
                }
            }
            if (!text.isEmpty()) {
                messages.addObject().put("role", "user").put("content", text.toString());
            }
        }
        if (!request.tools().isEmpty()) {
            ArrayNode tools = body.putArray("tools");
            for (ToolSpec spec : request.tools()) {
                ObjectNode function = tools.addObject().put("type", "function").putObject("function");
                function.put("name", spec.name()).put("description", spec.description());
                function.set("parameters", spec.inputSchema());
            }
        }
        return body;
    }

    static ModelResponse parse(String body, long latencyMs) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw new ModelException(ModelException.Kind.TRANSIENT, "the server answered something other than JSON: "
                    + e.getOriginalMessage());
        }
        JsonNode choice = root.path("choices").path(0);
        if (choice.isMissingNode()) {
            throw new ModelException(ModelException.Kind.TRANSIENT, "the answer has no choices");
        }
        JsonNode message = choice.path("message");
        List<ContentBlock> content = new ArrayList<>();
        String text = message.path("content").asText("");
        if (!text.isEmpty()) {
            content.add(new ContentBlock.Text(text));
        }
        for (JsonNode call : message.path("tool_calls")) {
            JsonNode function = call.path("function");
            content.add(new ContentBlock.ToolUse(call.path("id").asText("call_" + content.size()),
                    function.path("name").asText(), arguments(function.path("arguments"))));
        }
        StopReason stop = switch (choice.path("finish_reason").asText("stop")) {
            case "tool_calls", "function_call" -> StopReason.TOOL_USE;
            case "length" -> StopReason.MAX_TOKENS;
            case "content_filter" -> StopReason.CONTENT_FILTERED;
            default -> content.stream().anyMatch(ContentBlock.ToolUse.class::isInstance) ? StopReason.TOOL_USE
                    : StopReason.END_TURN;
        };
        JsonNode usage = root.path("usage");
        long cached = usage.path("prompt_tokens_details").path("cached_tokens").asLong(0);
        TokenUsage tokens = new TokenUsage(Math.max(0, usage.path("prompt_tokens").asLong(0) - cached),
                usage.path("completion_tokens").asLong(0), cached, 0);
        return new ModelResponse(new Message(Role.ASSISTANT, content), stop, tokens, latencyMs);
    }

    /** Arguments arrive as a JSON string (OpenAI) or an object (some servers); anything else is kept for the model to see. */
    private static JsonNode arguments(JsonNode raw) {
        if (raw.isObject()) {
            return raw;
        }
        String text = raw.asText("");
        if (text.isBlank()) {
            return Json.MAPPER.createObjectNode();
        }
        try {
            JsonNode parsed = Json.MAPPER.readTree(text);
            if (parsed != null && parsed.isObject()) {
                return parsed;
            }
        } catch (JsonProcessingException e) {
            // fall through: the tool's schema check tells the model its arguments were not a JSON object
        }
        return Json.MAPPER.createObjectNode().put("_unparsableArguments", text.length() > 2000
                ? text.substring(0, 2000) : text);
    }

    private ModelException error(int status, String body) {
        String message = body;
        try {
            JsonNode root = Json.MAPPER.readTree(body);
            JsonNode error = root.path("error");
            message = error.isTextual() ? error.asText() : error.path("message").asText(body);
        } catch (JsonProcessingException | RuntimeException e) {
            // keep the raw body
        }
        if (message.length() > 500) {
            message = message.substring(0, 500) + "…";
        }
        String text = completions + " answered " + status + ": " + message;
        if (status == 429) {
            return new ModelException(ModelException.Kind.THROTTLED, text);
        }
        if (status == 401 || status == 403) {
            return new ModelException(ModelException.Kind.ACCESS_DENIED, text);
        }
        if (status >= 500 || status == 408) {
            return new ModelException(ModelException.Kind.TRANSIENT, text);
        }
        return new ModelException(ModelException.Kind.INVALID, text);
    }
}
