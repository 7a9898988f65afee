package dev.skyloom.core.agent.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.skyloom.core.api.Json;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client against an HTTP server on loopback that answers as an OpenAI-compatible server does (the shapes of
 * Ollama's and vLLM's {@code /v1/chat/completions}); the server records what the client sent.
 */
class OpenAiCompatibleModelClientTest {
    private HttpServer server;
    private final AtomicReference<JsonNode> received = new AtomicReference<>();
    private final AtomicReference<String> authorization = new AtomicReference<>();
    private volatile int status = 200;
    private volatile String answer;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/chat/completions", exchange -> {
            received.set(Json.MAPPER.readTree(exchange.getRequestBody()));
            authorization.set(exchange.getRequestHeaders().getFirst("Authorization"));
            byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private OpenAiCompatibleModelClient client(Optional<String> key) {
        return new OpenAiCompatibleModelClient(HttpClient.newHttpClient(),
                URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1"), key, Duration.ofSeconds(5));
    }

    private static ModelRequest request() throws Exception {
        ContentBlock.ToolUse use = new ContentBlock.ToolUse("call_1", "read_file",
                Json.MAPPER.readTree("{\"path\":\"a.txt\"}"));
        return new ModelRequest("llama3.1", "Be brief.", List.of(Message.user("Read a.txt"),
                new Message(Role.ASSISTANT, List.of(new ContentBlock.Text("Reading."), use)),
                new Message(Role.USER, List.of(new ContentBlock.ToolResult("call_1", "hello", false)))),
                List.of(new ToolSpec("read_file", "Reads a file", Json.MAPPER.readTree(
                        "{\"type\":\"object\",\"properties\":{\"path\":{\"type\":\"string\"}}}"))),
                0.3, 256, Map.of());
    }

    @Test
    void toolCallsAndResults_travelAsOpenAiMessages_andTheAnswerMapsBack() throws Exception {
        answer = """
                {"choices":[{"index":0,"finish_reason":"tool_calls","message":{"role":"assistant","content":null,
                 "tool_calls":[{"id":"call_2","type":"function","function":{"name":"complete_step",
                 "arguments":"{\\"text\\":\\"hello\\"}"}}]}}],
                 "usage":{"prompt_tokens":120,"completion_tokens":15,"prompt_tokens_details":{"cached_tokens":20}}}
                """;
        ModelResponse response = client(Optional.of("sk-test")).converse(request(), ModelClient.StreamListener.NONE);

        JsonNode sent = received.get();
        assertThat(authorization.get()).isEqualTo("Bearer sk-test");
        assertThat(sent.path("model").asText()).isEqualTo("llama3.1");
        assertThat(sent.path("max_tokens").asInt()).isEqualTo(256);
        assertThat(sent.path("messages").get(0).path("role").asText()).isEqualTo("system");
        assertThat(sent.path("messages").get(2).path("tool_calls").get(0).path("function").path("arguments").asText())
                .isEqualTo("{\"path\":\"a.txt\"}");
        assertThat(sent.path("messages").get(3).path("role").asText()).isEqualTo("tool");
        assertThat(sent.path("messages").get(3).path("tool_call_id").asText()).isEqualTo("call_1");
        assertThat(sent.path("tools").get(0).path("function").path("parameters").path("type").asText())
                .isEqualTo("object");

        assertThat(response.stopReason()).isEqualTo(StopReason.TOOL_USE);
        ContentBlock.ToolUse use = response.message().toolUses().get(0);
        assertThat(use.name()).isEqualTo("complete_step");
        assertThat(use.input().path("text").asText()).isEqualTo("hello");
        assertThat(response.usage()).isEqualTo(new TokenUsage(100, 15, 20, 0));
    }

    @Test
    void textAnswers_reachTheListener_andStopReasonsMap() throws Exception {
        answer = """
                {"choices":[{"finish_reason":"length","message":{"role":"assistant","content":"Partial"}}],
                 "usage":{"prompt_tokens":5,"completion_tokens":256}}
                """;
        StringBuilder streamed = new StringBuilder();
        ModelResponse response = client(Optional.empty()).converse(request(), streamed::append);
        assertThat(response.stopReason()).isEqualTo(StopReason.MAX_TOKENS);
        assertThat(streamed).hasToString("Partial");
        assertThat(authorization.get()).isNull();
    }

    @Test
    void errors_mapToKindsTheRuntimeActsOn() throws Exception {
        answer = "{\"error\":{\"message\":\"rate limited\"}}";
        status = 429;
        assertThatThrownBy(() -> client(Optional.empty()).converse(request(), ModelClient.StreamListener.NONE))
                .isInstanceOfSatisfying(ModelException.class, e -> assertThat(e.kind())
                        .isEqualTo(ModelException.Kind.THROTTLED)).hasMessageContaining("rate limited");
        status = 404;
        answer = "{\"error\":\"model 'nope' not found\"}";
        assertThatThrownBy(() -> client(Optional.empty()).converse(request(), ModelClient.StreamListener.NONE))
                .isInstanceOfSatisfying(ModelException.class, e -> assertThat(e.kind())
                        .isEqualTo(ModelException.Kind.INVALID)).hasMessageContaining("model 'nope' not found");
        status = 503;
        assertThatThrownBy(() -> client(Optional.empty()).converse(request(), ModelClient.StreamListener.NONE))
                .isInstanceOfSatisfying(ModelException.class, e -> assertThat(e.retryable()).isTrue());
        server.stop(0);
        assertThatThrownBy(() -> client(Optional.empty()).converse(request(), ModelClient.StreamListener.NONE))
                .isInstanceOfSatisfying(ModelException.class, e -> assertThat(e.kind())
                        .isEqualTo(ModelException.Kind.TRANSIENT));
    }
}
