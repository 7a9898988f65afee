package dev.skyloom.local.sfn.expr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.jayway.jsonpath.Configuration;
import com.jayway.jsonpath.InvalidPathException;
import com.jayway.jsonpath.JsonPath;
import com.jayway.jsonpath.PathNotFoundException;
import com.jayway.jsonpath.spi.json.JacksonJsonNodeJsonProvider;
import com.jayway.jsonpath.spi.mapper.JacksonMappingProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A compiled JSONPath of the Amazon States Language: {@code $...} on the input, {@code $$...} on the context
 * object, or {@code $name...} on a workflow variable. Simple paths (fields and indexes) are walked directly on the
 * Jackson tree; anything else (wildcards, slices, filters, deep scan, unions) is delegated to Jayway JsonPath, the
 * library whose semantics Step Functions follows.
 */
public final class JsonPathExpr {
    public enum Root { INPUT, CONTEXT, VARIABLE }

    private static final Pattern VARIABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Configuration JAYWAY = Configuration.builder()
            .jsonProvider(new JacksonJsonNodeJsonProvider(Json.MAPPER))
            .mappingProvider(new JacksonMappingProvider(Json.MAPPER))
            .build();

    private final String text;
    private final Root root;
    private final String variable;
    private final String relative; // the path relative to the root object, always starting with "$"
    private final List<Object> steps; // String field or Integer index, or null when complex
    private final JsonPath complex;

    private JsonPathExpr(String text, Root root, String variable, String relative, List<Object> steps,
            JsonPath complex) {
        this.text = text;
        this.root = root;
        this.variable = variable;
        this.relative = relative;
        this.steps = steps;
        this.complex = complex;
    }

    /** Compiles a path, throwing {@link IllegalArgumentException} naming what is wrong. */
    public static JsonPathExpr compile(String text) {
        if (text == null || !text.startsWith("$")) {
            throw new IllegalArgumentException("a JSONPath must start with '$'");
        }
        Root root;
        String variable = null;
        String rest;
        if (text.startsWith("$$")) {
            root = Root.CONTEXT;
            rest = text.substring(2);
        } else if (text.length() > 1 && (Character.isLetter(text.charAt(1)) || text.charAt(1) == '_')) {
            root = Root.VARIABLE;
            int i = 1;
            while (i < text.length() && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '_')) {
                i++;
            }
            variable = text.substring(1, i);
            if (!VARIABLE_NAME.matcher(variable).matches()) {
                throw new IllegalArgumentException("invalid variable name '" + variable + "'");
            }
            rest = text.substring(i);
        } else {
            root = Root.INPUT;
            rest = text.substring(1);
        }
        String relative = "$" + rest;
        List<Object> steps = parseSimple(rest);
        JsonPath complex = null;
        if (steps == null) {
            try {
                complex = JsonPath.compile(relative);
            } catch (InvalidPathException | IllegalArgumentException e) {
                throw new IllegalArgumentException("invalid JSONPath '" + text + "': " + e.getMessage(), e);
            }
        }
        return new JsonPathExpr(text, root, variable, relative, steps, complex);
    }

    /** Parses "", ".a.b", "['a'][0]" into steps; returns null when the path needs the full JSONPath engine. */
    private static List<Object> parseSimple(String rest) {
        List<Object> steps = new ArrayList<>();
        int i = 0;
        int n = rest.length();
        while (i < n) {
            char c = rest.charAt(i);
            if (c == '.') {
                if (i + 1 < n && rest.charAt(i + 1) == '.') {
                    return null;
                }
                int j = i + 1;
                while (j < n && rest.charAt(j) != '.' && rest.charAt(j) != '[') {
                    char d = rest.charAt(j);
                    if (d == '*' || d == '(' || d == ')' || d == '@' || d == '?' || d == ' ' || d == ',') {
                        return null;
                    }
                    j++;
                }
                if (j == i + 1) {
                    return null;
                }
                steps.add(rest.substring(i + 1, j));
                i = j;
            } else if (c == '[') {
                int close = rest.indexOf(']', i);
                if (close < 0) {
                    return null;
                }
                String inner = rest.substring(i + 1, close).trim();
                if (inner.length() >= 2 && (inner.charAt(0) == '\'' || inner.charAt(0) == '"')
                        && inner.charAt(inner.length() - 1) == inner.charAt(0)) {
                    String name = inner.substring(1, inner.length() - 1);
                    if (name.indexOf('\'') >= 0 || name.indexOf('"') >= 0 || name.indexOf('\\') >= 0) {
                        return null;
                    }
                    steps.add(name);
                } else if (inner.matches("\\d{1,9}")) {
                    steps.add(Integer.valueOf(inner));
                } else {
                    return null;
                }
                i = close + 1;
            } else {
                return null;
            }
        }
        return List.copyOf(steps);
    }

    public String text() {
        return text;
    }

    public Root root() {
        return root;
    }

    public String variable() {
        return variable;
    }

    /** Whether the path selects at most one node (no wildcard, filter, slice, union or deep scan). */
    public boolean isDefinite() {
        return steps != null || complex.isDefinite();
    }

    /** Whether this is a plain field/index path usable as a ResultPath. */
    public boolean isReferencePath() {
        return steps != null;
    }

    /** Selects from the input, the context object or a variable. Returns {@code null} when nothing is found. */
    public JsonNode read(JsonNode input, EvalScope scope) {
        JsonNode base = switch (root) {
            case INPUT -> input;
            case CONTEXT -> scope.context();
            case VARIABLE -> scope.variable(variable);
        };
        if (base == null) {
            return null;
        }
        return readRelative(base);
    }

    /** Applies the path (ignoring its root) to a document. Returns {@code null} when nothing is found. */
    public JsonNode readRelative(JsonNode base) {
        if (steps != null) {
            JsonNode cur = base;
            for (Object s : steps) {
                if (s instanceof String f) {
                    if (!cur.isObject()) {
                        return null;
                    }
                    cur = cur.get(f);
                } else {
                    if (!cur.isArray()) {
                        return null;
                    }
                    cur = cur.get((Integer) s);
                }
                if (cur == null) {
                    return null;
                }
            }
            return cur;
        }
        try {
            Object r = complex.read(base, JAYWAY);
            if (r == null) {
                return com.fasterxml.jackson.databind.node.NullNode.getInstance();
            }
            return r instanceof JsonNode jn ? jn : Json.MAPPER.valueToTree(r);
        } catch (PathNotFoundException e) {
            return null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * Returns a copy of {@code input} with {@code value} placed at this reference path, creating missing objects
     * along the way. Nodes off the path are shared, not copied.
     */
    public JsonNode write(JsonNode input, JsonNode value) {
        if (steps == null) {
            throw StatesException.runtime("The ResultPath '" + text + "' is not a reference path");
        }
        if (steps.isEmpty()) {
            return value;
        }
        return writeAt(input, 0, value);
    }

    private JsonNode writeAt(JsonNode node, int depth, JsonNode value) {
        Object step = steps.get(depth);
        boolean last = depth == steps.size() - 1;
        if (step instanceof String f) {
            ObjectNode copy;
            if (node == null || node.isNull() || node.isMissingNode()) {
                copy = Json.object();
            } else if (node.isObject()) {
                copy = Json.object();
                copy.setAll((ObjectNode) node);
            } else {
                throw new StatesException(StatesErrors.RUNTIME, "Unable to apply ResultPath '" + text
                        + "' to input: the value at '" + f + "' parent is not an object but " + Json.typeName(node));
            }
            copy.set(f, last ? value : writeAt(node != null && node.isObject() ? node.get(f) : null, depth + 1, value));
            return copy;
        }
        int idx = (Integer) step;
        if (node == null || !node.isArray() || idx >= node.size()) {
            throw new StatesException(StatesErrors.RUNTIME, "Unable to apply ResultPath '" + text
                    + "': index " + idx + " is out of bounds");
        }
        ArrayNode copy = Json.array();
        for (int i = 0; i < node.size(); i++) {
            copy.add(i == idx ? (last ? value : writeAt(node.get(i), depth + 1, value)) : node.get(i));
        }
        return copy;
    }

    @Override
    public String toString() {
        return text;
    }
}
