package dev.skyloom.core.agent.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;

/** JSON helpers of the tools: schemas written as JSON text, results written as compact JSON. */
public final class ToolJson {
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private ToolJson() {
    }

    /** Parses a schema or a document written in the source; a typo there is a programming error. */
    public static JsonNode parse(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("invalid JSON in source: " + e.getOriginalMessage(), e);
        }
    }

    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The text of a string field, or null when it is absent or null. */
    static String text(JsonNode input, String field) {
        JsonNode node = input.get(field);
        return node == null || node.isNull() ? null : node.asText();
    }

    static int integer(JsonNode input, String field, int fallback) {
        JsonNode node = input.get(field);
        return node == null || node.isNull() ? fallback : node.asInt();
    }
}
