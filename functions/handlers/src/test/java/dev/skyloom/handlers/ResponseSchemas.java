package dev.skyloom.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.skyloom.core.api.ApiError;
import dev.skyloom.core.api.Router;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Holds real answers of the API to the OpenAPI document: the route's declared status and body schema for a
 * success, the error schema for anything else. A small validator of the JSON Schema subset the document uses
 * ({@code $ref}, {@code type}, {@code properties}, {@code additionalProperties: false}, {@code required},
 * {@code items}). {@link ApiClient} runs it on every answer of every integration test.
 */
final class ResponseSchemas {
    private static final Router ROUTER = ApiRoutes.router(new ApiRoutes.Services(null, null, null, null, null, null,
            null, null, null, null));
    private static final JsonNode DOCUMENT = OpenApi.document(ROUTER);

    private ResponseSchemas() {
    }

    /** The problems of one answer (empty when it matches the document). */
    static List<String> problems(String method, String path, int status, JsonNode body) {
        String bare = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
        JsonNode responses;
        try {
            Router.Route route = ROUTER.match(method.equals("HEAD") ? "GET" : method, bare).route();
            responses = DOCUMENT.path("paths").path(route.template()).path(route.method().toLowerCase(Locale.ROOT))
                    .path("responses");
        } catch (ApiError noRoute) {
            responses = DOCUMENT.path("paths").path("/api/v1/health").path("get").path("responses");
        }
        List<String> problems = new ArrayList<>();
        JsonNode declared = responses.path(Integer.toString(status));
        if (declared.isMissingNode()) {
            if (status < 300) {
                return List.of(method + " " + bare + " answered " + status + ", which the document does not declare");
            }
            declared = responses.path("default");
        }
        JsonNode schema = declared.path("content").path("application/json").path("schema");
        if (schema.isMissingNode()) {
            if (body != null && !body.isMissingNode() && !method.equals("HEAD")) {
                problems.add(method + " " + bare + " " + status + " has a body, the document declares none");
            }
            return problems;
        }
        if (!method.equals("HEAD")) {
            check(schema, body == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : body, "$",
                    problems);
        }
        return problems;
    }

    private static void check(JsonNode schema, JsonNode value, String at, List<String> problems) {
        if (schema.has("$ref")) {
            String name = schema.get("$ref").asText().substring("#/components/schemas/".length());
            check(DOCUMENT.path("components").path("schemas").path(name), value, at, problems);
            return;
        }
        String type = schema.path("type").asText("");
        boolean ok = switch (type) {
            case "object" -> value.isObject();
            case "array" -> value.isArray();
            case "string" -> value.isTextual();
            case "integer" -> value.isIntegralNumber();
            case "number" -> value.isNumber();
            case "boolean" -> value.isBoolean();
            default -> true;
        };
        if (!ok) {
            problems.add(at + " should be " + type + ", is " + (value.isMissingNode() ? "missing" : value.getNodeType()));
            return;
        }
        if (value.isObject()) {
            JsonNode properties = schema.path("properties");
            value.properties().forEach(field -> {
                if (properties.has(field.getKey())) {
                    check(properties.get(field.getKey()), field.getValue(), at + "." + field.getKey(), problems);
                } else if (!schema.path("additionalProperties").asBoolean(true)) {
                    problems.add(at + "." + field.getKey() + " is not in the schema");
                }
            });
            schema.path("required").forEach(name -> {
                if (!value.has(name.asText())) {
                    problems.add(at + "." + name.asText() + " is required");
                }
            });
        }
        if (value.isArray() && schema.has("items")) {
            for (int i = 0; i < value.size(); i++) {
                check(schema.get("items"), value.get(i), at + "[" + i + "]", problems);
            }
        }
    }
}
