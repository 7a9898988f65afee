package dev.skyloom.local.cloud.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * An EventBridge event pattern, parsed and validated once, matched against events as EventBridge does: every field
 * of the pattern must match; a leaf is an array of alternatives (exact values, or content filters: prefix, suffix,
 * equals-ignore-case, wildcard, anything-but, numeric, exists, cidr); {@code $or} takes alternatives of
 * sub-patterns; an array in the event matches when any of its elements does.
 */
public final class EventPattern {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JsonNode pattern;

    private EventPattern(JsonNode pattern) {
        this.pattern = pattern;
    }

    /** Thrown for a pattern EventBridge would refuse with {@code InvalidEventPatternException}. */
    public static final class InvalidPatternException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        InvalidPatternException(String message) {
            super(message);
        }
    }

    public static EventPattern parse(String text) {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (IOException e) {
            throw new InvalidPatternException("Event pattern is not valid JSON: " + e.getMessage());
        }
        if (node == null || !node.isObject() || node.isEmpty()) {
            throw new InvalidPatternException("Event pattern must be a non-empty JSON object");
        }
        validate(node, "");
        return new EventPattern(node);
    }

    private static void validate(JsonNode object, String path) {
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String where = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
            JsonNode value = field.getValue();
            if (field.getKey().equals("$or")) {
                if (!value.isArray() || value.size() < 2) {
                    throw new InvalidPatternException("$or at " + where + " must be an array of at least 2 patterns");
                }
                value.forEach(alternative -> {
                    if (!alternative.isObject()) {
                        throw new InvalidPatternException("each $or alternative at " + where + " must be an object");
                    }
                    validate(alternative, path);
                });
            } else if (value.isObject()) {
                validate(value, where);
            } else if (value.isArray()) {
                if (value.isEmpty()) {
                    throw new InvalidPatternException("Empty arrays are not allowed in an event pattern (at " + where + ")");
                }
                value.forEach(matcher -> validateMatcher(matcher, where));
            } else {
                throw new InvalidPatternException("Match value must be an array or an object (at " + where + ")");
            }
        }
    }

    private static void validateMatcher(JsonNode matcher, String where) {
        if (!matcher.isObject()) {
            return;
        }
        if (matcher.size() != 1) {
            throw new InvalidPatternException("A content filter at " + where + " must have exactly one operator");
        }
        String op = matcher.fieldNames().next();
        JsonNode arg = matcher.get(op);
        switch (op) {
            case "prefix", "suffix", "equals-ignore-case", "wildcard" -> {
                if (!(arg.isTextual() || (arg.isObject() && arg.has("equals-ignore-case")))) {
                    throw new InvalidPatternException(op + " at " + where + " must be a string");
                }
            }
            case "exists" -> {
                if (!arg.isBoolean()) {
                    throw new InvalidPatternException("exists at " + where + " must be true or false");
                }
            }
            case "numeric" -> {
                if (!arg.isArray() || arg.isEmpty() || arg.size() % 2 != 0) {
                    throw new InvalidPatternException("numeric at " + where
                            + " must be pairs of an operator (<, <=, =, >=, >) and a number");
                }
                for (int i = 0; i < arg.size(); i += 2) {
                    if (!List.of("<", "<=", "=", ">=", ">").contains(arg.get(i).asText()) || !arg.get(i + 1).isNumber()) {
                        throw new InvalidPatternException("numeric at " + where
                                + " must be pairs of an operator (<, <=, =, >=, >) and a number");
                    }
                }
            }
            case "anything-but" -> {
                if (!(arg.isTextual() || arg.isNumber() || arg.isArray() || arg.isObject())) {
                    throw new InvalidPatternException("anything-but at " + where
                            + " must be a value, an array of values, or {prefix|suffix|equals-ignore-case}");
                }
            }
            case "cidr" -> {
                if (!arg.isTextual() || !arg.asText().contains("/")) {
                    throw new InvalidPatternException("cidr at " + where + " must be a CIDR block such as 10.0.0.0/24");
                }
            }
            default -> throw new InvalidPatternException("Unrecognized match type " + op + " at " + where
                    + "; valid: prefix, suffix, equals-ignore-case, wildcard, anything-but, numeric, exists, cidr");
        }
    }

    public boolean matches(JsonNode event) {
        return matchObject(pattern, event);
    }

    private static boolean matchObject(JsonNode pattern, JsonNode event) {
        for (Iterator<Map.Entry<String, JsonNode>> it = pattern.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (field.getKey().equals("$or")) {
                boolean any = false;
                for (JsonNode alternative : field.getValue()) {
                    if (matchObject(alternative, event)) {
                        any = true;
                        break;
                    }
                }
                if (!any) {
                    return false;
                }
                continue;
            }
            JsonNode value = event == null ? null : event.get(field.getKey());
            JsonNode expected = field.getValue();
            if (expected.isObject()) {
                if (value == null || !anyElement(value, v -> v.isObject() && matchObject(expected, v))) {
                    return false;
                }
            } else if (!matchLeaf(expected, value)) {
                return false;
            }
        }
        return true;
    }

    private interface NodeTest {
        boolean test(JsonNode node);
    }

    private static boolean anyElement(JsonNode value, NodeTest test) {
        if (value.isArray()) {
            for (JsonNode element : value) {
                if (test.test(element)) {
                    return true;
                }
            }
            return false;
        }
        return test.test(value);
    }

    private static boolean matchLeaf(JsonNode alternatives, JsonNode value) {
        for (JsonNode matcher : alternatives) {
            if (matcher.isObject() && matcher.has("exists")) {
                boolean present = value != null && !(value.isArray() && value.isEmpty());
                if (present == matcher.get("exists").asBoolean()) {
                    return true;
                }
                continue;
            }
            if (value == null) {
                // every filter but exists:false needs the field to be there, anything-but included
                continue;
            }
            if (anyElement(value, v -> matchOne(matcher, v))) {
                return true;
            }
        }
        return false;
    }

    private static boolean matchOne(JsonNode matcher, JsonNode v) {
        if (!matcher.isObject()) {
            if (matcher.isNull()) {
                return v.isNull();
            }
            if (matcher.isNumber() && v.isNumber()) {
                return matcher.decimalValue().compareTo(v.decimalValue()) == 0;
            }
            return matcher.equals(v);
        }
        String op = matcher.fieldNames().next();
        JsonNode arg = matcher.get(op);
        return switch (op) {
            case "prefix" -> v.isTextual() && (arg.isTextual() ? v.textValue().startsWith(arg.textValue())
                    : v.textValue().toLowerCase(Locale.ROOT).startsWith(
                            arg.get("equals-ignore-case").asText().toLowerCase(Locale.ROOT)));
            case "suffix" -> v.isTextual() && (arg.isTextual() ? v.textValue().endsWith(arg.textValue())
                    : v.textValue().toLowerCase(Locale.ROOT).endsWith(
                            arg.get("equals-ignore-case").asText().toLowerCase(Locale.ROOT)));
            case "equals-ignore-case" -> v.isTextual() && v.textValue().equalsIgnoreCase(arg.asText());
            case "wildcard" -> v.isTextual() && wildcard(arg.asText()).matcher(v.textValue()).matches();
            case "numeric" -> v.isNumber() && numeric(arg, v.decimalValue());
            case "cidr" -> v.isTextual() && cidr(arg.asText(), v.textValue());
            case "anything-but" -> !anythingButExcludes(arg, v);
            default -> false;
        };
    }

    private static boolean anythingButExcludes(JsonNode arg, JsonNode v) {
        if (arg.isArray()) {
            for (JsonNode excluded : arg) {
                if (matchOne(excluded, v)) {
                    return true;
                }
            }
            return false;
        }
        if (arg.isObject()) {
            return matchOne(arg, v);
        }
        return matchOne(arg, v);
    }

    private static boolean numeric(JsonNode conditions, BigDecimal value) {
        for (int i = 0; i < conditions.size(); i += 2) {
            int c = value.compareTo(conditions.get(i + 1).decimalValue());
            boolean ok = switch (conditions.get(i).asText()) {
                case "<" -> c < 0;
                case "<=" -> c <= 0;
                case "=" -> c == 0;
                case ">=" -> c >= 0;
                default -> c > 0;
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static Pattern wildcard(String glob) {
        StringBuilder regex = new StringBuilder();
        for (String part : glob.split("\\*", -1)) {
            if (!regex.isEmpty()) {
                regex.append(".*");
            }
            regex.append(Pattern.quote(part));
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }

    private static boolean cidr(String block, String address) {
        try {
            String[] parts = block.split("/");
            byte[] network = InetAddress.getByName(parts[0]).getAddress();
            byte[] candidate = InetAddress.getByName(address).getAddress();
            if (network.length != candidate.length || !address.matches("[0-9a-fA-F.:]+")) {
                return false;
            }
            int bits = Integer.parseInt(parts[1]);
            for (int i = 0; i < network.length && bits > 0; i++, bits -= 8) {
                int mask = bits >= 8 ? 0xFF : (0xFF << (8 - bits)) & 0xFF;
                if ((network[i] & mask) != (candidate[i] & mask)) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException | NumberFormatException e) {
            return false;
        }
    }

}
