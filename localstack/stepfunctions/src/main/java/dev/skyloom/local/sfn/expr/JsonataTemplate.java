package dev.skyloom.local.sfn.expr;

import com.dashjoin.jsonata.Jsonata;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A compiled value of a JSONata state field (Arguments, Output, Assign, Items, ItemSelector, ...): any JSON where
 * strings of the form {@code {% expression %}} are evaluated and everything else is taken literally.
 */
public abstract sealed class JsonataTemplate {
    private JsonataTemplate() {
    }

    /** Evaluates with {@code $states} bound to {@code states}; {@code null} means undefined. */
    public abstract JsonNode eval(ObjectNode states, EvalScope scope);

    public static JsonataTemplate compile(JsonNode node, String where, String field) {
        if (node.isTextual() && JsonataSupport.isExpression(node.textValue())) {
            String body = JsonataSupport.body(node.textValue());
            try {
                return new Expr(JsonataSupport.compile(body), node.textValue(), field);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("The JSONata expression '" + node.textValue()
                        + "' is not valid (" + e.getMessage() + ") at " + where, e);
            }
        }
        if (node.isObject()) {
            List<String> keys = new ArrayList<>();
            List<JsonataTemplate> vals = new ArrayList<>();
            boolean allStatic = true;
            for (Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonataTemplate t = compile(e.getValue(), where + "/" + e.getKey(), field);
                allStatic &= t instanceof Static;
                keys.add(e.getKey());
                vals.add(t);
            }
            return allStatic ? new Static(node) : new Obj(keys.toArray(String[]::new), vals.toArray(JsonataTemplate[]::new));
        }
        if (node.isArray()) {
            List<JsonataTemplate> items = new ArrayList<>();
            boolean allStatic = true;
            for (int i = 0; i < node.size(); i++) {
                JsonataTemplate t = compile(node.get(i), where + "/" + i, field);
                allStatic &= t instanceof Static;
                items.add(t);
            }
            return allStatic ? new Static(node) : new Arr(items.toArray(JsonataTemplate[]::new));
        }
        return new Static(node);
    }

    static final class Static extends JsonataTemplate {
        private final JsonNode value;

        Static(JsonNode value) {
            this.value = value;
        }

        @Override
        public JsonNode eval(ObjectNode states, EvalScope scope) {
            return value;
        }
    }

    static final class Expr extends JsonataTemplate {
        private final Jsonata expr;
        private final String text;
        private final String field;

        Expr(Jsonata expr, String text, String field) {
            this.expr = expr;
            this.text = text;
            this.field = field;
        }

        @Override
        public JsonNode eval(ObjectNode states, EvalScope scope) {
            JsonNode v = JsonataSupport.evaluate(expr, text, states, scope, field);
            if (v == null) {
                throw new StatesException(StatesErrors.QUERY_EVALUATION_ERROR, "The JSONata expression '" + text
                        + "' specified for the field '" + field + "' returned nothing (undefined).");
            }
            return v;
        }
    }

    static final class Obj extends JsonataTemplate {
        private final String[] keys;
        private final JsonataTemplate[] values;

        Obj(String[] keys, JsonataTemplate[] values) {
            this.keys = keys;
            this.values = values;
        }

        @Override
        public JsonNode eval(ObjectNode states, EvalScope scope) {
            ObjectNode out = Json.object();
            for (int i = 0; i < keys.length; i++) {
                JsonNode v = values[i].eval(states, scope);
                if (v != null) {
                    out.set(keys[i], v);
                }
            }
            return out;
        }
    }

    static final class Arr extends JsonataTemplate {
        private final JsonataTemplate[] items;

        Arr(JsonataTemplate[] items) {
            this.items = items;
        }

        @Override
        public JsonNode eval(ObjectNode states, EvalScope scope) {
            ArrayNode out = Json.array();
            for (JsonataTemplate t : items) {
                JsonNode v = t.eval(states, scope);
                if (v != null) {
                    out.add(v);
                }
            }
            return out;
        }
    }
}
