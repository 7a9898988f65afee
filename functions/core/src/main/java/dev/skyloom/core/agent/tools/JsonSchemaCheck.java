package dev.skyloom.core.agent.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaException;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks a JSON value against a JSON Schema (draft 2020-12 unless the schema names draft 7 or 2019-09) and says
 * what failed in words a model can act on: {@code input.limit: string found, integer expected}.
 *
 * <p>Schemas may come from outside (a step's output schema, an MCP server's tool): a schema that refers to anything
 * but itself ({@code $ref} not starting with {@code #}, an unknown {@code $schema}) is refused rather than loaded, so
 * validating can never make a network request.
 */
public final class JsonSchemaCheck {
    private static final Set<String> KNOWN_META_SCHEMAS = Set.of(
            "https://json-schema.org/draft/2020-12/schema", "https://json-schema.org/draft/2019-09/schema",
            "http://json-schema.org/draft-07/schema#", "http://json-schema.org/draft-07/schema",
            "https://json-schema.org/draft-07/schema#", "https://json-schema.org/draft-07/schema");
    private static final int CACHE_SIZE = 512;
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
            builder -> builder.metaSchema(com.networknt.schema.JsonMetaSchema.getV7())
                    .metaSchema(com.networknt.schema.JsonMetaSchema.getV201909()));
    private static final Map<JsonNode, JsonSchema> CACHE = new ConcurrentHashMap<>();

    private JsonSchemaCheck() {
    }

    /**
     * The problems of {@code value}, each naming the field ({@code root} stands for the value itself); empty when it
     * is valid.
     *
     * @throws IllegalArgumentException when the schema is not usable (not an object, remote references, invalid)
     */
    public static List<String> problems(JsonNode schema, JsonNode value, String root) {
        JsonSchema compiled = compile(schema);
        Set<ValidationMessage> messages = compiled.validate(value);
        List<String> problems = new ArrayList<>();
        messages.stream().sorted(Comparator.comparing(ValidationMessage::getMessage)).forEach(message -> {
            String text = message.getMessage();
            problems.add(text.startsWith("$") ? root + text.substring(1) : text);
        });
        return problems;
    }

    /** Refuses a schema that is not self-contained; compiles and caches it. */
    public static JsonSchema compile(JsonNode schema) {
        JsonSchema cached = CACHE.get(schema);
        if (cached != null) {
            return cached;
        }
        if (schema == null || !schema.isObject()) {
            throw new IllegalArgumentException("a schema is a JSON object");
        }
        requireSelfContained(schema, "");
        JsonSchema compiled;
        try {
            compiled = FACTORY.getSchema(schema);
            compiled.initializeValidators();
        } catch (JsonSchemaException | IllegalArgumentException | IllegalStateException e) {
            throw new IllegalArgumentException("the schema is invalid: " + e.getMessage(), e);
        }
        if (CACHE.size() >= CACHE_SIZE) {
            CACHE.clear();
        }
        CACHE.put(schema.deepCopy(), compiled);
        return compiled;
    }

    private static void requireSelfContained(JsonNode node, String at) {
        if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                String key = field.getKey();
                JsonNode child = field.getValue();
                if ((key.equals("$ref") || key.equals("$dynamicRef") || key.equals("$recursiveRef"))
                        && child.isTextual() && !child.asText().startsWith("#")) {
                    throw new IllegalArgumentException("the schema refers outside itself at " + at + "/" + key
                            + " (" + child.asText() + "): only local references ('#/...') are allowed");
                }
                if (key.equals("$schema") && child.isTextual() && !KNOWN_META_SCHEMAS.contains(child.asText())) {
                    throw new IllegalArgumentException("the schema names an unknown $schema " + child.asText()
                            + "; valid: draft 2020-12, 2019-09 or 7");
                }
                requireSelfContained(child, at + "/" + key);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                requireSelfContained(node.get(i), at + "/" + i);
            }
        }
    }
}
