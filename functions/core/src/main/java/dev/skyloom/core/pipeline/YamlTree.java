package dev.skyloom.core.pipeline;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.core.api.Json;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Stage 1: YAML parsed into a Jackson tree, remembering the line and column of every node (and of every mapping
 * key) by its path, so later stages can say where a problem is. Duplicate keys are errors here.
 */
final class YamlTree {
    /** A line and column, 1-based. */
    record Location(int line, int column) {
        static final Location NONE = new Location(0, 0);
    }

    private static final java.util.regex.Pattern DUPLICATE = java.util.regex.Pattern.compile(
            "Duplicate field '([^']*)'");
    private final JsonNode root;
    private final Map<String, Location> values;
    private final Map<String, Location> keys;

    private YamlTree(JsonNode root, Map<String, Location> values, Map<String, Location> keys) {
        this.root = root;
        this.values = values;
        this.keys = keys;
    }

    JsonNode root() {
        return root;
    }

    /** Where the value at {@code path} starts. */
    Location at(String path) {
        return values.getOrDefault(path, Location.NONE);
    }

    /** Where the key naming the value at {@code path} is (the value's location for list items and the root). */
    Location keyAt(String path) {
        Location key = keys.get(path);
        return key != null ? key : at(path);
    }

    PipelineError error(String path, String message) {
        Location where = at(path);
        return new PipelineError(path, where.line(), where.column(), message);
    }

    PipelineError keyError(String path, String message) {
        Location where = keyAt(path);
        return new PipelineError(path, where.line(), where.column(), message);
    }

    /** Parses {@code yaml}; a syntax error or a duplicate key is added to {@code errors} and answers null. */
    static YamlTree parse(String yaml, List<PipelineError> errors) {
        Map<String, Location> values = new HashMap<>();
        Map<String, Location> keys = new HashMap<>();
        try (JsonParser parser = Json.YAML.getFactory().createParser(yaml)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                errors.add(new PipelineError("", 0, 0, "is empty: a pipeline is a YAML mapping with id, name and "
                        + "steps"));
                return null;
            }
            JsonNode root = read(parser, "", values, keys, errors);
            if (parser.nextToken() != null) {
                Location where = location(parser.currentTokenLocation());
                errors.add(new PipelineError("", where.line(), where.column(),
                        "holds more than one YAML document; send one pipeline"));
                return null;
            }
            return errors.isEmpty() ? new YamlTree(root, values, keys) : null;
        } catch (JsonProcessingException e) {
            Location where = location(e.getLocation());
            String original = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
            java.util.regex.Matcher duplicate = DUPLICATE.matcher(original);
            if (duplicate.find()) {
                errors.add(new PipelineError("", where.line(), where.column(), "is a duplicate key: \""
                        + abbreviate(duplicate.group(1), 64) + "\" appears twice in one mapping"));
                return null;
            }
            // SnakeYAML says what it was doing and what it found on lines of their own; the rest quotes the input
            String reason = String.join("; ", original.lines().map(String::strip)
                    .filter(l -> l.startsWith("while ") || l.startsWith("found ") || l.startsWith("expected ")
                            || l.startsWith("mapping values") || l.startsWith("could not find"))
                    .map(l -> l.replaceAll("\\s+", " ")).toList());
            errors.add(new PipelineError("", where.line(), where.column(), "is not valid YAML"
                    + (reason.isEmpty() ? "" : ": " + abbreviate(reason, 200))));
            return null;
        } catch (IOException e) {
            errors.add(new PipelineError("", 0, 0, "cannot be read as YAML"));
            return null;
        }
    }

    private static JsonNode read(JsonParser parser, String path, Map<String, Location> values,
                                 Map<String, Location> keys, List<PipelineError> errors) throws IOException {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        values.put(path, location(parser.currentTokenLocation()));
        JsonToken token = parser.currentToken();
        switch (token) {
            case START_OBJECT -> {
                ObjectNode object = nodes.objectNode();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String name = parser.currentName();
                    String child = path.isEmpty() ? name : path + "." + name;
                    Location key = location(parser.currentTokenLocation());
                    parser.nextToken();
                    if (object.has(name)) {
                        errors.add(new PipelineError(child, key.line(), key.column(), "is a duplicate key: \""
                                + name + "\" appears twice in this mapping"));
                        read(parser, child + "#duplicate", values, keys, errors);
                        continue;
                    }
                    keys.put(child, key);
                    object.set(name, read(parser, child, values, keys, errors));
                }
                return object;
            }
            case START_ARRAY -> {
                ArrayNode array = nodes.arrayNode();
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    array.add(read(parser, path + "[" + array.size() + "]", values, keys, errors));
                }
                return array;
            }
            case VALUE_STRING -> {
                return nodes.textNode(parser.getText());
            }
            case VALUE_NUMBER_INT -> {
                return parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                        ? nodes.numberNode(parser.getBigIntegerValue()) : nodes.numberNode(parser.getLongValue());
            }
            case VALUE_NUMBER_FLOAT -> {
                return nodes.numberNode(parser.getDecimalValue());
            }
            case VALUE_TRUE, VALUE_FALSE -> {
                return nodes.booleanNode(token == JsonToken.VALUE_TRUE);
            }
            case VALUE_NULL -> {
                return nodes.nullNode();
            }
            default -> {
                return nodes.textNode(parser.getText());
            }
        }
    }

    private static Location location(JsonLocation location) {
        return location == null || location.getLineNr() < 1 ? Location.NONE
                : new Location(location.getLineNr(), Math.max(1, location.getColumnNr()));
    }

    static String abbreviate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 3) + "...";
    }
}
