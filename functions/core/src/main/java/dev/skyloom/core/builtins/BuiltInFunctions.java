package dev.skyloom.core.builtins;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.jayway.jsonpath.Configuration;
import com.jayway.jsonpath.InvalidPathException;
import com.jayway.jsonpath.JsonPath;
import com.jayway.jsonpath.PathNotFoundException;
import com.jayway.jsonpath.spi.json.JacksonJsonNodeJsonProvider;
import com.jayway.jsonpath.spi.mapper.JacksonMappingProvider;
import dev.skyloom.core.agent.tools.HttpRequestTool;
import dev.skyloom.core.agent.tools.JsonSchemaCheck;
import dev.skyloom.core.agent.tools.ToolResult;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * The built-in functions of pipeline {@code lambda} steps. The payload is what the compiled state machine sends
 * ({@code {tenantId, runId, stepId, function, input, parameters}}); the answer is the step's output.
 *
 * <ul>
 *   <li>{@code http_request}: {@code parameters} as the agent tool's input ({@code url}, {@code method},
 *       {@code headers}, {@code body}), checked against the tool's schema; the request goes through the tool
 *       itself (public addresses only, redirects re-checked, size and time limits). Answers {@code {status, url,
 *       headers, body, truncated, json}} ({@code json}: the body parsed, when it is JSON). A status of 400 or more
 *       fails the step, so {@code maxRetries} retries it.</li>
 *   <li>{@code json_transform}: a JSONPath {@code parameters.expression} (Jayway JsonPath: {@code $.a.b},
 *       {@code $.items[*].id}, filters {@code $.items[?(@.open == true)]}; {@code [?(@.open)]} only tests
 *       that the field exists) evaluated on {@code parameters.document}, else the step's
 *       {@code input} (JSON, or a string holding JSON); no document (null or absent) answers null. Answers the selected value: a definite path its value (or
 *       null when absent), an indefinite one the list of matches.</li>
 * </ul>
 */
public final class BuiltInFunctions {
    public static final String HTTP_REQUEST = "http_request";
    public static final String JSON_TRANSFORM = "json_transform";
    public static final List<String> NAMES = List.of(HTTP_REQUEST, JSON_TRANSFORM);
    /** The longest JSONPath expression accepted. */
    public static final int MAX_EXPRESSION_CHARS = 1_000;
    private static final int BODY_EXCERPT = 300;

    private final HttpRequestTool http;
    private final ObjectMapper json;
    private final Configuration paths;

    public BuiltInFunctions(HttpRequestTool http, ObjectMapper json) {
        this.http = http;
        this.json = json;
        this.paths = Configuration.builder().jsonProvider(new JacksonJsonNodeJsonProvider(json))
                .mappingProvider(new JacksonMappingProvider(json)).build();
    }

    /** Runs the function the payload names; throws {@link BuiltInFunctionException} saying what was wrong. */
    public JsonNode invoke(JsonNode payload) {
        if (payload == null || !payload.isObject()) {
            throw new BuiltInFunctionException("the payload must be a JSON object {function, input, parameters}");
        }
        String function = payload.path("function").asText("");
        JsonNode parameters = payload.get("parameters");
        return switch (function) {
            case HTTP_REQUEST -> httpRequest(parameters);
            case JSON_TRANSFORM -> jsonTransform(payload.get("input"), parameters);
            default -> throw new BuiltInFunctionException("function '" + abbreviate(function, 80)
                    + "' is not a built-in function; built-in functions are: " + String.join(", ", NAMES));
        };
    }

    private JsonNode httpRequest(JsonNode parameters) {
        if (parameters == null || !parameters.isObject()) {
            throw new BuiltInFunctionException("http_request needs parameters {url, method?, headers?, body?}");
        }
        List<String> problems = JsonSchemaCheck.problems(http.spec().inputSchema(), parameters, "parameters");
        if (!problems.isEmpty()) {
            throw new BuiltInFunctionException("http_request: invalid parameters: " + String.join("; ", problems)
                    + " (valid: url (http or https), method GET|POST|PUT|PATCH|DELETE|HEAD, headers (a mapping of "
                    + "strings), body (a string))");
        }
        ToolResult result = http.request(parameters, Optional.empty());
        if (result.error()) {
            throw new BuiltInFunctionException("http_request: " + result.content());
        }
        ObjectNode out;
        try {
            out = (ObjectNode) json.readTree(result.content());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("http_request answered something that is not JSON", e);
        }
        int status = out.path("status").asInt();
        String body = out.path("body").asText("");
        if (status >= 400) {
            throw new BuiltInFunctionException("http_request: " + parameters.path("method").asText("GET") + " "
                    + out.path("url").asText() + " answered " + status + ": " + abbreviate(body, BODY_EXCERPT));
        }
        JsonNode parsed = parse(body);
        out.set("json", parsed == null ? NullNode.getInstance() : parsed);
        return out;
    }

    private JsonNode jsonTransform(JsonNode input, JsonNode parameters) {
        if (parameters == null || !parameters.isObject()) {
            throw new BuiltInFunctionException("json_transform needs parameters {expression}: a JSONPath such as "
                    + "$.items[?(@.open == true)]");
        }
        List<String> unknown = new ArrayList<>();
        for (Iterator<String> names = parameters.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!name.equals("expression") && !name.equals("document")) {
                unknown.add(name);
            }
        }
        if (!unknown.isEmpty()) {
            throw new BuiltInFunctionException("json_transform: unknown parameters " + unknown
                    + "; the parameters are expression and document (or the step's input)");
        }
        JsonNode expressionNode = parameters.get("expression");
        if (expressionNode == null || !expressionNode.isTextual() || !expressionNode.asText().startsWith("$")
                || expressionNode.asText().length() > MAX_EXPRESSION_CHARS) {
            throw new BuiltInFunctionException("json_transform: parameters.expression must be a JSONPath of at "
                    + "most " + MAX_EXPRESSION_CHARS + " characters starting with $ (such as $.items[*].id), was "
                    + (expressionNode == null ? "missing" : abbreviate(expressionNode.toString(), 100)));
        }
        JsonNode given = parameters.has("document") ? parameters.get("document") : input;
        if (given == null || given.isNull() || given.isMissingNode()) {
            return NullNode.getInstance(); // nothing to select from (an earlier step without structured output)
        }
        JsonNode document = given;
        if (given.isTextual()) {
            document = parse(given.asText());
            if (document == null) {
                throw new BuiltInFunctionException("json_transform: the document is text that is not JSON ("
                        + abbreviate(given.asText(), 100) + "); give it JSON, such as {{steps.fetch.outputs.json}}");
            }
        }
        JsonPath path;
        try {
            path = JsonPath.compile(expressionNode.asText());
        } catch (InvalidPathException e) {
            throw new BuiltInFunctionException("json_transform: the expression " + abbreviate(
                    expressionNode.asText(), 100) + " is not a valid JSONPath: " + e.getMessage());
        }
        try {
            JsonNode value = path.read(document, paths);
            return value == null ? NullNode.getInstance() : value;
        } catch (PathNotFoundException e) {
            return NullNode.getInstance();
        } catch (InvalidPathException e) {
            throw new BuiltInFunctionException("json_transform: the expression " + abbreviate(
                    expressionNode.asText(), 100) + " cannot be evaluated: " + e.getMessage());
        }
    }

    private JsonNode parse(String text) {
        String trimmed = text.strip();
        if (trimmed.isEmpty()) {
            return null;
        }
        try {
            return json.readTree(trimmed);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static String abbreviate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max) + "...";
    }
}
