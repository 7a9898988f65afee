package dev.skyloom.handlers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skyloom.aws.bedrock.BedrockModelClient;
import dev.skyloom.core.agent.model.ContentBlock;
import dev.skyloom.core.agent.model.Message;
import dev.skyloom.core.agent.model.ModelClient;
import dev.skyloom.core.agent.model.ModelException;
import dev.skyloom.core.agent.model.ModelRequest;
import dev.skyloom.core.agent.model.ModelResponse;
import dev.skyloom.core.agent.model.Role;
import dev.skyloom.core.agent.model.StopReason;
import dev.skyloom.core.agent.model.TokenUsage;
import dev.skyloom.core.agent.model.ToolSpec;
import dev.skyloom.local.cloud.LocalCloud;
import dev.skyloom.local.cloud.LocalCloudConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/** The Bedrock adapter of the model port against the local cloud's model server, which speaks Bedrock's protocol. */
class BedrockModelClientIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final StaticCredentialsProvider CREDENTIALS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));

    @TempDir
    static Path dataDir;
    static LocalCloud cloud;
    static BedrockModelClient model;

    @BeforeAll
    static void start() throws Exception {
        Path models = Files.createDirectories(dataDir.resolve("models"));
        Files.writeString(models.resolve("research.yaml"), """
                agents:
                  researcher:
                    turns:
                      - text: Searching the archive for the three most cited papers on the topic.
                        toolCalls:
                          - name: search
                            input: {query: transformers, limit: 3, weights: [0.5, 1.25]}
                      - text: Done.
                        usage: {inputTokens: 2000, outputTokens: 10, cacheReadInputTokens: 1500, cacheWriteInputTokens: 300}
                  flaky:
                    turns:
                      - text: Recovered.
                        errors:
                          - {type: ServiceUnavailableException}
                          - {type: ModelTimeoutException}
                """);
        Files.writeString(models.resolve("throttled.yaml"), """
                throttle: {firstAttempt: true}
                agents:
                  '*':
                    turns: [{text: after the throttle}]
                    after: repeatLast
                """);
        cloud = new LocalCloud(LocalCloudConfig.ephemeral(dataDir.resolve("cloud"), null).withModelsDir(models))
                .start();
        model = BedrockModelClient.create(cloud.edgeEndpoint(), Region.US_EAST_1, CREDENTIALS);
    }

    @AfterAll
    static void stop() {
        model.close();
        cloud.close();
    }

    static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    static ModelRequest request(String modelId, List<Message> messages, List<ToolSpec> tools,
                                Map<String, String> metadata) {
        return new ModelRequest(modelId, "You are a test agent.", messages, tools, 0.0, 1024, metadata);
    }

    static Map<String, String> scripted(String scenario, String agent, int turn) {
        Map<String, String> metadata = new HashMap<>();
        metadata.put(ModelRequest.META_SCENARIO, scenario);
        metadata.put(ModelRequest.META_AGENT, agent);
        metadata.put(ModelRequest.META_TURN, Integer.toString(turn));
        metadata.put(ModelRequest.META_RUN, UUID.randomUUID().toString());
        metadata.put(ModelRequest.META_STEP, "step-1");
        return metadata;
    }

    @Test
    void converse_defaultModel_callsCompleteStep_thenEndsTurnAfterItsResult() throws Exception {
        ToolSpec completeStep = new ToolSpec("complete_step", "Finish the step", json("""
                {"type":"object","properties":{"text":{"type":"string"},"result":{"type":"string"}},
                 "required":["text"]}"""));
        ModelRequest first = request("skyloom.local", List.of(Message.user("Plan the launch")),
                List.of(completeStep), Map.of());

        ModelResponse call = model.converse(first, ModelClient.StreamListener.NONE);

        assertThat(call.stopReason()).isEqualTo(StopReason.TOOL_USE);
        ContentBlock.ToolUse use = call.message().toolUses().getFirst();
        assertThat(use.name()).isEqualTo("complete_step");
        assertThat(use.input().path("text").asText()).contains("Plan the launch");
        assertThat(use.input().path("result").asText()).isEqualTo("DONE");
        assertThat(call.usage().inputTokens()).isPositive();

        ModelResponse done = model.converse(request("skyloom.local", List.of(Message.user("Plan the launch"),
                call.message(), new Message(Role.USER, List.of(new ContentBlock.ToolResult(use.toolUseId(),
                        "{\"accepted\":true}", false)))), List.of(completeStep), Map.of()),
                ModelClient.StreamListener.NONE);

        assertThat(done.stopReason()).isEqualTo(StopReason.END_TURN);
        assertThat(done.message().text()).contains("Plan the launch");
    }

    @Test
    void converse_streaming_handsTheTextToTheListenerInChunks_andReturnsTheWholeAnswer() throws Exception {
        List<String> chunks = new CopyOnWriteArrayList<>();
        ToolSpec search = new ToolSpec("search", "Search", json("{\"type\":\"object\"}"));

        ModelResponse response = model.converse(request("anthropic.claude-3-haiku", List.of(Message.user("Find papers")),
                List.of(search), scripted("research", "researcher", 1)), chunks::add);

        String text = "Searching the archive for the three most cited papers on the topic.";
        assertThat(chunks.size()).isGreaterThan(1);
        assertThat(String.join("", chunks)).isEqualTo(text);
        assertThat(response.message().text()).isEqualTo(text);
        assertThat(response.stopReason()).isEqualTo(StopReason.TOOL_USE);
        ContentBlock.ToolUse use = response.message().toolUses().getFirst();
        assertThat(use.name()).isEqualTo("search");
        assertThat(use.input()).isEqualTo(json("{\"query\":\"transformers\",\"limit\":3,\"weights\":[0.5,1.25]}"));
    }

    @Test
    void converse_usage_carriesCacheReadAndWriteTokens_withAndWithoutStreaming() {
        TokenUsage expected = new TokenUsage(2000, 10, 1500, 300);
        ModelRequest request = request("skyloom.local", List.of(Message.user("more")), List.of(),
                scripted("research", "researcher", 2));

        assertThat(model.converse(request, ModelClient.StreamListener.NONE).usage()).isEqualTo(expected);
        assertThat(model.converse(request, chunk -> { }).usage()).isEqualTo(expected);
    }

    @Test
    void converse_throttled_isThrottledAtOnce_becauseTheSdkDoesNotRetryIt() {
        for (ModelClient.StreamListener listener : List.<ModelClient.StreamListener>of(ModelClient.StreamListener.NONE,
                chunk -> { })) {
            ModelRequest request = request("skyloom.scenario.throttled", List.of(Message.user("hi")), List.of(),
                    Map.of(ModelRequest.META_RUN, UUID.randomUUID().toString()));

            assertThatThrownBy(() -> model.converse(request, listener))
                    .isInstanceOfSatisfying(ModelException.class, e -> {
                        assertThat(e.kind()).isEqualTo(ModelException.Kind.THROTTLED);
                        assertThat(e.retryable()).isTrue();
                    });
            assertThat(model.converse(request, listener).message().text()).isEqualTo("after the throttle");
        }
    }

    @Test
    void converse_unavailableAndTimedOut_areTransient() {
        ModelRequest request = request("skyloom.local", List.of(Message.user("x")), List.of(),
                scripted("research", "flaky", 1));
        List<ModelException.Kind> kinds = new ArrayList<>();
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                model.converse(request, ModelClient.StreamListener.NONE);
            } catch (ModelException e) {
                kinds.add(e.kind());
            }
        }
        assertThat(kinds).containsExactly(ModelException.Kind.TRANSIENT, ModelException.Kind.TRANSIENT);
        assertThat(model.converse(request, ModelClient.StreamListener.NONE).message().text()).isEqualTo("Recovered.");
    }

    @Test
    void converse_refusedRequestOrUnknownScenario_isInvalid() {
        ModelRequest assistantFirst = request("skyloom.local", List.of(new Message(Role.ASSISTANT,
                List.of(new ContentBlock.Text("hi")))), List.of(), Map.of());
        ModelRequest unknown = request("skyloom.scenario.missing", List.of(Message.user("x")), List.of(), Map.of());

        assertThatThrownBy(() -> model.converse(assistantFirst, ModelClient.StreamListener.NONE))
                .isInstanceOfSatisfying(ModelException.class,
                        e -> assertThat(e.kind()).isEqualTo(ModelException.Kind.INVALID))
                .hasMessageContaining("ValidationException").hasMessageContaining("messages.1.role");
        assertThatThrownBy(() -> model.converse(unknown, chunk -> { }))
                .isInstanceOfSatisfying(ModelException.class,
                        e -> assertThat(e.kind()).isEqualTo(ModelException.Kind.INVALID))
                .hasMessageContaining("The scenario 'missing' does not exist");
    }

    @Test
    void converse_noServer_isTransient() {
        try (BedrockModelClient nowhere = BedrockModelClient.create(URI.create("http://127.0.0.1:9"),
                Region.US_EAST_1, CREDENTIALS)) {
            assertThatThrownBy(() -> nowhere.converse(request("skyloom.local", List.of(Message.user("x")), List.of(),
                    Map.of()), ModelClient.StreamListener.NONE))
                    .isInstanceOfSatisfying(ModelException.class,
                            e -> assertThat(e.kind()).isEqualTo(ModelException.Kind.TRANSIENT));
        }
    }
}
