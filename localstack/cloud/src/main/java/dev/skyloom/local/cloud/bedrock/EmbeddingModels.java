package dev.skyloom.local.cloud.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * InvokeModel ({@code POST /model/{modelId}/invoke}) for the embedding models, with the bodies those models take
 * and give on Bedrock, answered by {@link LocalEmbeddings}:
 * <ul>
 *   <li>Amazon Titan Text Embeddings V2 ({@code amazon.titan-embed-text-v2:0}): {@code {"inputText", "dimensions":
 *   256|512|1024 (1024), "normalize" (true), "embeddingTypes": ["float", "binary"]}} →
 *   {@code {"embedding", "inputTextTokenCount", "embeddingsByType": {"float"[, "binary"]}}};</li>
 *   <li>Titan Embeddings G1 - Text ({@code amazon.titan-embed-text-v1}): {@code {"inputText"}} →
 *   {@code {"embedding" (1536), "inputTextTokenCount"}};</li>
 *   <li>Cohere Embed v3 ({@code cohere.embed-english-v3}, {@code cohere.embed-multilingual-v3}): {@code {"texts",
 *   "input_type", "truncate", "embedding_types": ["float"]}} → {@code {"id", "response_type": "embeddings_floats",
 *   "texts", "embeddings": [[...]]}} (or {@code embeddings_by_type} with {@code {"float": [[...]]}}), 1024
 *   dimensions.</li>
 * </ul>
 * A model id may also be a foundation-model ARN. Any other model id is a {@code ValidationException} naming these.
 */
final class EmbeddingModels {
    static final String TITAN_V2 = "amazon.titan-embed-text-v2:0";
    static final String TITAN_V1 = "amazon.titan-embed-text-v1";
    static final List<String> COHERE_V3 = List.of("cohere.embed-english-v3", "cohere.embed-multilingual-v3");
    static final List<String> SUPPORTED = List.of(TITAN_V2, TITAN_V1, COHERE_V3.get(0), COHERE_V3.get(1));
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<Integer> TITAN_V2_DIMENSIONS = Set.of(256, 512, 1024);
    private static final int TITAN_MAX_CHARACTERS = 50_000;
    private static final int COHERE_MAX_TEXTS = 96;
    private static final int COHERE_MAX_CHARACTERS = 2048;
    private static final int COHERE_DIMENSIONS = 1024;

    private EmbeddingModels() {
    }

    /** The response body of InvokeModel for {@code modelId} and the request {@code body}. */
    static ObjectNode invoke(String modelId, JsonNode body) {
        String model = modelId.contains("foundation-model/")
                ? modelId.substring(modelId.indexOf("foundation-model/") + "foundation-model/".length()) : modelId;
        if (!body.isObject()) {
            throw malformed("expected type: JSONObject, found: " + body.getNodeType());
        }
        if (model.equals(TITAN_V2)) {
            return titanV2(body);
        }
        if (model.equals(TITAN_V1) || model.startsWith(TITAN_V1 + ":")) {
            return titanV1(body);
        }
        if (COHERE_V3.stream().anyMatch(id -> model.equals(id) || model.startsWith(id + ":"))) {
            return cohere(body);
        }
        throw BedrockException.validation("The local model server answers InvokeModel only for the embedding models "
                + String.join(", ", SUPPORTED) + "; got '" + modelId + "'. Chat models are served by Converse and "
                + "ConverseStream (POST /model/{modelId}/converse, /converse-stream).");
    }

    private static ObjectNode titanV2(JsonNode body) {
        onlyKeys(body, Set.of("inputText", "dimensions", "normalize", "embeddingTypes"));
        String text = inputText(body);
        int dimensions = 1024;
        if (body.has("dimensions")) {
            JsonNode value = body.get("dimensions");
            if (!value.isIntegralNumber() || !TITAN_V2_DIMENSIONS.contains(value.asInt())) {
                throw malformed("dimensions: " + value + " is not a valid enum value; valid: 256, 512, 1024");
            }
            dimensions = value.asInt();
        }
        boolean normalize = true;
        if (body.has("normalize")) {
            if (!body.get("normalize").isBoolean()) {
                throw malformed("normalize: expected type: Boolean, found: " + body.get("normalize").getNodeType());
            }
            normalize = body.get("normalize").asBoolean();
        }
        boolean binary = false;
        if (body.has("embeddingTypes")) {
            JsonNode types = body.get("embeddingTypes");
            if (!types.isArray() || types.isEmpty()) {
                throw malformed("embeddingTypes: expected a non-empty list of \"float\" and \"binary\"");
            }
            for (JsonNode type : types) {
                if (!type.asText().equals("float") && !type.asText().equals("binary")) {
                    throw malformed("embeddingTypes: " + type + " is not a valid enum value; valid: float, binary");
                }
                binary |= type.asText().equals("binary");
            }
        }
        float[] vector = LocalEmbeddings.embed(text, dimensions, normalize);
        ObjectNode out = JSON.createObjectNode();
        out.set("embedding", floats(vector));
        out.put("inputTextTokenCount", LocalEmbeddings.tokens(text));
        ObjectNode byType = out.putObject("embeddingsByType");
        byType.set("float", floats(vector));
        if (binary) {
            ArrayNode bits = byType.putArray("binary");
            for (float v : vector) {
                bits.add(v > 0 ? 1 : 0);
            }
        }
        return out;
    }

    private static ObjectNode titanV1(JsonNode body) {
        onlyKeys(body, Set.of("inputText"));
        String text = inputText(body);
        ObjectNode out = JSON.createObjectNode();
        out.set("embedding", floats(LocalEmbeddings.embed(text, 1536, true)));
        out.put("inputTextTokenCount", LocalEmbeddings.tokens(text));
        return out;
    }

    private static ObjectNode cohere(JsonNode body) {
        onlyKeys(body, Set.of("texts", "input_type", "truncate", "embedding_types", "images"));
        JsonNode texts = body.get("texts");
        if (texts == null || !texts.isArray()) {
            throw malformed("#: required key [texts] not found");
        }
        if (texts.size() > COHERE_MAX_TEXTS) {
            throw malformed("#/texts: expected maximum item count: " + COHERE_MAX_TEXTS + ", found: "
                    + texts.size());
        }
        String inputType = body.path("input_type").asText("");
        if (!Set.of("search_document", "search_query", "classification", "clustering").contains(inputType)) {
            throw malformed("#/input_type: " + body.get("input_type") + " is not a valid enum value; valid: "
                    + "search_document, search_query, classification, clustering");
        }
        boolean byType = body.has("embedding_types");
        if (byType) {
            for (JsonNode type : body.get("embedding_types")) {
                if (!type.asText().equals("float")) {
                    throw BedrockException.validation("The local model server gives Cohere embeddings as \"float\" "
                            + "only; got embedding_types " + body.get("embedding_types"));
                }
            }
        }
        List<String> inputs = new ArrayList<>();
        ArrayNode vectors = JSON.createArrayNode();
        for (int i = 0; i < texts.size(); i++) {
            String text = texts.get(i).asText();
            if (text.length() > COHERE_MAX_CHARACTERS && "NONE".equals(body.path("truncate").asText("END"))) {
                throw malformed("#/texts/" + i + ": expected maxLength: " + COHERE_MAX_CHARACTERS + ", actual: "
                        + text.length());
            }
            inputs.add(text);
            vectors.add(floats(LocalEmbeddings.embed(text, COHERE_DIMENSIONS, true)));
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("id", UUID.nameUUIDFromBytes(body.toString().getBytes(StandardCharsets.UTF_8)).toString());
        ArrayNode echoed = out.putArray("texts");
        inputs.forEach(echoed::add);
        if (byType) {
            out.put("response_type", "embeddings_by_type");
            out.putObject("embeddings").set("float", vectors);
        } else {
            out.put("response_type", "embeddings_floats");
            out.set("embeddings", vectors);
        }
        return out;
    }

    private static String inputText(JsonNode body) {
        JsonNode text = body.get("inputText");
        if (text == null) {
            throw malformed("required key [inputText] not found");
        }
        if (!text.isTextual()) {
            throw malformed("inputText: expected type: String, found: " + text.getNodeType());
        }
        if (text.asText().isEmpty() || text.asText().length() > TITAN_MAX_CHARACTERS) {
            throw malformed("inputText: expected minLength: 1, maxLength: " + TITAN_MAX_CHARACTERS + ", actual: "
                    + text.asText().length());
        }
        return text.asText();
    }

    private static void onlyKeys(JsonNode body, Set<String> allowed) {
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw malformed("extraneous key [" + name + "] is not permitted");
            }
        }
    }

    private static BedrockException malformed(String detail) {
        return BedrockException.validation("Malformed input request: " + detail
                + ", please reformat your input and try again.");
    }

    private static ArrayNode floats(float[] vector) {
        ArrayNode array = JSON.createArrayNode();
        for (float v : vector) {
            array.add(v);
        }
        return array;
    }
}
