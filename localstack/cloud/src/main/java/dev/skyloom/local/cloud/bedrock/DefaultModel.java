package dev.skyloom.local.cloud.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The deterministic model behind any model id that names no scenario (the default provider of {@code ./skyloom up}
 * uses {@code skyloom.local}). Same request, same answer:
 * <ol>
 *   <li>{@code gate_verdict} offered (and not yet answered) → a call of it with verdict {@code pass};</li>
 *   <li>{@code complete_step} offered and not yet answered → a call of it with a short text derived from the last
 *       user prompt and result {@code DONE};</li>
 *   <li>otherwise → {@code end_turn} with a short text derived from the prompt.</li>
 * </ol>
 * Tool inputs hold only the properties the offered schema defines; its required ones are filled with plausible
 * values of the right JSON type. Usage is a token per four characters, rounded up.
 */
final class DefaultModel {
    static final String GATE_VERDICT = "gate_verdict";
    static final String COMPLETE_STEP = "complete_step";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final int EXCERPT = 80;

    private DefaultModel() {
    }

    static ModelAnswer answer(ConverseCall call) {
        String excerpt = excerpt(call.lastUserPrompt());
        List<ModelAnswer.Block> content;
        String stopReason;
        if (call.tools().containsKey(GATE_VERDICT) && !call.hasResultOf(GATE_VERDICT)) {
            Map<String, JsonNode> preferred = new LinkedHashMap<>();
            preferred.put("verdict", NODES.textNode("pass"));
            preferred.put("reasoning", NODES.textNode("The local model passes every gate (deterministic default)."));
            content = List.of(toolUse(call, 0, GATE_VERDICT, fill(call.tools().get(GATE_VERDICT), preferred, excerpt)));
            stopReason = "tool_use";
        } else if (call.tools().containsKey(COMPLETE_STEP) && !call.hasResultOf(COMPLETE_STEP)) {
            Map<String, JsonNode> preferred = new LinkedHashMap<>();
            preferred.put("text", NODES.textNode("Done: " + excerpt));
            preferred.put("result", NODES.textNode("DONE"));
            content = List.of(toolUse(call, 0, COMPLETE_STEP,
                    fill(call.tools().get(COMPLETE_STEP), preferred, excerpt)));
            stopReason = "tool_use";
        } else {
            content = List.of(new ModelAnswer.Text("Local model answer to: " + excerpt));
            stopReason = "end_turn";
        }
        return new ModelAnswer(content, stopReason, estimate(call, content), 0);
    }

    static ModelAnswer.Usage estimate(ConverseCall call, List<ModelAnswer.Block> content) {
        return new ModelAnswer.Usage(Math.max(1, ModelAnswer.tokens(call.inputChars())),
                ModelAnswer.tokens(ModelAnswer.outputChars(content)), 0, 0);
    }

    /** A tool call whose id is derived from the conversation, so that the same request gets the same id. */
    static ModelAnswer.ToolUse toolUse(ConverseCall call, int index, String name, JsonNode input) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(call.messages().toString().getBytes(StandardCharsets.UTF_8));
            sha.update(("#" + index + "#" + name).getBytes(StandardCharsets.UTF_8));
            return new ModelAnswer.ToolUse("tooluse_" + HexFormat.of().formatHex(sha.digest(), 0, 11), name, input);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The prompt on one line, cut to a short excerpt. A Markdown prompt (Skyloom's agent steps send
     * {@code # Task\n...\n# Context\n...}) gives the text of its first section, without the heading.
     */
    static String excerpt(String prompt) {
        StringBuilder first = new StringBuilder();
        for (String l : prompt.split("\n")) {
            if (l.startsWith("#")) {
                if (!first.toString().isBlank()) {
                    break;
                }
                continue;
            }
            first.append(l).append('\n');
        }
        String line = first.toString().strip().replaceAll("\\s+", " ");
        if (line.isEmpty()) {
            return "(no prompt)";
        }
        return line.length() <= EXCERPT ? line : line.substring(0, EXCERPT - 3) + "...";
    }

    /**
     * An object for {@code schema}: each property it defines gets the preferred value when there is one of the
     * right type, else a plausible value when the property is required; properties it does not define are left out.
     */
    static ObjectNode fill(JsonNode schema, Map<String, JsonNode> preferred, String text) {
        ObjectNode out = NODES.objectNode();
        JsonNode properties = schema.path("properties");
        java.util.Set<String> required = new java.util.HashSet<>();
        schema.path("required").forEach(r -> required.add(r.asText()));
        for (Map.Entry<String, JsonNode> property : properties.properties()) {
            JsonNode value = preferred.get(property.getKey());
            if (value != null && fits(value, property.getValue())) {
                out.set(property.getKey(), value);
            } else if (required.contains(property.getKey())) {
                out.set(property.getKey(), plausible(property.getValue(), text, 0));
            }
        }
        return out;
    }

    private static boolean fits(JsonNode value, JsonNode schema) {
        if (schema.has("enum")) {
            for (JsonNode allowed : schema.get("enum")) {
                if (allowed.equals(value)) {
                    return true;
                }
            }
            return false;
        }
        if (schema.has("const")) {
            return schema.get("const").equals(value);
        }
        String type = type(schema);
        return switch (type) {
            case "string" -> value.isTextual();
            case "integer" -> value.isIntegralNumber();
            case "number" -> value.isNumber();
            case "boolean" -> value.isBoolean();
            case "array" -> value.isArray();
            case "object" -> value.isObject();
            default -> true;
        };
    }

    private static JsonNode plausible(JsonNode schema, String text, int depth) {
        if (schema.has("const")) {
            return schema.get("const");
        }
        if (schema.has("enum") && !schema.get("enum").isEmpty()) {
            return schema.get("enum").get(0);
        }
        return switch (type(schema)) {
            case "integer" -> {
                long minimum = (long) Math.ceil(schema.path("minimum").asDouble(0));
                yield minimum == (int) minimum ? NODES.numberNode((int) minimum) : NODES.numberNode(minimum);
            }
            case "number" -> NODES.numberNode(schema.path("minimum").asDouble(0));
            case "boolean" -> NODES.booleanNode(true);
            case "null" -> NODES.nullNode();
            case "array" -> {
                ArrayNode items = NODES.arrayNode();
                for (int i = 0; i < schema.path("minItems").asInt(0) && depth < 8; i++) {
                    items.add(plausible(schema.path("items"), text, depth + 1));
                }
                yield items;
            }
            case "object" -> depth < 8 ? fill(schema, Map.of(), text) : NODES.objectNode();
            default -> NODES.textNode(text);
        };
    }

    /** The schema's type; the first non-null one of a type list; {@code object} when it only has properties. */
    private static String type(JsonNode schema) {
        JsonNode type = schema.get("type");
        if (type != null && type.isTextual()) {
            return type.asText();
        }
        if (type != null && type.isArray()) {
            for (JsonNode t : type) {
                if (!"null".equals(t.asText())) {
                    return t.asText();
                }
            }
            return "null";
        }
        return schema.has("properties") ? "object" : "string";
    }
}
