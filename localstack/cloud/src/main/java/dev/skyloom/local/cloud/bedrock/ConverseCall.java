package dev.skyloom.local.cloud.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A Converse (or ConverseStream) request, validated the way Bedrock validates it: a malformed one is refused with a
 * {@code ValidationException} that names the field.
 *
 * @param modelId  the model id of the path, URL-decoded
 * @param messages the conversation, as sent
 * @param system   the system prompt's text blocks joined by newlines
 * @param tools    the offered tools' input schemas by tool name, in the order offered
 * @param metadata the {@code requestMetadata} map
 */
record ConverseCall(String modelId, ArrayNode messages, String system, Map<String, JsonNode> tools,
                    Map<String, String> metadata) {
    private static final Set<String> BLOCK_KINDS = Set.of("text", "toolUse", "toolResult", "image", "document",
            "video", "guardContent", "cachePoint", "reasoningContent", "citationsContent");
    private static final Pattern METADATA_KEY = Pattern.compile("[a-zA-Z0-9\\s:_@$#=/+,\\-.]{1,256}");
    private static final Pattern METADATA_VALUE = Pattern.compile("[a-zA-Z0-9\\s:_@$#=/+,\\-.]{0,256}");
    private static final Pattern TOOL_NAME = Pattern.compile("[a-zA-Z0-9_-]{1,64}");

    static ConverseCall parse(String modelId, JsonNode body) {
        if (modelId.isEmpty() || modelId.length() > 2048) {
            throw BedrockException.field("modelId", "Member must have length between 1 and 2048");
        }
        if (body == null || !body.isObject()) {
            throw BedrockException.validation("The request body must be a JSON object");
        }
        JsonNode messages = body.get("messages");
        if (messages == null || messages.isNull()) {
            throw BedrockException.field("messages", "Member must not be null");
        }
        if (!messages.isArray()) {
            throw BedrockException.field("messages", "Member must be a list of messages");
        }
        if (messages.isEmpty()) {
            throw BedrockException.validation("A conversation must start with a user message. Try again with a "
                    + "conversation that starts with a user message (field 'messages' is empty).");
        }
        for (int i = 0; i < messages.size(); i++) {
            checkMessage(messages.get(i), "messages." + (i + 1));
        }
        if (!"user".equals(messages.get(0).path("role").asText())) {
            throw BedrockException.validation("A conversation must start with a user message. Try again with a "
                    + "conversation that starts with a user message (field 'messages.1.role').");
        }
        checkMaxTokens(body.get("inferenceConfig"));
        return new ConverseCall(modelId, (ArrayNode) messages, system(body.get("system")),
                tools(body.get("toolConfig")), metadata(body.get("requestMetadata")));
    }

    private static void checkMessage(JsonNode message, String field) {
        if (!message.isObject()) {
            throw BedrockException.field(field, "Member must be an object with role and content");
        }
        String role = message.path("role").asText("");
        if (!role.equals("user") && !role.equals("assistant")) {
            throw BedrockException.field(field + ".role", "Member must satisfy enum value set: [user, assistant]");
        }
        JsonNode content = message.get("content");
        if (content == null || !content.isArray()) {
            throw BedrockException.field(field + ".content", "Member must not be null and must be a list");
        }
        for (int j = 0; j < content.size(); j++) {
            JsonNode block = content.get(j);
            String blockField = field + ".content." + (j + 1);
            if (!block.isObject() || block.size() != 1 || !BLOCK_KINDS.contains(block.fieldNames().next())) {
                throw BedrockException.field(blockField, "Member must have exactly one of " + BLOCK_KINDS.stream()
                        .sorted().toList());
            }
            if (block.has("text") && !block.get("text").isTextual()) {
                throw BedrockException.field(blockField + ".text", "Member must be a string");
            }
            if (block.has("toolUse")) {
                JsonNode use = block.get("toolUse");
                requireText(use, "toolUseId", blockField + ".toolUse.toolUseId");
                requireText(use, "name", blockField + ".toolUse.name");
                if (!use.path("input").isContainerNode()) {
                    throw BedrockException.field(blockField + ".toolUse.input", "Member must not be null");
                }
            }
            if (block.has("toolResult")) {
                JsonNode result = block.get("toolResult");
                requireText(result, "toolUseId", blockField + ".toolResult.toolUseId");
                if (!result.path("content").isArray()) {
                    throw BedrockException.field(blockField + ".toolResult.content", "Member must not be null");
                }
            }
        }
    }

    private static void requireText(JsonNode node, String name, String field) {
        if (!node.path(name).isTextual() || node.path(name).asText().isEmpty()) {
            throw BedrockException.field(field, "Member must not be null");
        }
    }

    private static String system(JsonNode system) {
        if (system == null || system.isNull()) {
            return "";
        }
        if (!system.isArray()) {
            throw BedrockException.field("system", "Member must be a list of system content blocks");
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < system.size(); i++) {
            JsonNode block = system.get(i);
            if (block.has("text")) {
                if (!block.get("text").isTextual()) {
                    throw BedrockException.field("system." + (i + 1) + ".text", "Member must be a string");
                }
                text.append(text.isEmpty() ? "" : "\n").append(block.get("text").asText());
            }
        }
        return text.toString();
    }

    private static Map<String, JsonNode> tools(JsonNode toolConfig) {
        if (toolConfig == null || toolConfig.isNull()) {
            return Map.of();
        }
        JsonNode tools = toolConfig.get("tools");
        if (tools == null || !tools.isArray() || tools.isEmpty()) {
            throw BedrockException.field("toolConfig.tools", "Member must have length greater than or equal to 1");
        }
        Map<String, JsonNode> byName = new LinkedHashMap<>();
        for (int i = 0; i < tools.size(); i++) {
            String field = "toolConfig.tools." + (i + 1);
            JsonNode spec = tools.get(i).get("toolSpec");
            if (spec == null) {
                if (tools.get(i).has("cachePoint")) {
                    continue;
                }
                throw BedrockException.field(field + ".toolSpec", "Member must not be null");
            }
            String name = spec.path("name").asText("");
            if (!TOOL_NAME.matcher(name).matches()) {
                throw BedrockException.field(field + ".toolSpec.name",
                        "Member must satisfy regular expression pattern: [a-zA-Z0-9_-]{1,64}");
            }
            JsonNode schema = spec.path("inputSchema").get("json");
            if (schema == null || !schema.isObject()) {
                throw BedrockException.field(field + ".toolSpec.inputSchema.json",
                        "Member must not be null and must be a JSON Schema object");
            }
            if (byName.put(name, schema) != null) {
                throw BedrockException.validation("The toolConfig field must have unique tool names; '" + name
                        + "' is offered twice (field '" + field + ".toolSpec.name').");
            }
        }
        return Collections.unmodifiableMap(byName);
    }

    private static Map<String, String> metadata(JsonNode metadata) {
        if (metadata == null || metadata.isNull()) {
            return Map.of();
        }
        if (!metadata.isObject()) {
            throw BedrockException.field("requestMetadata", "Member must be a map of strings to strings");
        }
        if (metadata.size() > 16) {
            throw BedrockException.field("requestMetadata", "Member must have length less than or equal to 16");
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : metadata.properties()) {
            String field = "requestMetadata." + entry.getKey();
            if (!METADATA_KEY.matcher(entry.getKey()).matches()) {
                throw BedrockException.field(field, "Map keys must satisfy constraint: [Member must satisfy regular "
                        + "expression pattern: [a-zA-Z0-9\\s:_@$#=/+,-.]{1,256}]");
            }
            if (!entry.getValue().isTextual() || !METADATA_VALUE.matcher(entry.getValue().asText()).matches()) {
                throw BedrockException.field(field, "Map value must be a string matching "
                        + "[a-zA-Z0-9\\s:_@$#=/+,-.]{0,256}");
            }
            map.put(entry.getKey(), entry.getValue().asText());
        }
        return Collections.unmodifiableMap(map);
    }

    private static void checkMaxTokens(JsonNode inference) {
        if (inference == null || inference.isNull() || !inference.has("maxTokens")) {
            return;
        }
        JsonNode max = inference.get("maxTokens");
        if (!max.canConvertToInt() || !max.isIntegralNumber() || max.asInt() < 1) {
            throw BedrockException.field("inferenceConfig.maxTokens",
                    "Member must have value greater than or equal to 1");
        }
    }

    /** The text of the last user message that has text (tool results are not prompts); empty when none. */
    String lastUserPrompt() {
        for (int i = messages.size() - 1; i >= 0; i--) {
            JsonNode message = messages.get(i);
            if ("user".equals(message.path("role").asText())) {
                StringBuilder text = new StringBuilder();
                for (JsonNode block : message.path("content")) {
                    if (block.has("text")) {
                        text.append(text.isEmpty() ? "" : "\n").append(block.get("text").asText());
                    }
                }
                if (!text.isEmpty()) {
                    return text.toString();
                }
            }
        }
        return "";
    }

    long assistantMessages() {
        long n = 0;
        for (JsonNode message : messages) {
            if ("assistant".equals(message.path("role").asText())) {
                n++;
            }
        }
        return n;
    }

    /** Whether the conversation holds a tool result for a call of {@code toolName}. */
    boolean hasResultOf(String toolName) {
        Set<String> ids = new HashSet<>();
        for (JsonNode message : messages) {
            for (JsonNode block : message.path("content")) {
                JsonNode use = block.get("toolUse");
                if (use != null && toolName.equals(use.path("name").asText())) {
                    ids.add(use.path("toolUseId").asText());
                }
            }
        }
        for (JsonNode message : messages) {
            for (JsonNode block : message.path("content")) {
                JsonNode result = block.get("toolResult");
                if (result != null && ids.contains(result.path("toolUseId").asText())) {
                    return true;
                }
            }
        }
        return false;
    }

    /** What the model "reads": the system prompt, the conversation and the tool schemas, in characters. */
    long inputChars() {
        long chars = system.length() + messages.toString().length();
        for (Map.Entry<String, JsonNode> tool : tools.entrySet()) {
            chars += tool.getKey().length() + tool.getValue().toString().length();
        }
        return chars;
    }

    List<String> toolNames() {
        return List.copyOf(tools.keySet());
    }
}
