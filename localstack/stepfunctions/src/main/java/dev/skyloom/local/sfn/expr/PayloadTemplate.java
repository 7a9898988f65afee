package dev.skyloom.local.sfn.expr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A compiled JSONPath payload template (Parameters, ResultSelector, ItemSelector, Assign in JSONPath states):
 * fields whose names end in {@code .$} take the value of a path or an intrinsic function; static subtrees are kept
 * as they are and shared between evaluations.
 */
public abstract sealed class PayloadTemplate {
    private PayloadTemplate() {
    }

    /** Evaluates against {@code input} ($) and the scope ($$, variables). */
    public abstract JsonNode eval(JsonNode input, EvalScope scope);

    /** Whether the template references the context object or variables anywhere (for callers that cache). */
    public abstract boolean isStatic();

    /**
     * Compiles a template. {@code where} is the JSON pointer of the field in the definition, used in messages.
     * Throws {@link IllegalArgumentException} naming the offending field.
     */
    public static PayloadTemplate compile(JsonNode node, String where) {
        if (node.isObject()) {
            List<String> keys = new ArrayList<>();
            List<PayloadTemplate> values = new ArrayList<>();
            boolean allStatic = true;
            for (Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                String k = e.getKey();
                PayloadTemplate v;
                if (k.endsWith(".$")) {
                    if (!e.getValue().isTextual()) {
                        throw new IllegalArgumentException("The value of the field '" + k + "' at " + where
                                + " must be a JSONPath or an intrinsic function call string");
                    }
                    String expr = e.getValue().textValue();
                    k = k.substring(0, k.length() - 2);
                    v = dynamic(expr, where + "/" + e.getKey(), e.getKey());
                } else {
                    v = compile(e.getValue(), where + "/" + k);
                }
                allStatic &= v.isStatic();
                keys.add(k);
                values.add(v);
            }
            if (allStatic) {
                return new Static(node);
            }
            return new Obj(keys.toArray(String[]::new), values.toArray(PayloadTemplate[]::new));
        }
        if (node.isArray()) {
            List<PayloadTemplate> items = new ArrayList<>();
            boolean allStatic = true;
            for (int i = 0; i < node.size(); i++) {
                PayloadTemplate t = compile(node.get(i), where + "/" + i);
                allStatic &= t.isStatic();
                items.add(t);
            }
            if (allStatic) {
                return new Static(node);
            }
            return new Arr(items.toArray(PayloadTemplate[]::new));
        }
        return new Static(node);
    }

    /** Compiles one {@code .$} value: a path or an intrinsic call. */
    public static PayloadTemplate dynamic(String expr, String where, String field) {
        try {
            if (Intrinsics.looksLikeCall(expr)) {
                return new Call(Intrinsics.compile(expr), field);
            }
            if (expr.startsWith("$")) {
                return new Path(JsonPathExpr.compile(expr), field);
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("The value for the field '" + field + "' must be a valid JSONPath or a "
                    + "valid intrinsic function call (" + e.getMessage() + ") at " + where, e);
        }
        throw new IllegalArgumentException("The value for the field '" + field
                + "' must be a valid JSONPath or a valid intrinsic function call at " + where);
    }

    static final class Static extends PayloadTemplate {
        private final JsonNode value;

        Static(JsonNode value) {
            this.value = value;
        }

        @Override
        public JsonNode eval(JsonNode input, EvalScope scope) {
            return value;
        }

        @Override
        public boolean isStatic() {
            return true;
        }
    }

    static final class Obj extends PayloadTemplate {
        private final String[] keys;
        private final PayloadTemplate[] values;

        Obj(String[] keys, PayloadTemplate[] values) {
            this.keys = keys;
            this.values = values;
        }

        @Override
        public JsonNode eval(JsonNode input, EvalScope scope) {
            ObjectNode out = Json.object();
            for (int i = 0; i < keys.length; i++) {
                out.set(keys[i], values[i].eval(input, scope));
            }
            return out;
        }

        @Override
        public boolean isStatic() {
            return false;
        }
    }

    static final class Arr extends PayloadTemplate {
        private final PayloadTemplate[] items;

        Arr(PayloadTemplate[] items) {
            this.items = items;
        }

        @Override
        public JsonNode eval(JsonNode input, EvalScope scope) {
            ArrayNode out = Json.array();
            for (PayloadTemplate t : items) {
                out.add(t.eval(input, scope));
            }
            return out;
        }

        @Override
        public boolean isStatic() {
            return false;
        }
    }

    static final class Path extends PayloadTemplate {
        private final JsonPathExpr path;
        private final String field;

        Path(JsonPathExpr path, String field) {
            this.path = path;
            this.field = field;
        }

        @Override
        public JsonNode eval(JsonNode input, EvalScope scope) {
            JsonNode v = path.read(input, scope);
            if (v == null) {
                String where = switch (path.root()) {
                    case INPUT -> "the input '" + Json.write(input) + "'";
                    case CONTEXT -> "the context object '" + Json.write(scope.context()) + "'";
                    case VARIABLE -> scope.variable(path.variable()) == null
                            ? "the variables: $" + path.variable() + " is not defined"
                            : "the variable $" + path.variable();
                };
                throw StatesException.runtime("The JsonPath argument for the field '" + field
                        + "' could not be found in " + where);
            }
            return v;
        }

        @Override
        public boolean isStatic() {
            return false;
        }
    }

    static final class Call extends PayloadTemplate {
        private final Intrinsics.Call call;

        Call(Intrinsics.Call call, String field) {
            this.call = call;
        }

        @Override
        public JsonNode eval(JsonNode input, EvalScope scope) {
            return call.eval(input, scope);
        }

        @Override
        public boolean isStatic() {
            return false;
        }
    }
}
