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
 * ({@code x-skyloom-scope}), its request body ({@link ApiRoutes#BODIES}), its success status and body schema
 * ({@link ApiRoutes#ANSWERS}); every error answer has the one error schema. The integration tests hold every real
 * answer to this document.
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
        responseSchemas((ObjectNode) components.get("schemas"));

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
            if (route.toString().equals("GET " + ApiRoutes.V1 + "/runs/{runId}/events")
                    || route.toString().equals("GET " + ApiRoutes.V1 + "/swarms/{swarmId}/events")) {
                params.addObject().put("name", "after").put("in", "query").put("required", false)
                        .putObject("schema").put("type", "integer").put("minimum", 0);
                params.addObject().put("name", "limit").put("in", "query").put("required", false)
                        .putObject("schema").put("type", "integer").put("minimum", 1)
                        .put("maximum", dev.skyloom.core.events.RunEventsService.MAX_LIMIT);
                params.addObject().put("name", "wait").put("in", "query").put("required", false)
                        .putObject("schema").put("type", "integer").put("minimum", 0)
                        .put("maximum", dev.skyloom.core.events.RunEventsService.MAX_WAIT_SECONDS);
            }
            if (route.toString().equals("GET " + ApiRoutes.V1 + "/swarms")) {
                params.addObject().put("name", "status").put("in", "query").put("required", false)
                        .putObject("schema").put("type", "string");
                params.addObject().put("name", "projectId").put("in", "query").put("required", false)
                        .putObject("schema").put("type", "string");
            }
            if (route.toString().equals("GET " + ApiRoutes.V1 + "/runs")) {
                params.addObject().put("name", "pipelineId").put("in", "query").put("required", false)
                        .putObject("schema").put("type", "string");
                params.addObject().put("name", "status").put("in", "query").put("required", false)
                        .putObject("schema").put("type", "string");
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
            if (ApiRoutes.IDEMPOTENT.contains(route.toString())) {
                params.addObject().put("name", "Idempotency-Key").put("in", "header").put("required", false)
                        .put("description", "Repeats with the same key and body replay the first answer "
                                + "(Idempotent-Replayed: true) for 24 h; another body is a 422, a repeat while the "
                                + "first runs a 409").putObject("schema").put("type", "string")
                        .put("minLength", 1).put("maxLength", 255);
            }
            ObjectNode responses = op.putObject("responses");
            ApiRoutes.Answer answer = ApiRoutes.ANSWERS.get(route.toString());
            if (answer == null) {
                throw new IllegalStateException(route + " has no entry in ApiRoutes.ANSWERS");
            }
            ObjectNode ok = responses.putObject(Integer.toString(answer.status())).put("description", "success");
            if (answer.schema() != null) {
                ObjectNode ref = Json.MAPPER.createObjectNode().put("$ref", "#/components/schemas/" + answer.schema());
                ObjectNode schema = ref;
                if (answer.page()) {
                    schema = object("nextCursor:string");
                    ((ObjectNode) schema.get("properties")).putObject("items").put("type", "array").set("items", ref);
                    schema.withArray("required").add("items");
                }
                ok.putObject("content").putObject("application/json").set("schema", schema);
            }
            if (route.template().endsWith("/health")) {
                responses.putObject("503").put("description", "a dependency is down").putObject("content")
                        .putObject("application/json").putObject("schema").put("$ref", "#/components/schemas/Health");
            }
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
        if (raw == String.class || raw == java.time.Instant.class || raw == java.time.LocalDate.class) {
            schema.put("type", "string");
        } else if (raw == Integer.class || raw == int.class || raw == Long.class || raw == long.class) {
            schema.put("type", "integer");
        } else if (raw == Double.class || raw == double.class || raw == java.math.BigDecimal.class) {
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

    /** The schemas of the answers ({@link ApiRoutes#ANSWERS}), from the domain records where the API shows them. */
    private static void responseSchemas(ObjectNode schemas) {
        schemas.set("Health", object("status!:string, components!:object"));
        schemas.set("OpenApiDocument", object("openapi!:string, info!:object, paths!:object, components!:object"));
        schemas.set("Me", object("tenantId!:string, userId!:string, keyId!:string, scopes!:[string], "
                + "platformAdmin!:boolean"));
        schemas.set("User", object("id!:string, tenantId!:string, email!:string, displayName:string, "
                + "roles!:[string], createdAt!:string"));
        schemas.set("Session", object("tokenType!:string, accessToken!:string, expiresIn!:integer, "
                + "refreshToken!:string, user!:#User"));
        schemas.set("Tenant", object("id!:string, name!:string, status!:string, createdAt!:string"));
        schemas.set("ApiKey", object("keyId!:string, name!:string, tenantId!:string, scopes!:[string], "
                + "createdAt!:string, expiresAt:string, lastUsedAt:string, revokedAt:string, "
                + "rateLimitPerMinute:integer, token:string"));
        schemas.set("TenantCreated", object("tenant!:#Tenant, adminKey!:#ApiKey"));
        schemas.set("ErrorDetail", object("field!:string, problem!:string"));
        schemas.set("PipelineValidation", object("valid!:boolean, errors!:[#ErrorDetail]"));
        schemas.set("LlmCall", schema(dev.skyloom.core.usage.LlmCall.class, 0));
        schemas.set("UsageDay", object("day:string, calls!:integer, inputTokens!:integer, outputTokens!:integer, "
                + "costUsd!:number"));
        schemas.set("UsageGroup", object("key!:string, calls!:integer, inputTokens!:integer, outputTokens!:integer, "
                + "costUsd!:number"));
        schemas.set("UsageSummary", object("from!:string, to!:string, total!:#UsageDay, days!:[#UsageDay], "
                + "groupBy!:string, groups!:[#UsageGroup]"));
        schemas.set("Project", stored(dev.skyloom.core.resources.Project.class));
        schemas.set("Task", stored(dev.skyloom.core.resources.Task.class));
        schemas.set("Agent", stored(dev.skyloom.core.resources.Agent.class));
        schemas.set("Skill", stored(dev.skyloom.core.resources.Skill.class));
        schemas.set("Pipeline", stored(dev.skyloom.core.resources.Pipeline.class));
        schemas.set("PipelineVersion", stored(dev.skyloom.core.resources.Pipeline.Version.class));
        ObjectNode secret = stored(dev.skyloom.core.secrets.Secret.View.class);
        ((ObjectNode) secret.get("properties")).putObject("name").put("type", "string");
        secret.withArray("required").add("name");
        schemas.set("Secret", secret);
        schemas.set("RunEvent", object("seq!:integer, eventId!:string, type!:string, source!:string, time!:string, "
                + "stepId:string, data!:object"));
        schemas.set("RunEvents", object("items!:[#RunEvent], next!:integer"));
        schemas.set("RunStep", object("id!:string, status!:string, runs!:integer, startedAt!:string, "
                + "finishedAt:string, durationMs:integer, result:string"));
        schemas.set("RunUsage", object("calls!:integer, inputTokens!:integer, outputTokens!:integer, "
                + "costUsd!:number"));
        schemas.set("Run", object("id!:string, pipelineId!:string, pipelineVersion!:integer, projectId:string, "
                + "status!:string, input!:object, attempts!:integer, createdBy:string, error:string, cause:string, "
                + "version!:integer, createdAt!:string, updatedAt!:string, steps:[#RunStep], "
                + "waitingApprovals:[string], outputs:object, usage:#RunUsage"));
        schemas.set("RunApproval", object("id!:string, kind!:string, runId!:string, stepId!:string, status!:string, "
                + "message:string, escalateTo:string, agentId:string, tool:string, input:object, "
                + "requestedAt!:string, expiresAt:string, decide:string, decision:string, comment:string, "
                + "decidedBy:string, decidedAt:string"));
        schemas.set("RunApprovals", object("items!:[#RunApproval]"));
        schemas.set("SwarmSummary", object("counts!:object, tasks!:integer, tokens!:integer, costUsd!:number, "
                + "makespanMs!:integer"));
        schemas.set("SwarmCriticalPath", object("lengthMs!:integer, tasks!:[string]"));
        schemas.set("Swarm", object("id!:string, name:string, projectId:string, goal:string, plannerAgentId:string, "
                + "taskCount!:integer, maxConcurrent!:integer, failurePolicy!:string, globalTimeoutSeconds!:integer, "
                + "budget:object, status!:string, createdBy:string, error:string, cause:string, version!:integer, "
                + "createdAt!:string, updatedAt!:string, startedAt:string, endedAt:string, summary:#SwarmSummary, "
                + "criticalPath:#SwarmCriticalPath"));
        schemas.set("SwarmTask", object("key!:string, title!:string, agentId!:string, dependencies!:[string], "
                + "status!:string, attempts:integer, startedAt:string, endedAt:string, durationMs:integer, "
                + "turns:integer, tokens:integer, costUsd:number, result:string, resultUri:string, error:string, "
                + "reason:string"));
    }

    /** A stored resource as the API shows it: the document's fields plus id, version and times. */
    private static ObjectNode stored(Class<?> doc) {
        ObjectNode schema = schema(doc, 0);
        ObjectNode envelope = object("id!:string, version!:integer, createdAt!:string, updatedAt!:string");
        ((ObjectNode) schema.get("properties")).setAll((ObjectNode) envelope.get("properties"));
        schema.set("required", envelope.get("required"));
        return schema;
    }

    /**
     * A closed object schema from a compact list: {@code name!:type} ({@code !} = required), where type is
     * {@code string}, {@code integer}, {@code number}, {@code boolean}, {@code object}, {@code #Schema} (a reference)
     * or {@code [type]} (an array of it).
     */
    static ObjectNode object(String fields) {
        ObjectNode schema = Json.MAPPER.createObjectNode().put("type", "object").put("additionalProperties", false);
        ObjectNode properties = schema.putObject("properties");
        ArrayNode required = Json.MAPPER.createArrayNode();
        for (String field : fields.split(",\\s*")) {
            String[] parts = field.strip().split(":", 2);
            String name = parts[0];
            if (name.endsWith("!")) {
                name = name.substring(0, name.length() - 1);
                required.add(name);
            }
            properties.set(name, type(parts[1]));
        }
        if (!required.isEmpty()) {
            schema.set("required", required);
        }
        return schema;
    }

    private static ObjectNode type(String spec) {
        ObjectNode type = Json.MAPPER.createObjectNode();
        if (spec.startsWith("[")) {
            type.put("type", "array").set("items", type(spec.substring(1, spec.length() - 1)));
        } else if (spec.startsWith("#")) {
            type.put("$ref", "#/components/schemas/" + spec.substring(1));
        } else {
            type.put("type", spec);
        }
        return type;
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
