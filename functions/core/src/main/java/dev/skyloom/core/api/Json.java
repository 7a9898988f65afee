package dev.skyloom.core.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Strict JSON for request bodies: unknown fields, wrong types (no string-to-number or number-to-string coercion),
 * duplicate fields, trailing content and nulls for primitives are 400s that name the field and what is valid.
 */
public final class Json {
    /** The one mapper of the API: strict on input, no nulls on output. */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .addModule(new com.fasterxml.jackson.datatype.jsr310.JavaTimeModule())
            .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .build();

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(64).maxStringLength(1_000_000).maxNumberLength(100).build());
        MAPPER.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        MAPPER.coercionConfigFor(LogicalType.Integer)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        MAPPER.coercionConfigFor(LogicalType.Float).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        MAPPER.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
    }

    /** Strict YAML with the same rules (skills' front matter, pipeline definitions). */
    public static final ObjectMapper YAML = com.fasterxml.jackson.dataformat.yaml.YAMLMapper.builder(
                    com.fasterxml.jackson.dataformat.yaml.YAMLFactory.builder()
                            .loaderOptions(yamlLoaderOptions()).build())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();

    private static org.yaml.snakeyaml.LoaderOptions yamlLoaderOptions() {
        org.yaml.snakeyaml.LoaderOptions options = new org.yaml.snakeyaml.LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(20);
        options.setNestingDepthLimit(50);
        options.setCodePointLimit(512 * 1024);
        return options;
    }

    private Json() {
    }

    /** Reads a request body into {@code type}, or throws the 400 that names the problem. */
    public static <T> T read(String body, Class<T> type) {
        if (body == null || body.isBlank()) {
            throw ApiError.invalidField("body", "is required: send a JSON object");
        }
        try {
            T value = MAPPER.readValue(body, type);
            if (value == null) {
                throw ApiError.invalidField("body", "must be a JSON object, not null");
            }
            return value;
        } catch (UnrecognizedPropertyException e) {
            String field = path(e);
            String known = e.getKnownPropertyIds() == null ? "" : e.getKnownPropertyIds().stream()
                    .map(Object::toString).sorted().collect(Collectors.joining(", "));
            throw ApiError.invalidField(field, "is not a known field; valid fields: " + known);
        } catch (InvalidFormatException e) {
            throw ApiError.invalidField(path(e), "has an invalid value; expected " + describe(e.getTargetType()));
        } catch (MismatchedInputException e) {
            String field = path(e);
            throw ApiError.invalidField(field.isEmpty() ? "body" : field, "has the wrong type; expected "
                    + describe(e.getTargetType()));
        } catch (JsonMappingException e) {
            String field = path(e);
            Throwable cause = e.getCause();
            if (cause instanceof ApiError apiError) {
                throw apiError;
            }
            String problem = cause instanceof IllegalArgumentException && cause.getMessage() != null
                    ? cause.getMessage() : "is invalid";
            throw ApiError.invalidField(field.isEmpty() ? "body" : field, problem);
        } catch (JsonProcessingException e) {
            // the parser's own message quotes the offending input, which may be a secret: never echo it
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr();
            throw ApiError.invalidField("body", "is not valid JSON" + where
                    + ": send one JSON object with double-quoted field names and string values");
        }
    }

    public static JsonNode tree(Object value) {
        return MAPPER.valueToTree(value);
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize " + value.getClass().getSimpleName(), e);
        }
    }

    public static <T> T parseStored(String json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored " + type.getSimpleName() + " is unreadable", e);
        }
    }

    private static String path(JsonMappingException e) {
        List<JsonMappingException.Reference> refs = e.getPath();
        StringBuilder field = new StringBuilder();
        for (JsonMappingException.Reference ref : refs) {
            if (ref.getFieldName() != null) {
                if (!field.isEmpty()) {
                    field.append('.');
                }
                field.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                field.append('[').append(ref.getIndex()).append(']');
            }
        }
        return field.toString();
    }

    private static String describe(Class<?> type) {
        if (type == null) {
            return "another type";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "an integer";
        }
        if (type == double.class || type == Double.class) {
            return "a number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (List.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        if (type.isEnum()) {
            return "one of " + java.util.Arrays.stream(type.getEnumConstants()).map(Object::toString)
                    .collect(Collectors.joining(", "));
        }
        return "an object";
    }
}
