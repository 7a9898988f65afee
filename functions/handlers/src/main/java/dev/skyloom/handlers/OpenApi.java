package dev.skyloom.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.core.api.Json;
import dev.skyloom.core.api.Router;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The OpenAPI 3.1 document of the API, built from the {@link Router}'s routes so the two cannot drift: every route
 * is an operation with its path parameters, its security (none on public routes) and its required scope
 * ({@code x-skyloom-scope}); every error answer has the one error schema.
 */
final class OpenApi {
    private static final Pattern PARAM = Pattern.compile("\\{([^}/]+)}");

    private OpenApi() {
    }

    static JsonNode document(Router router) {
        ObjectNode doc = Json.MAPPER.createObjectNode();
        doc.put("openapi", "3.1.0");
        doc.putObject("info").put("title", "Skyloom REST API").put("version", "1")
                .put("description", "Authenticate with Authorization: Bearer <API key>. Errors have one shape: "
                        + "{\"error\": {\"code\", \"message\", \"details\": [{\"field\", \"problem\"}]}}.");
        ObjectNode components = doc.putObject("components");
        components.putObject("securitySchemes").putObject("bearer").put("type", "http").put("scheme", "bearer");
        ObjectNode error = components.putObject("schemas").putObject("Error");
        error.put("type", "object");
        ObjectNode errorProps = error.putObject("properties").putObject("error").put("type", "object")
                .putObject("properties");
        errorProps.putObject("code").put("type", "string");
        errorProps.putObject("message").put("type", "string");
        ObjectNode detail = errorProps.putObject("details").put("type", "array").putObject("items")
                .put("type", "object").putObject("properties");
        detail.putObject("field").put("type", "string");
        detail.putObject("problem").put("type", "string");
        error.putArray("required").add("error");

        ObjectNode paths = doc.putObject("paths");
        for (Router.Route route : router.routes()) {
            ObjectNode item = paths.has(route.template()) ? (ObjectNode) paths.get(route.template())
                    : paths.putObject(route.template());
            ObjectNode op = item.putObject(route.method().toLowerCase(Locale.ROOT));
            op.put("operationId", operationId(route));
            op.put("summary", route.summary());
            ArrayNode params = op.putArray("parameters");
            Matcher m = PARAM.matcher(route.template());
            while (m.find()) {
                params.addObject().put("name", m.group(1)).put("in", "path").put("required", true)
                        .putObject("schema").put("type", "string");
            }
            if (route.method().equals("GET") && !route.template().contains("{") && !route.isPublic()
                    && !route.template().endsWith("/me")) {
                params.addObject().put("name", "cursor").put("in", "query").put("required", false)
                        .putObject("schema").put("type", "string");
                params.addObject().put("name", "limit").put("in", "query").put("required", false)
                        .putObject("schema").put("type", "integer").put("minimum", 1).put("maximum", 100);
            }
            if (route.method().equals("PUT") || route.method().equals("DELETE")) {
                params.addObject().put("name", "If-Match").put("in", "header").put("required", false)
                        .putObject("schema").put("type", "string");
            }
            Class<?> body = ApiRoutes.BODIES.get(route.toString());
            if (body != null) {
                op.putObject("requestBody").put("required", true).putObject("content")
                        .putObject("application/json").set("schema", schema(body, 0));
            }
            if (route.isPublic()) {
                op.putArray("security");
            } else {
                op.putArray("security").addObject().putArray("bearer");
                op.put("x-skyloom-scope", route.scope().isEmpty() ? "any" : route.scope());
            }
            ObjectNode responses = op.putObject("responses");
            responses.putObject(success(route)).put("description", "success");
            responses.putObject("default").put("description", "error")
                    .putObject("content").putObject("application/json").putObject("schema")
                    .put("$ref", "#/components/schemas/Error");
        }
        return doc;
    }

    /** The JSON schema of a request record: its components, strictly (unknown fields are rejected). */
    static ObjectNode schema(java.lang.reflect.Type type, int depth) {
        ObjectNode schema = Json.MAPPER.createObjectNode();
        Class<?> raw = type instanceof java.lang.reflect.ParameterizedType p ? (Class<?>) p.getRawType()
                : (Class<?>) type;
        if (raw == String.class) {
            schema.put("type", "string");
        } else if (raw == Integer.class || raw == int.class || raw == Long.class || raw == long.class) {
            schema.put("type", "integer");
        } else if (raw == Double.class || raw == double.class) {
            schema.put("type", "number");
        } else if (raw == Boolean.class || raw == boolean.class) {
            schema.put("type", "boolean");
        } else if (java.util.List.class.isAssignableFrom(raw) && type instanceof java.lang.reflect.ParameterizedType p) {
            schema.put("type", "array");
            schema.set("items", schema(p.getActualTypeArguments()[0], depth + 1));
        } else if (raw.isRecord() && depth < 5) {
            schema.put("type", "object");
            schema.put("additionalProperties", false);
            ObjectNode properties = schema.putObject("properties");
            for (java.lang.reflect.RecordComponent component : raw.getRecordComponents()) {
                properties.set(component.getName(), schema(component.getGenericType(), depth + 1));
            }
        } else {
            schema.put("type", "object");
        }
        return schema;
    }

    private static String success(Router.Route route) {
        if (route.method().equals("DELETE") && !route.template().contains("/members/")) {
            return "204";
        }
        return route.method().equals("POST") && !route.template().endsWith("/claim") ? "201" : "200";
    }

    private static String operationId(Router.Route route) {
        StringBuilder id = new StringBuilder(route.method().toLowerCase(Locale.ROOT));
        for (String segment : route.template().substring(ApiRoutes.V1.length() + 1).split("/")) {
            String word = segment.replaceAll("[{}]", "").replaceAll("[^A-Za-z0-9]+", " ").strip();
            for (String part : word.split(" ")) {
                if (!part.isEmpty()) {
                    id.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
                }
            }
            if (segment.startsWith("{")) {
                id.append("Param");
            }
        }
        return id.toString();
    }
}
