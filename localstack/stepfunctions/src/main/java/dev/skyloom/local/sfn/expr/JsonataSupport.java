package dev.skyloom.local.sfn.expr;

import com.dashjoin.jsonata.JException;
import com.dashjoin.jsonata.Jsonata;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * JSONata expressions of {@code QueryLanguage: JSONata} states, evaluated with com.dashjoin:jsonata. The reserved
 * variable {@code $states} and the workflow variables are bound through a frame; Step Functions' extra functions
 * ($partition, $range, $hash, $random, $uuid, $parse) are bound on every frame.
 */
public final class JsonataSupport {
    private static final Map<String, Jsonata> CACHE = new ConcurrentHashMap<>();

    private JsonataSupport() {
    }

    /** Whether a string is a JSONata expression {@code {% ... %}}. */
    public static boolean isExpression(String s) {
        return s.startsWith("{%") && s.endsWith("%}") && s.length() >= 4;
    }

    public static String body(String s) {
        return s.substring(2, s.length() - 2).trim();
    }

    /** Parses (and caches) an expression; throws {@link IllegalArgumentException} with the parser's message. */
    public static Jsonata compile(String body) {
        Jsonata j = CACHE.get(body);
        if (j != null) {
            return j;
        }
        try {
            j = Jsonata.jsonata(body);
            j.setOutputConvertNulls(false); // keep JSON null (NULL_VALUE) distinct from undefined (null)
        } catch (JException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(String.valueOf(e.getMessage()), e);
        }
        if (body.contains("$eval")) {
            throw new IllegalArgumentException("the function $eval is not supported; use $parse");
        }
        CACHE.putIfAbsent(body, j);
        return j;
    }

    /**
     * Evaluates a compiled expression. {@code states} is the value of {@code $states}. Returns {@code null} when the
     * expression yields nothing (undefined).
     */
    public static JsonNode evaluate(Jsonata expr, String text, ObjectNode states, EvalScope scope, String field) {
        Object result;
        try {
            synchronized (expr) {
                Jsonata.Frame frame = expr.createFrame();
                scope.forEachVariable((name, value) -> {
                    if (frame.lookup(name) == null) {
                        frame.bind(name, toJava(value));
                    }
                });
                frame.bind("states", toJava(states));
                bindFunctions(frame);
                result = expr.evaluate(null, frame);
            }
        } catch (StatesException e) {
            throw e;
        } catch (JException e) {
            throw new StatesException(StatesErrors.QUERY_EVALUATION_ERROR, "An error occurred while evaluating the "
                    + "JSONata expression '" + text + "' specified for the field '" + field + "': " + e.getMessage());
        } catch (RuntimeException | StackOverflowError e) {
            throw new StatesException(StatesErrors.QUERY_EVALUATION_ERROR, "An error occurred while evaluating the "
                    + "JSONata expression '" + text + "' specified for the field '" + field + "': " + e);
        }
        return toJson(result);
    }

    private static void bindFunctions(Jsonata.Frame frame) {
        frame.bind("partition", new Jsonata.JFunction((input, args) -> {
            JsonNode arr = toJson(arg(args, 0));
            JsonNode size = toJson(arg(args, 1));
            return toJava(Intrinsics.apply("States.ArrayPartition", List.of(arr == null ? Json.array() : arr,
                    size == null ? Json.NODES.nullNode() : size)));
        }, null));
        frame.bind("range", new Jsonata.JFunction((input, args) -> toJava(Intrinsics.apply("States.ArrayRange",
                List.of(nn(toJson(arg(args, 0))), nn(toJson(arg(args, 1))), nn(toJson(arg(args, 2)))))), null));
        frame.bind("hash", new Jsonata.JFunction((input, args) -> toJava(Intrinsics.apply("States.Hash",
                List.of(nn(toJson(arg(args, 0))), nn(toJson(arg(args, 1)))))), null));
        frame.bind("random", new Jsonata.JFunction((input, args) -> {
            Object seed = arg(args, 0);
            if (seed instanceof Number n) {
                return new java.util.Random(n.longValue()).nextDouble();
            }
            return java.util.concurrent.ThreadLocalRandom.current().nextDouble();
        }, null));
        frame.bind("uuid", new Jsonata.JFunction((input, args) -> java.util.UUID.randomUUID().toString(), null));
        frame.bind("parse", new Jsonata.JFunction((input, args) -> {
            Object s = arg(args, 0);
            if (!(s instanceof String str)) {
                throw new StatesException(StatesErrors.QUERY_EVALUATION_ERROR, "$parse expects a string");
            }
            try {
                return toJava(Json.parse(str));
            } catch (IllegalArgumentException e) {
                throw new StatesException(StatesErrors.QUERY_EVALUATION_ERROR, "$parse: invalid JSON: "
                        + e.getMessage());
            }
        }, null));
    }

    private static JsonNode nn(JsonNode n) {
        return n == null ? Json.NODES.nullNode() : n;
    }

    private static Object arg(List<?> args, int i) {
        return args != null && args.size() > i ? args.get(i) : null;
    }

    /** Jackson tree to the Java values JSONata works on. */
    public static Object toJava(JsonNode n) {
        if (n == null || n.isMissingNode()) {
            return null;
        }
        switch (n.getNodeType()) {
            case OBJECT: {
                Map<String, Object> m = new LinkedHashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = n.properties().iterator(); it.hasNext();) {
                    Map.Entry<String, JsonNode> e = it.next();
                    m.put(e.getKey(), toJava(e.getValue()));
                }
                return m;
            }
            case ARRAY: {
                List<Object> l = new ArrayList<>(n.size());
                for (JsonNode e : n) {
                    l.add(toJava(e));
                }
                return l;
            }
            case STRING:
                return n.textValue();
            case BOOLEAN:
                return n.booleanValue();
            case NUMBER:
                if (n.isInt()) {
                    return n.intValue();
                }
                if (n.isLong()) {
                    return n.longValue();
                }
                if (n.isBigInteger()) {
                    return n.doubleValue();
                }
                return n.doubleValue();
            case NULL:
                return Jsonata.NULL_VALUE;
            default:
                return n.toString();
        }
    }

    /** JSONata's Java values back to a Jackson tree; {@code null} stands for undefined. */
    public static JsonNode toJson(Object o) {
        if (o == null) {
            return null;
        }
        if (o == Jsonata.NULL_VALUE) {
            return Json.NODES.nullNode();
        }
        if (o instanceof JsonNode j) {
            return j;
        }
        if (o instanceof String s) {
            return Json.text(s);
        }
        if (o instanceof Boolean b) {
            return Json.NODES.booleanNode(b);
        }
        if (o instanceof Number num) {
            if (num instanceof Double d && (d.isNaN() || d.isInfinite())) {
                throw new StatesException(StatesErrors.QUERY_EVALUATION_ERROR,
                        "The JSONata expression returned a number that is not finite");
            }
            if (num instanceof BigDecimal || num instanceof BigInteger) {
                return Json.number(num);
            }
            return Json.number(num);
        }
        if (o instanceof Map<?, ?> m) {
            ObjectNode out = Json.object();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                JsonNode v = toJson(e.getValue());
                if (v != null) {
                    out.set(String.valueOf(e.getKey()), v);
                }
            }
            return out;
        }
        if (o instanceof List<?> l) {
            ArrayNode out = Json.array();
            for (Object e : l) {
                JsonNode v = toJson(e);
                if (v != null) {
                    out.add(v);
                }
            }
            return out;
        }
        if (o instanceof Jsonata.JFunction || o.getClass().getName().startsWith("com.dashjoin.jsonata")) {
            return null; // functions are not JSON values
        }
        return Json.text(String.valueOf(o));
    }
}
