package dev.skyloom.local.sfn.expr;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/** Value equality of JSON (numbers compare by value, objects ignore key order). */
public final class JsonCompare {
    private JsonCompare() {
    }

    public static boolean equal(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue()) == 0;
        }
        if (a.getNodeType() != b.getNodeType()) {
            return false;
        }
        if (a.isArray()) {
            if (a.size() != b.size()) {
                return false;
            }
            for (int i = 0; i < a.size(); i++) {
                if (!equal(a.get(i), b.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (a.isObject()) {
            if (a.size() != b.size()) {
                return false;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = a.properties().iterator(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode o = b.get(e.getKey());
                if (o == null || !equal(e.getValue(), o)) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }

    /** A canonical text form: equal values give equal strings. */
    public static String canonical(JsonNode n) {
        StringBuilder sb = new StringBuilder();
        canonical(n, sb);
        return sb.toString();
    }

    private static void canonical(JsonNode n, StringBuilder sb) {
        if (n.isNumber()) {
            sb.append(n.decimalValue().stripTrailingZeros().toPlainString());
        } else if (n.isArray()) {
            sb.append('[');
            for (JsonNode e : n) {
                canonical(e, sb);
                sb.append(',');
            }
            sb.append(']');
        } else if (n.isObject()) {
            TreeMap<String, JsonNode> sorted = new TreeMap<>();
            n.properties().forEach(e -> sorted.put(e.getKey(), e.getValue()));
            sb.append('{');
            sorted.forEach((k, v) -> {
                sb.append(Json.write(Json.text(k))).append(':');
                canonical(v, sb);
                sb.append(',');
            });
            sb.append('}');
        } else {
            sb.append(Json.write(n));
        }
    }
}
