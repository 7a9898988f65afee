package dev.skyloom.local.sfn.expr;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/**
 * The one JSON configuration of the engine. JSON values handed between states are treated as immutable: code that
 * derives a value copies the nodes it changes and shares the rest.
 */
public final class Json {
    /** The payload quota of Step Functions: 256 KiB of UTF-8. */
    public static final int MAX_PAYLOAD_BYTES = 262_144;

    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    public static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxStringLength(64 * 1024 * 1024).build());
        MAPPER.setNodeFactory(NODES);
    }

    /** A serializer provider for streaming trees straight into a generator (JsonNode.serialize). */
    public static final com.fasterxml.jackson.databind.SerializerProvider PROVIDER =
            MAPPER.getSerializerProviderInstance();

    /** A reusable per-thread text buffer for {@link #write}. */
    private static final ThreadLocal<StringBuilderWriter> TEXT = ThreadLocal.withInitial(StringBuilderWriter::new);

    private static final class StringBuilderWriter extends java.io.Writer {
        final StringBuilder sb = new StringBuilder(256);

        @Override
        public void write(char[] cbuf, int off, int len) {
            sb.append(cbuf, off, len);
        }

        @Override
        public void write(String str, int off, int len) {
            sb.append(str, off, off + len);
        }

        @Override
        public void write(int c) {
            sb.append((char) c);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    private Json() {
    }

    public static ObjectNode object() {
        return NODES.objectNode();
    }

    public static ArrayNode array() {
        return NODES.arrayNode();
    }

    /** Parses JSON text, throwing {@link IllegalArgumentException} with the parser's message on bad input. */
    public static JsonNode parse(String text) {
        try {
            JsonNode n = MAPPER.readTree(text);
            if (n == null || n.isMissingNode()) {
                throw new IllegalArgumentException("empty JSON text");
            }
            return n;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e.getOriginalMessage(), e);
        }
    }

    public static JsonNode parse(byte[] bytes) {
        try {
            JsonNode n = MAPPER.readTree(bytes);
            if (n == null || n.isMissingNode()) {
                throw new IllegalArgumentException("empty JSON text");
            }
            return n;
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** Compact JSON text, as Step Functions prints payloads. */
    public static String write(JsonNode node) {
        if (node.isContainerNode() && node.isEmpty()) {
            return node.isObject() ? "{}" : "[]";
        }
        StringBuilderWriter w = TEXT.get();
        w.sb.setLength(0);
        try (com.fasterxml.jackson.core.JsonGenerator g = MAPPER.getFactory().createGenerator(w)) {
            node.serialize(g, PROVIDER);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        String s = w.sb.toString();
        if (w.sb.length() > 1 << 20) {
            w.sb.setLength(0);
            w.sb.trimToSize();
        }
        return s;
    }

    public static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** UTF-8 size of a string, computed without allocating for short strings. */
    public static int utf8Length(String s) {
        int n = s.length();
        if (n * 3L < MAX_PAYLOAD_BYTES) {
            return n; // cannot exceed the quota either way; exact size is not needed
        }
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    public static boolean exceedsQuota(String json) {
        return json.length() > MAX_PAYLOAD_BYTES || utf8Length(json) > MAX_PAYLOAD_BYTES;
    }

    public static JsonNode text(String s) {
        return NODES.textNode(s);
    }

    /** A number node in its narrowest exact form (3.0 becomes 3, as JSONata and JavaScript print it). */
    public static JsonNode number(Number n) {
        if (n instanceof Integer i) {
            return NODES.numberNode(i);
        }
        if (n instanceof Long l) {
            return l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE ? NODES.numberNode(l.intValue()) : NODES.numberNode(l);
        }
        if (n instanceof BigInteger b) {
            return b.bitLength() < 63 ? number(b.longValue()) : NODES.numberNode(b);
        }
        if (n instanceof BigDecimal d) {
            if (d.signum() == 0 || d.stripTrailingZeros().scale() <= 0) {
                try {
                    return number(d.toBigIntegerExact());
                } catch (ArithmeticException ignored) {
                    // fall through
                }
            }
            return NODES.numberNode(d);
        }
        double d = n.doubleValue();
        if (!Double.isInfinite(d) && !Double.isNaN(d) && d == Math.rint(d) && Math.abs(d) < 9.007199254740992E15) {
            return number((long) d);
        }
        return NODES.numberNode(d);
    }

    /** Human name of a JSON node's type, as used in error messages. */
    public static String typeName(JsonNode n) {
        if (n == null || n.isMissingNode()) {
            return "undefined";
        }
        return switch (n.getNodeType()) {
            case ARRAY -> "array";
            case OBJECT, POJO -> "object";
            case STRING -> "string";
            case NUMBER -> "number";
            case BOOLEAN -> "boolean";
            case NULL -> "null";
            default -> n.getNodeType().name().toLowerCase();
        };
    }
}
