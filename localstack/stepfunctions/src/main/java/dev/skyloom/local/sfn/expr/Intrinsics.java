package dev.skyloom.local.sfn.expr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The intrinsic functions of the Amazon States Language ({@code States.Format}, {@code States.Array}, ...):
 * a parser that compiles a call once, and the functions themselves.
 */
public final class Intrinsics {
    /** Number of arguments each function takes: {min, max}; max -1 means variadic. */
    private static final Map<String, int[]> ARITY = Map.ofEntries(
            Map.entry("States.Format", new int[] {1, -1}),
            Map.entry("States.StringToJson", new int[] {1, 1}),
            Map.entry("States.JsonToString", new int[] {1, 1}),
            Map.entry("States.Array", new int[] {0, -1}),
            Map.entry("States.ArrayPartition", new int[] {2, 2}),
            Map.entry("States.ArrayContains", new int[] {2, 2}),
            Map.entry("States.ArrayRange", new int[] {3, 3}),
            Map.entry("States.ArrayGetItem", new int[] {2, 2}),
            Map.entry("States.ArrayLength", new int[] {1, 1}),
            Map.entry("States.ArrayUnique", new int[] {1, 1}),
            Map.entry("States.Base64Encode", new int[] {1, 1}),
            Map.entry("States.Base64Decode", new int[] {1, 1}),
            Map.entry("States.Hash", new int[] {2, 2}),
            Map.entry("States.JsonMerge", new int[] {3, 3}),
            Map.entry("States.MathRandom", new int[] {2, 3}),
            Map.entry("States.MathAdd", new int[] {2, 2}),
            Map.entry("States.StringSplit", new int[] {2, 2}),
            Map.entry("States.UUID", new int[] {0, 0}));

    private Intrinsics() {
    }

    /** An argument of an intrinsic call. */
    public sealed interface Arg permits Literal, PathArg, Call {
        JsonNode eval(JsonNode input, EvalScope scope);
    }

    public record Literal(JsonNode value) implements Arg {
        @Override
        public JsonNode eval(JsonNode input, EvalScope scope) {
            return value;
        }
    }

    public record PathArg(JsonPathExpr path) implements Arg {
        @Override
        public JsonNode eval(JsonNode input, EvalScope scope) {
            JsonNode v = path.read(input, scope);
            if (v == null) {
                throw StatesException.runtime("The JsonPath argument '" + path.text()
                        + "' of an intrinsic function could not be found in the input '" + Json.write(input) + "'");
            }
            return v;
        }
    }

    /** A compiled call such as {@code States.Format('{}', $.x)}. */
    public record Call(String name, List<Arg> args) implements Arg {
        @Override
        public JsonNode eval(JsonNode input, EvalScope scope) {
            List<JsonNode> values = new ArrayList<>(args.size());
            for (Arg a : args) {
                values.add(a.eval(input, scope));
            }
            return apply(name, values);
        }
    }

    /** Whether a {@code .$} value is an intrinsic call rather than a path. */
    public static boolean looksLikeCall(String s) {
        return s.startsWith("States.");
    }

    /** Compiles a call, throwing {@link IllegalArgumentException} that says what is wrong. */
    public static Call compile(String text) {
        Parser p = new Parser(text);
        Call c = p.call();
        p.skipWs();
        if (p.pos != text.length()) {
            throw new IllegalArgumentException("unexpected '" + text.substring(p.pos) + "' after the intrinsic function call");
        }
        return c;
    }

    private static final class Parser {
        final String s;
        int pos;

        Parser(String s) {
            this.s = s;
        }

        void skipWs() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        Call call() {
            skipWs();
            int open = s.indexOf('(', pos);
            if (open < 0) {
                throw new IllegalArgumentException("expected '(' after the function name");
            }
            String name = s.substring(pos, open).trim();
            int[] arity = ARITY.get(name);
            if (arity == null) {
                throw new IllegalArgumentException("unknown intrinsic function '" + name + "'; valid ones are "
                        + new java.util.TreeSet<>(ARITY.keySet()));
            }
            pos = open + 1;
            List<Arg> args = new ArrayList<>();
            skipWs();
            if (pos < s.length() && s.charAt(pos) == ')') {
                pos++;
            } else {
                while (true) {
                    args.add(arg());
                    skipWs();
                    if (pos >= s.length()) {
                        throw new IllegalArgumentException("missing ')' in intrinsic function call " + name);
                    }
                    char c = s.charAt(pos++);
                    if (c == ')') {
                        break;
                    }
                    if (c != ',') {
                        throw new IllegalArgumentException("expected ',' or ')' in the arguments of " + name);
                    }
                }
            }
            if (args.size() < arity[0] || (arity[1] >= 0 && args.size() > arity[1])) {
                throw new IllegalArgumentException(name + " takes " + (arity[1] == arity[0] ? "" + arity[0]
                        : arity[1] < 0 ? "at least " + arity[0] : arity[0] + " to " + arity[1])
                        + " arguments but got " + args.size());
            }
            return new Call(name, List.copyOf(args));
        }

        Arg arg() {
            skipWs();
            if (pos >= s.length()) {
                throw new IllegalArgumentException("missing argument");
            }
            char c = s.charAt(pos);
            if (c == '\'') {
                StringBuilder sb = new StringBuilder();
                pos++;
                while (true) {
                    if (pos >= s.length()) {
                        throw new IllegalArgumentException("unterminated string literal");
                    }
                    char d = s.charAt(pos++);
                    if (d == '\\') {
                        if (pos >= s.length()) {
                            throw new IllegalArgumentException("dangling escape in string literal");
                        }
                        char e = s.charAt(pos++);
                        // \' \{ \} \\ keep the escaped character; braces keep their backslash so Format treats
                        // them as literal braces.
                        if (e == '{' || e == '}') {
                            sb.append('\\').append(e);
                        } else {
                            sb.append(e);
                        }
                    } else if (d == '\'') {
                        break;
                    } else {
                        sb.append(d);
                    }
                }
                return new Literal(Json.text(sb.toString()));
            }
            if (c == '$') {
                int start = pos;
                int depth = 0;
                boolean quoted = false;
                char q = 0;
                while (pos < s.length()) {
                    char d = s.charAt(pos);
                    if (quoted) {
                        if (d == q) {
                            quoted = false;
                        }
                    } else if (d == '\'' || d == '"') {
                        quoted = true;
                        q = d;
                    } else if (d == '[' || d == '(') {
                        depth++;
                    } else if (d == ']' || (d == ')' && depth > 0)) {
                        depth--;
                    } else if ((d == ',' || d == ')') && depth == 0) {
                        break;
                    }
                    pos++;
                }
                String path = s.substring(start, pos).trim();
                return new PathArg(JsonPathExpr.compile(path));
            }
            if (s.startsWith("States.", pos)) {
                return call();
            }
            int start = pos;
            while (pos < s.length() && s.charAt(pos) != ',' && s.charAt(pos) != ')') {
                pos++;
            }
            String tok = s.substring(start, pos).trim();
            if (tok.equals("true") || tok.equals("false") || tok.equals("null")) {
                return new Literal(Json.parse(tok));
            }
            try {
                return new Literal(Json.number(new BigDecimal(tok)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("invalid argument '" + tok
                        + "': expected a quoted string, a number, true, false, null, a path or a function call");
            }
        }
    }

    /**
     * A failing intrinsic function fails the state like any other payload-template error: States.Runtime (as Step
     * Functions reports it; the specification's States.IntrinsicFailure is kept for ErrorEquals only).
     */
    private static StatesException failure(String message) {
        return StatesException.runtime("The evaluation of an intrinsic function failed: " + message);
    }

    static JsonNode apply(String name, List<JsonNode> a) {
        switch (name) {
            case "States.Format": {
                String tpl = str(name, a.get(0));
                StringBuilder out = new StringBuilder();
                int argi = 1;
                for (int i = 0; i < tpl.length(); i++) {
                    char c = tpl.charAt(i);
                    if (c == '\\' && i + 1 < tpl.length() && (tpl.charAt(i + 1) == '{' || tpl.charAt(i + 1) == '}'
                            || tpl.charAt(i + 1) == '\\' || tpl.charAt(i + 1) == '\'')) {
                        out.append(tpl.charAt(++i));
                    } else if (c == '{' && i + 1 < tpl.length() && tpl.charAt(i + 1) == '}') {
                        if (argi >= a.size()) {
                            throw failure("Number of arguments in States.Format do not match the number of placeholders");
                        }
                        JsonNode v = a.get(argi++);
                        out.append(v.isTextual() ? v.textValue() : Json.write(v));
                        i++;
                    } else {
                        out.append(c);
                    }
                }
                if (argi != a.size()) {
                    throw failure("Number of arguments in States.Format do not match the number of placeholders");
                }
                return Json.text(out.toString());
            }
            case "States.StringToJson": {
                String s = str(name, a.get(0));
                try {
                    return Json.parse(s);
                } catch (IllegalArgumentException e) {
                    throw failure("States.StringToJson: the argument is not valid JSON: " + e.getMessage());
                }
            }
            case "States.JsonToString":
                return Json.text(Json.write(a.get(0)));
            case "States.Array": {
                ArrayNode arr = Json.array();
                a.forEach(arr::add);
                return arr;
            }
            case "States.ArrayPartition": {
                JsonNode arr = arr(name, a.get(0));
                int size = integer(name, a.get(1));
                if (size <= 0) {
                    throw failure("States.ArrayPartition: the chunk size must be greater than 0, got " + size);
                }
                ArrayNode out = Json.array();
                ArrayNode cur = null;
                for (int i = 0; i < arr.size(); i++) {
                    if (i % size == 0) {
                        cur = out.addArray();
                    }
                    cur.add(arr.get(i));
                }
                return out;
            }
            case "States.ArrayContains": {
                JsonNode arr = arr(name, a.get(0));
                for (JsonNode e : arr) {
                    if (JsonCompare.equal(e, a.get(1))) {
                        return Json.NODES.booleanNode(true);
                    }
                }
                return Json.NODES.booleanNode(false);
            }
            case "States.ArrayRange": {
                int start = integer(name, a.get(0));
                int end = integer(name, a.get(1));
                int step = integer(name, a.get(2));
                if (step == 0) {
                    throw failure("States.ArrayRange: the step must not be 0");
                }
                ArrayNode out = Json.array();
                for (long v = start; step > 0 ? v <= end : v >= end; v += step) {
                    if (out.size() >= 1000) {
                        throw failure("States.ArrayRange: the result would have more than 1000 items");
                    }
                    out.add(v);
                }
                return out;
            }
            case "States.ArrayGetItem": {
                JsonNode arr = arr(name, a.get(0));
                int idx = integer(name, a.get(1));
                if (idx < 0 || idx >= arr.size()) {
                    throw failure("States.ArrayGetItem: index " + idx + " is out of bounds for an array of length "
                            + arr.size());
                }
                return arr.get(idx);
            }
            case "States.ArrayLength":
                return Json.NODES.numberNode(arr(name, a.get(0)).size());
            case "States.ArrayUnique": {
                JsonNode arr = arr(name, a.get(0));
                ArrayNode out = Json.array();
                Set<String> seen = new LinkedHashSet<>();
                for (JsonNode e : arr) {
                    if (seen.add(JsonCompare.canonical(e))) {
                        out.add(e);
                    }
                }
                return out;
            }
            case "States.Base64Encode": {
                String s = str(name, a.get(0));
                if (s.length() > 10_000) {
                    throw failure("States.Base64Encode: the input must be at most 10000 characters");
                }
                return Json.text(Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8)));
            }
            case "States.Base64Decode": {
                String s = str(name, a.get(0));
                if (s.length() > 10_000) {
                    throw failure("States.Base64Decode: the input must be at most 10000 characters");
                }
                try {
                    return Json.text(new String(Base64.getDecoder().decode(s), StandardCharsets.UTF_8));
                } catch (IllegalArgumentException e) {
                    throw failure("States.Base64Decode: the input is not valid Base64: " + e.getMessage());
                }
            }
            case "States.Hash": {
                JsonNode data = a.get(0);
                String text = data.isTextual() ? data.textValue() : Json.write(data);
                String algo = str(name, a.get(1));
                String jca = switch (algo) {
                    case "MD5" -> "MD5";
                    case "SHA-1" -> "SHA-1";
                    case "SHA-256" -> "SHA-256";
                    case "SHA-384" -> "SHA-384";
                    case "SHA-512" -> "SHA-512";
                    default -> throw failure("States.Hash: unsupported algorithm '" + algo
                            + "'; valid ones are MD5, SHA-1, SHA-256, SHA-384, SHA-512");
                };
                if (text.length() > 10_000) {
                    throw failure("States.Hash: the input must be at most 10000 characters");
                }
                try {
                    byte[] d = MessageDigest.getInstance(jca).digest(text.getBytes(StandardCharsets.UTF_8));
                    return Json.text(HexFormat.of().formatHex(d));
                } catch (NoSuchAlgorithmException e) {
                    throw failure(e.getMessage());
                }
            }
            case "States.JsonMerge": {
                JsonNode x = a.get(0);
                JsonNode y = a.get(1);
                if (!x.isObject() || !y.isObject()) {
                    throw failure("States.JsonMerge: both arguments must be JSON objects");
                }
                if (!a.get(2).isBoolean()) {
                    throw failure("States.JsonMerge: the third argument must be a boolean");
                }
                if (a.get(2).booleanValue()) {
                    throw failure("States.JsonMerge: deep merging is not supported; the third argument must be false");
                }
                ObjectNode out = Json.object();
                out.setAll((ObjectNode) x);
                out.setAll((ObjectNode) y);
                return out;
            }
            case "States.MathRandom": {
                int start = rounded(name, a.get(0));
                int end = rounded(name, a.get(1));
                if (end < start) {
                    throw failure("States.MathRandom: the end must not be smaller than the start");
                }
                Random rnd = a.size() == 3 ? new Random(integer(name, a.get(2))) : ThreadLocalRandom.current();
                return Json.NODES.numberNode(start + rnd.nextInt(end - start + 1)); // both bounds inclusive
            }
            case "States.MathAdd": {
                long x = integer(name, a.get(0));
                long y = integer(name, a.get(1));
                return Json.number(x + y);
            }
            case "States.StringSplit": {
                String s = str(name, a.get(0));
                String delims = str(name, a.get(1));
                ArrayNode out = Json.array();
                StringBuilder cur = new StringBuilder();
                for (int i = 0; i < s.length(); i++) {
                    char c = s.charAt(i);
                    if (delims.indexOf(c) >= 0) {
                        if (cur.length() > 0) {
                            out.add(cur.toString());
                        }
                        cur.setLength(0);
                    } else {
                        cur.append(c);
                    }
                }
                if (cur.length() > 0) {
                    out.add(cur.toString());
                }
                return out;
            }
            case "States.UUID":
                return Json.text(UUID.randomUUID().toString());
            default:
                throw failure("unknown intrinsic function " + name);
        }
    }

    private static String str(String fn, JsonNode n) {
        if (!n.isTextual()) {
            throw failure(fn + ": expected a string argument but got " + Json.typeName(n) + " " + Json.write(n));
        }
        return n.textValue();
    }

    private static JsonNode arr(String fn, JsonNode n) {
        if (!n.isArray()) {
            throw failure(fn + ": expected an array argument but got " + Json.typeName(n));
        }
        return n;
    }

    /** Non-integer numbers are rounded to the nearest integer (MathRandom's documented behaviour). */
    private static int rounded(String fn, JsonNode n) {
        if (!n.isNumber()) {
            throw failure(fn + ": expected a number argument but got " + Json.write(n));
        }
        return (int) Math.round(n.doubleValue());
    }

    private static int integer(String fn, JsonNode n) {
        if (n.isIntegralNumber() && n.canConvertToInt()) {
            return n.intValue();
        }
        if (n.isNumber() && n.decimalValue().stripTrailingZeros().scale() <= 0) {
            return n.intValue();
        }
        throw failure(fn + ": expected an integer argument but got " + Json.write(n));
    }
}
