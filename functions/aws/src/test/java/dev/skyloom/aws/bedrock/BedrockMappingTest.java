package dev.skyloom.aws.bedrock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skyloom.core.agent.model.ContentBlock;
import dev.skyloom.core.agent.model.Message;
import dev.skyloom.core.agent.model.ModelException;
import dev.skyloom.core.agent.model.ModelRequest;
import dev.skyloom.core.agent.model.ModelResponse;
import dev.skyloom.core.agent.model.Role;
import dev.skyloom.core.agent.model.StopReason;
import dev.skyloom.core.agent.model.TokenUsage;
import dev.skyloom.core.agent.model.ToolSpec;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.bedrockruntime.model.AccessDeniedException;
import software.amazon.awssdk.services.bedrockruntime.model.BedrockRuntimeException;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlockDeltaEvent;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlockStartEvent;
import software.amazon.awssdk.services.bedrockruntime.model.ConversationRole;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseRequest;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseResponse;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamMetadataEvent;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamRequest;
import software.amazon.awssdk.services.bedrockruntime.model.InternalServerException;
import software.amazon.awssdk.services.bedrockruntime.model.MessageStopEvent;
import software.amazon.awssdk.services.bedrockruntime.model.ModelNotReadyException;
import software.amazon.awssdk.services.bedrockruntime.model.ModelTimeoutException;
import software.amazon.awssdk.services.bedrockruntime.model.ResourceNotFoundException;
import software.amazon.awssdk.services.bedrockruntime.model.ServiceUnavailableException;
import software.amazon.awssdk.services.bedrockruntime.model.ThrottlingException;
import software.amazon.awssdk.services.bedrockruntime.model.ToolResultStatus;
import software.amazon.awssdk.services.bedrockruntime.model.ValidationException;

class BedrockMappingTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ModelRequest request(Map<String, String> metadata) {
        JsonNode schema = json("{\"type\":\"object\",\"properties\":{\"q\":{\"type\":\"string\"}},\"required\":[\"q\"]}");
        return new ModelRequest("anthropic.claude-3-haiku", "You review code.", List.of(
                Message.user("Review it"),
                new Message(Role.ASSISTANT, List.of(new ContentBlock.Text("Searching."),
                        new ContentBlock.ToolUse("tu1", "search", json("{\"q\":\"x\",\"n\":3,\"w\":0.5,\"deep\":{\"a\":[1,true,null]}}")))),
                new Message(Role.USER, List.of(new ContentBlock.ToolResult("tu1", "no results", true)))),
                List.of(new ToolSpec("search", "Searches", schema)), 0.2, 512, metadata);
    }

    @Test
    void converseRequest_mapsSystemMessagesToolsInferenceAndMetadata() {
        ConverseRequest request = BedrockMapping.converseRequest(request(Map.of("skyloom:agent", "reviewer")));

        assertThat(request.modelId()).isEqualTo("anthropic.claude-3-haiku");
        assertThat(request.system().getFirst().text()).isEqualTo("You review code.");
        assertThat(request.messages()).hasSize(3);
        assertThat(request.messages().get(1).role()).isEqualTo(ConversationRole.ASSISTANT);
        var use = request.messages().get(1).content().get(1).toolUse();
        assertThat(use.toolUseId()).isEqualTo("tu1");
        assertThat(BedrockMapping.json(use.input()))
                .isEqualTo(json("{\"q\":\"x\",\"n\":3,\"w\":0.5,\"deep\":{\"a\":[1,true,null]}}"));
        var result = request.messages().get(2).content().getFirst().toolResult();
        assertThat(result.status()).isEqualTo(ToolResultStatus.ERROR);
        assertThat(result.content().getFirst().text()).isEqualTo("no results");
        assertThat(request.toolConfig().tools().getFirst().toolSpec().name()).isEqualTo("search");
        assertThat(BedrockMapping.json(request.toolConfig().tools().getFirst().toolSpec().inputSchema().json())
                .path("required").get(0).asText()).isEqualTo("q");
        assertThat(request.inferenceConfig().maxTokens()).isEqualTo(512);
        assertThat(request.inferenceConfig().temperature()).isEqualTo(0.2f);
        assertThat(request.requestMetadata()).containsEntry("skyloom:agent", "reviewer");
    }

    @Test
    void converseRequest_withNoMetadata_sendsNone_becauseBedrockRefusesAnEmptyMap() {
        ConverseRequest request = BedrockMapping.converseRequest(request(Map.of()));
        ConverseStreamRequest stream = BedrockMapping.converseStreamRequest(request(Map.of()));

        assertThat(request.hasRequestMetadata()).isFalse();
        assertThat(stream.hasRequestMetadata()).isFalse();
        assertThat(stream.toolConfig()).isEqualTo(request.toolConfig());
        assertThat(stream.messages()).isEqualTo(request.messages());
    }

    @Test
    void response_mapsTextToolUseStopReasonAndUsageWithCacheTokens() {
        ConverseResponse response = ConverseResponse.builder()
                .output(o -> o.message(m -> m.role(ConversationRole.ASSISTANT).content(
                        software.amazon.awssdk.services.bedrockruntime.model.ContentBlock.fromText("Calling."),
                        software.amazon.awssdk.services.bedrockruntime.model.ContentBlock.fromToolUse(u -> u
                                .toolUseId("tu9").name("search").input(BedrockMapping.document(json("{\"n\":2}")))))))
                .stopReason("tool_use")
                .usage(u -> u.inputTokens(10).outputTokens(5).totalTokens(45).cacheReadInputTokens(20)
                        .cacheWriteInputTokens(10))
                .build();

        ModelResponse mapped = BedrockMapping.response(response, 42);

        assertThat(mapped.message().content()).containsExactly(new ContentBlock.Text("Calling."),
                new ContentBlock.ToolUse("tu9", "search", json("{\"n\":2}")));
        assertThat(mapped.stopReason()).isEqualTo(StopReason.TOOL_USE);
        assertThat(mapped.usage()).isEqualTo(new TokenUsage(10, 5, 20, 10));
        assertThat(mapped.latencyMs()).isEqualTo(42);
        assertThat(BedrockMapping.usage(null)).isEqualTo(TokenUsage.ZERO);
    }

    @Test
    void stopReason_mapsEveryBedrockValue() {
        assertThat(BedrockMapping.stopReason("end_turn")).isEqualTo(StopReason.END_TURN);
        assertThat(BedrockMapping.stopReason("max_tokens")).isEqualTo(StopReason.MAX_TOKENS);
        assertThat(BedrockMapping.stopReason("model_context_window_exceeded")).isEqualTo(StopReason.MAX_TOKENS);
        assertThat(BedrockMapping.stopReason("stop_sequence")).isEqualTo(StopReason.STOP_SEQUENCE);
        assertThat(BedrockMapping.stopReason("guardrail_intervened")).isEqualTo(StopReason.GUARDRAIL_INTERVENED);
        assertThat(BedrockMapping.stopReason("content_filtered")).isEqualTo(StopReason.CONTENT_FILTERED);
        assertThatThrownBy(() -> BedrockMapping.stopReason("malformed_tool_use"))
                .isInstanceOfSatisfying(ModelException.class,
                        e -> assertThat(e.kind()).isEqualTo(ModelException.Kind.TRANSIENT));
    }

    static Stream<Arguments> serviceErrors() {
        return Stream.of(
                Arguments.of(ThrottlingException.builder(), 429, ModelException.Kind.THROTTLED),
                Arguments.of(ServiceUnavailableException.builder(), 503, ModelException.Kind.TRANSIENT),
                Arguments.of(InternalServerException.builder(), 500, ModelException.Kind.TRANSIENT),
                Arguments.of(ModelTimeoutException.builder(), 408, ModelException.Kind.TRANSIENT),
                Arguments.of(ModelNotReadyException.builder(), 429, ModelException.Kind.TRANSIENT),
                Arguments.of(ValidationException.builder(), 400, ModelException.Kind.INVALID),
                Arguments.of(ResourceNotFoundException.builder(), 404, ModelException.Kind.INVALID),
                Arguments.of(AccessDeniedException.builder(), 403, ModelException.Kind.ACCESS_DENIED),
                Arguments.of(BedrockRuntimeException.builder(), 429, ModelException.Kind.THROTTLED),
                Arguments.of(BedrockRuntimeException.builder(), 502, ModelException.Kind.TRANSIENT),
                Arguments.of(BedrockRuntimeException.builder(), 401, ModelException.Kind.ACCESS_DENIED),
                Arguments.of(BedrockRuntimeException.builder(), 413, ModelException.Kind.INVALID));
    }

    @ParameterizedTest
    @MethodSource("serviceErrors")
    void error_mapsServiceExceptionsToKinds(AwsServiceException.Builder builder, int status, ModelException.Kind kind) {
        AwsServiceException failure = builder.statusCode(status).awsErrorDetails(AwsErrorDetails.builder()
                .errorCode("Code" + status).errorMessage("it failed").build()).build();

        RuntimeException mapped = BedrockMapping.error(failure, "m1");

        assertThat(mapped).isInstanceOfSatisfying(ModelException.class, e -> {
            assertThat(e.kind()).isEqualTo(kind);
            assertThat(e.getMessage()).contains("m1", "it failed");
            assertThat(e.getCause()).isSameAs(failure);
        });
    }

    @Test
    void error_clientFailuresAreTransient_andBugsAreNotModelErrors() {
        assertThat(BedrockMapping.error(ApiCallTimeoutException.create(1000), "m"))
                .isInstanceOfSatisfying(ModelException.class,
                        e -> assertThat(e.kind()).isEqualTo(ModelException.Kind.TRANSIENT));
        IllegalStateException bug = new IllegalStateException("bug");
        assertThat(BedrockMapping.error(bug, "m")).isSameAs(bug);
    }

    @Test
    void retryStrategy_retriesOnlyAFailedConnection() {
        assertThat(BedrockModelClient.failedToConnect(SdkClientException.create("x",
                new IOException("connection reset")))).isTrue();
        assertThat(BedrockModelClient.failedToConnect(SdkClientException.create("x",
                new SocketTimeoutException("read timed out")))).isFalse();
        assertThat(BedrockModelClient.failedToConnect(ThrottlingException.builder().statusCode(429).build()))
                .isFalse();
        assertThat(BedrockModelClient.retryStrategy().maxAttempts()).isEqualTo(2);
        assertThat(BedrockModelClient.retryStrategy().useClientDefaults()).as("no SDK conditions added").isFalse();
    }

    @Test
    void streamAccumulator_joinsDeltasIntoTextAndToolCalls_andHandsTextToTheListener() {
        List<String> heard = new ArrayList<>();
        ConverseStreamAccumulator accumulator = new ConverseStreamAccumulator(heard::add);

        accumulator.onDelta(ContentBlockDeltaEvent.builder().contentBlockIndex(0).delta(d -> d.text("Hel")).build());
        accumulator.onDelta(ContentBlockDeltaEvent.builder().contentBlockIndex(0).delta(d -> d.text("lo")).build());
        accumulator.onStart(ContentBlockStartEvent.builder().contentBlockIndex(1)
                .start(s -> s.toolUse(t -> t.toolUseId("tu2").name("search"))).build());
        accumulator.onDelta(ContentBlockDeltaEvent.builder().contentBlockIndex(1)
                .delta(d -> d.toolUse(t -> t.input("{\"q\":"))).build());
        accumulator.onDelta(ContentBlockDeltaEvent.builder().contentBlockIndex(1)
                .delta(d -> d.toolUse(t -> t.input("\"x\"}"))).build());
        accumulator.onStop(MessageStopEvent.builder().stopReason("tool_use").build());
        accumulator.onMetadata(ConverseStreamMetadataEvent.builder()
                .usage(u -> u.inputTokens(3).outputTokens(4).totalTokens(7)).build());

        ModelResponse response = accumulator.response(9);

        assertThat(heard).containsExactly("Hel", "lo");
        assertThat(response.message().content()).containsExactly(new ContentBlock.Text("Hello"),
                new ContentBlock.ToolUse("tu2", "search", json("{\"q\":\"x\"}")));
        assertThat(response.stopReason()).isEqualTo(StopReason.TOOL_USE);
        assertThat(response.usage()).isEqualTo(new TokenUsage(3, 4, 0, 0));
    }

    @Test
    void streamAccumulator_toolWithMalformedInput_isATransientFailure() {
        ConverseStreamAccumulator accumulator = new ConverseStreamAccumulator(chunk -> { });
        accumulator.onStart(ContentBlockStartEvent.builder().contentBlockIndex(0)
                .start(s -> s.toolUse(t -> t.toolUseId("tu").name("search"))).build());
        accumulator.onDelta(ContentBlockDeltaEvent.builder().contentBlockIndex(0)
                .delta(d -> d.toolUse(t -> t.input("{\"q\":"))).build());
        accumulator.onStop(MessageStopEvent.builder().stopReason("tool_use").build());

        assertThatThrownBy(() -> accumulator.response(1)).isInstanceOfSatisfying(ModelException.class,
                e -> assertThat(e.kind()).isEqualTo(ModelException.Kind.TRANSIENT));
    }
}
