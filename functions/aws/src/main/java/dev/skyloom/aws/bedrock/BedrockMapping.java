package dev.skyloom.aws.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkNumber;
import software.amazon.awssdk.core.document.Document;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.bedrockruntime.model.AccessDeniedException;
import software.amazon.awssdk.services.bedrockruntime.model.ConversationRole;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseRequest;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseResponse;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamRequest;
import software.amazon.awssdk.services.bedrockruntime.model.InferenceConfiguration;
import software.amazon.awssdk.services.bedrockruntime.model.InternalServerException;
import software.amazon.awssdk.services.bedrockruntime.model.ModelNotReadyException;
import software.amazon.awssdk.services.bedrockruntime.model.ModelStreamErrorException;
import software.amazon.awssdk.services.bedrockruntime.model.ModelTimeoutException;
import software.amazon.awssdk.services.bedrockruntime.model.ResourceNotFoundException;
import software.amazon.awssdk.services.bedrockruntime.model.ServiceUnavailableException;
import software.amazon.awssdk.services.bedrockruntime.model.SystemContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ThrottlingException;
import software.amazon.awssdk.services.bedrockruntime.model.Tool;
import software.amazon.awssdk.services.bedrockruntime.model.ToolConfiguration;
import software.amazon.awssdk.services.bedrockruntime.model.ToolResultBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ToolResultContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ToolResultStatus;
import software.amazon.awssdk.services.bedrockruntime.model.ToolUseBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ValidationException;

/** The pure mapping between the model port and Bedrock's Converse shapes, both ways, and of Bedrock's errors. */
final class BedrockMapping {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectMapper JSON = new ObjectMapper();

    private BedrockMapping() {
    }

    // ---------------------------------------------------------------- requests

    static ConverseRequest converseRequest(ModelRequest request) {
        ConverseRequest.Builder builder = ConverseRequest.builder().modelId(request.modelId())
                .messages(messages(request.messages())).inferenceConfig(inference(request));
        if (!request.system().isEmpty()) {
            builder.system(SystemContentBlock.fromText(request.system()));
        }
        if (!request.tools().isEmpty()) {
            builder.toolConfig(tools(request.tools()));
        }
        if (!request.metadata().isEmpty()) {
            // Bedrock refuses an empty map (1 to 16 entries)
            builder.requestMetadata(request.metadata());
        }
        return builder.build();
    }

    static ConverseStreamRequest converseStreamRequest(ModelRequest request) {
        ConverseRequest converse = converseRequest(request);
        ConverseStreamRequest.Builder builder = ConverseStreamRequest.builder().modelId(converse.modelId())
                .messages(converse.messages()).inferenceConfig(converse.inferenceConfig());
        if (converse.hasSystem()) {
            builder.system(converse.system());
        }
        if (converse.toolConfig() != null) {
            builder.toolConfig(converse.toolConfig());
        }
        if (converse.hasRequestMetadata()) {
            builder.requestMetadata(converse.requestMetadata());
        }
        return builder.build();
    }

    private static InferenceConfiguration inference(ModelRequest request) {
        InferenceConfiguration.Builder inference = InferenceConfiguration.builder()
                .maxTokens(request.maxOutputTokens());
        if (request.temperature() != null) {
            inference.temperature(request.temperature().floatValue());
        }
        return inference.build();
    }

    static List<software.amazon.awssdk.services.bedrockruntime.model.Message> messages(List<Message> messages) {
        List<software.amazon.awssdk.services.bedrockruntime.model.Message> out = new ArrayList<>();
        for (Message message : messages) {
            List<software.amazon.awssdk.services.bedrockruntime.model.ContentBlock> blocks = new ArrayList<>();
            for (ContentBlock block : message.content()) {
                blocks.add(switch (block) {
                    case ContentBlock.Text t -> software.amazon.awssdk.services.bedrockruntime.model.ContentBlock
                            .fromText(t.text());
                    case ContentBlock.ToolUse u -> software.amazon.awssdk.services.bedrockruntime.model.ContentBlock
                            .fromToolUse(ToolUseBlock.builder().toolUseId(u.toolUseId()).name(u.name())
                                    .input(document(u.input())).build());
                    case ContentBlock.ToolResult r -> software.amazon.awssdk.services.bedrockruntime.model.ContentBlock
                            .fromToolResult(ToolResultBlock.builder().toolUseId(r.toolUseId())
                                    .content(ToolResultContentBlock.fromText(r.content()))
                                    .status(r.error() ? ToolResultStatus.ERROR : ToolResultStatus.SUCCESS).build());
                });
            }
            out.add(software.amazon.awssdk.services.bedrockruntime.model.Message.builder()
                    .role(message.role() == Role.USER ? ConversationRole.USER : ConversationRole.ASSISTANT)
                    .content(blocks).build());
        }
        return out;
    }

    private static ToolConfiguration tools(List<ToolSpec> tools) {
        List<Tool> out = new ArrayList<>();
        for (ToolSpec tool : tools) {
            out.add(Tool.fromToolSpec(spec -> spec.name(tool.name()).description(tool.description())
                    .inputSchema(schema -> schema.json(document(tool.inputSchema())))));
        }
        return ToolConfiguration.builder().tools(out).build();
    }

    // ---------------------------------------------------------------- responses

    static ModelResponse response(ConverseResponse response, long latencyMs) {
        List<ContentBlock> content = new ArrayList<>();
        for (var block : response.output().message().content()) {
            if (block.text() != null) {
                content.add(new ContentBlock.Text(block.text()));
            } else if (block.toolUse() != null) {
                content.add(new ContentBlock.ToolUse(block.toolUse().toolUseId(), block.toolUse().name(),
                        json(block.toolUse().input())));
            }
            // reasoning, citations, images: not part of the port; the text and tool calls carry the answer
        }
        return new ModelResponse(new Message(Role.ASSISTANT, content), stopReason(response.stopReasonAsString()),
                usage(response.usage()), latencyMs);
    }

    static TokenUsage usage(software.amazon.awssdk.services.bedrockruntime.model.TokenUsage usage) {
        if (usage == null) {
            return TokenUsage.ZERO;
        }
        return new TokenUsage(orZero(usage.inputTokens()), orZero(usage.outputTokens()),
                orZero(usage.cacheReadInputTokens()), orZero(usage.cacheWriteInputTokens()));
    }

    private static long orZero(Integer value) {
        return value == null ? 0 : value;
    }

    /**
     * Bedrock's stop reason. {@code model_context_window_exceeded} is a kind of max tokens; malformed model output
     * or tool use is worth another attempt (models are not deterministic), so it is a transient failure; an
     * unknown value ends the turn.
     */
    static StopReason stopReason(String wire) {
        if (wire == null) {
            return StopReason.END_TURN;
        }
        return switch (wire) {
            case "end_turn" -> StopReason.END_TURN;
            case "tool_use" -> StopReason.TOOL_USE;
            case "max_tokens", "model_context_window_exceeded" -> StopReason.MAX_TOKENS;
            case "stop_sequence" -> StopReason.STOP_SEQUENCE;
            case "guardrail_intervened" -> StopReason.GUARDRAIL_INTERVENED;
            case "content_filtered" -> StopReason.CONTENT_FILTERED;
            case "malformed_model_output", "malformed_tool_use" -> throw new ModelException(
                    ModelException.Kind.TRANSIENT, "Bedrock stopped with " + wire + "; another attempt may succeed");
            default -> StopReason.END_TURN;
        };
    }

    // ---------------------------------------------------------------- errors

    /**
     * The port's error for a failed Bedrock call: throttling is {@code THROTTLED}; timeouts, 5xx, a model not ready
     * and connection failures are {@code TRANSIENT}; validation and unknown models are {@code INVALID}; denied
     * access is {@code ACCESS_DENIED}. Anything that is not an SDK exception is returned as it is (a bug, not a
     * provider failure).
     */
    static RuntimeException error(Throwable failure, String modelId) {
        if (failure instanceof ModelException model) {
            return model;
        }
        String where = "Bedrock model " + modelId + ": ";
        if (failure instanceof AwsServiceException service) {
            String message = where + service.awsErrorDetails().errorCode() + ": "
                    + service.awsErrorDetails().errorMessage();
            ModelException.Kind kind = switch (service) {
                case ThrottlingException e -> ModelException.Kind.THROTTLED;
                case ServiceUnavailableException e -> ModelException.Kind.TRANSIENT;
                case InternalServerException e -> ModelException.Kind.TRANSIENT;
                case ModelTimeoutException e -> ModelException.Kind.TRANSIENT;
                case ModelNotReadyException e -> ModelException.Kind.TRANSIENT;
                case ModelStreamErrorException e -> ModelException.Kind.TRANSIENT;
                case ValidationException e -> ModelException.Kind.INVALID;
                case ResourceNotFoundException e -> ModelException.Kind.INVALID;
                case AccessDeniedException e -> ModelException.Kind.ACCESS_DENIED;
                default -> byStatus(service.statusCode());
            };
            return new ModelException(kind, message, failure);
        }
        if (failure instanceof SdkClientException client) {
            // timeouts (ApiCallTimeoutException, ApiCallAttemptTimeoutException) and I/O failures
            return new ModelException(ModelException.Kind.TRANSIENT, where + client.getMessage(), failure);
        }
        if (failure instanceof RuntimeException runtime) {
            return runtime;
        }
        return new IllegalStateException(where + failure, failure);
    }

    private static ModelException.Kind byStatus(int status) {
        if (status == 429) {
            return ModelException.Kind.THROTTLED;
        }
        if (status == 401 || status == 403) {
            return ModelException.Kind.ACCESS_DENIED;
        }
        if (status == 408 || status >= 500) {
            return ModelException.Kind.TRANSIENT;
        }
        return ModelException.Kind.INVALID;
    }

    // ---------------------------------------------------------------- JSON <-> Document

    static Document document(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return Document.fromNull();
        }
        if (node.isObject()) {
            Map<String, Document> map = new LinkedHashMap<>();
            node.properties().forEach(e -> map.put(e.getKey(), document(e.getValue())));
            return Document.fromMap(map);
        }
        if (node.isArray()) {
            List<Document> list = new ArrayList<>();
            node.forEach(item -> list.add(document(item)));
            return Document.fromList(list);
        }
        if (node.isBoolean()) {
            return Document.fromBoolean(node.booleanValue());
        }
        if (node.isIntegralNumber()) {
            return Document.fromNumber(SdkNumber.fromBigInteger(node.bigIntegerValue()));
        }
        if (node.isNumber()) {
            return Document.fromNumber(SdkNumber.fromBigDecimal(node.decimalValue()));
        }
        return Document.fromString(node.asText());
    }

    static JsonNode json(Document document) {
        if (document == null || document.isNull()) {
            return NODES.nullNode();
        }
        if (document.isMap()) {
            ObjectNode object = NODES.objectNode();
            document.asMap().forEach((key, value) -> object.set(key, json(value)));
            return object;
        }
        if (document.isList()) {
            ArrayNode array = NODES.arrayNode();
            document.asList().forEach(item -> array.add(json(item)));
            return array;
        }
        if (document.isBoolean()) {
            return NODES.booleanNode(document.asBoolean());
        }
        if (document.isNumber()) {
            // the node Jackson would read from the same JSON number (IntNode, LongNode, DoubleNode, ...)
            try {
                return JSON.readTree(document.asNumber().toString());
            } catch (IOException e) {
                throw new IllegalStateException("not a JSON number: " + document.asNumber(), e);
            }
        }
        return NODES.textNode(document.asString());
    }

    /** Tool input streamed as JSON text; an empty stream is an empty object. */
    static JsonNode parseInput(String json, String toolName) {
        if (json.isBlank()) {
            return NODES.objectNode();
        }
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new ModelException(ModelException.Kind.TRANSIENT, "the streamed input of tool " + toolName
                    + " is not JSON: " + e.getMessage(), e);
        }
    }
}
