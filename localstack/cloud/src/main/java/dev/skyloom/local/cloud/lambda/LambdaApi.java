package dev.skyloom.local.cloud.lambda;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.skyloom.local.cloud.edge.ServiceHandler;
import dev.skyloom.local.cloud.http.HttpExchanges;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Lambda REST-JSON API on the edge: CreateFunction, GetFunction, GetFunctionConfiguration, ListFunctions,
 * UpdateFunctionCode, UpdateFunctionConfiguration, DeleteFunction, Put/Get/DeleteFunctionConcurrency and Invoke
 * (RequestResponse, Event, DryRun), with AWS's request shapes, status codes and errors.
 */
public final class LambdaApi implements ServiceHandler {
    private static final Pattern FUNCTIONS = Pattern.compile("/2015-03-31/functions/?");
    private static final Pattern FUNCTION = Pattern.compile("/2015-03-31/functions/([^/]+)/?");
    private static final Pattern CONFIGURATION = Pattern.compile("/2015-03-31/functions/([^/]+)/configuration/?");
    private static final Pattern CODE = Pattern.compile("/2015-03-31/functions/([^/]+)/code/?");
    private static final Pattern INVOCATIONS = Pattern.compile("/2015-03-31/functions/([^/]+)/invocations/?");
    private static final Pattern CONCURRENCY = Pattern.compile("/(?:2017-10-31|2019-09-30)/functions/([^/]+)/concurrency/?");
    /** Lambda accepts request documents up to this size on its control plane (a 50 MB zip, base64-encoded). */
    private static final int MAX_CONTROL_BODY = 70 * 1024 * 1024;

    private final LocalLambda lambda;
    private final ObjectMapper json = new ObjectMapper();

    public LambdaApi(LocalLambda lambda) {
        this.lambda = lambda;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getRawPath();
        try {
            Matcher m;
            if ((m = INVOCATIONS.matcher(path)).matches() && method.equals("POST")) {
                invoke(exchange, decode(m.group(1)));
            } else if (FUNCTIONS.matcher(path).matches() && method.equals("POST")) {
                JsonNode body = readJson(exchange);
                FunctionConfig created = lambda.create(createRequest(body));
                sendJson(exchange, 201, configuration(created));
            } else if (FUNCTIONS.matcher(path).matches() && method.equals("GET")) {
                list(exchange);
            } else if ((m = FUNCTION.matcher(path)).matches() && method.equals("GET")) {
                FunctionConfig config = lambda.get(decode(m.group(1)));
                ObjectNode body = json.createObjectNode();
                body.set("Configuration", configuration(config));
                body.set("Code", json.createObjectNode().put("RepositoryType", "S3")
                        .put("Location", config.codeLocation()));
                if (config.reservedConcurrency() != null) {
                    body.set("Concurrency", json.createObjectNode()
                            .put("ReservedConcurrentExecutions", config.reservedConcurrency()));
                }
                body.set("Tags", json.createObjectNode());
                sendJson(exchange, 200, body);
            } else if ((m = FUNCTION.matcher(path)).matches() && method.equals("DELETE")) {
                lambda.delete(decode(m.group(1)));
                HttpExchanges.send(exchange, 204, null, null);
            } else if ((m = CONFIGURATION.matcher(path)).matches() && method.equals("GET")) {
                sendJson(exchange, 200, configuration(lambda.get(decode(m.group(1)))));
            } else if ((m = CONFIGURATION.matcher(path)).matches() && method.equals("PUT")) {
                JsonNode body = readJson(exchange);
                FunctionConfig updated = lambda.updateConfiguration(decode(m.group(1)), text(body, "Handler"),
                        text(body, "Runtime"), text(body, "Role"), text(body, "Description"),
                        integer(body, "Timeout"), integer(body, "MemorySize"), environment(body));
                sendJson(exchange, 200, configuration(updated));
            } else if ((m = CODE.matcher(path)).matches() && method.equals("PUT")) {
                JsonNode body = readJson(exchange);
                FunctionConfig updated = lambda.updateCode(decode(m.group(1)), zip(body.get("ZipFile")),
                        text(body, "S3Bucket"), text(body, "S3Key"));
                sendJson(exchange, 200, configuration(updated));
            } else if ((m = CONCURRENCY.matcher(path)).matches() && method.equals("PUT")) {
                JsonNode body = readJson(exchange);
                Integer reserved = integer(body, "ReservedConcurrentExecutions");
                if (reserved == null) {
                    throw LambdaException.validation("reservedConcurrentExecutions", "null",
                            "Member must not be null");
                }
                lambda.putConcurrency(decode(m.group(1)), reserved);
                sendJson(exchange, 200, json.createObjectNode().put("ReservedConcurrentExecutions", reserved));
            } else if ((m = CONCURRENCY.matcher(path)).matches() && method.equals("GET")) {
                FunctionConfig config = lambda.get(decode(m.group(1)));
                ObjectNode body = json.createObjectNode();
                if (config.reservedConcurrency() != null) {
                    body.put("ReservedConcurrentExecutions", config.reservedConcurrency());
                }
                sendJson(exchange, 200, body);
            } else if ((m = CONCURRENCY.matcher(path)).matches() && method.equals("DELETE")) {
                lambda.putConcurrency(decode(m.group(1)), null);
                HttpExchanges.send(exchange, 204, null, null);
            } else {
                throw new LambdaException(400, "UnknownOperationException", "The local Lambda service has no "
                        + "operation for " + method + " " + path + ". Supported: CreateFunction, GetFunction, "
                        + "GetFunctionConfiguration, ListFunctions, UpdateFunctionCode, UpdateFunctionConfiguration, "
                        + "DeleteFunction, Put/Get/DeleteFunctionConcurrency, Invoke");
            }
        } catch (LambdaException e) {
            error(exchange, e);
        } catch (HttpExchanges.BodyTooLargeException e) {
            error(exchange, new LambdaException(413, "RequestTooLargeException", e.getMessage()));
        }
    }

    private void invoke(HttpExchange exchange, String function) throws IOException {
        String type = exchange.getRequestHeaders().getFirst("X-Amz-Invocation-Type");
        type = type == null ? "RequestResponse" : type;
        byte[] payload;
        try {
            payload = HttpExchanges.readBody(exchange, LocalLambda.MAX_SYNC_PAYLOAD);
        } catch (HttpExchanges.BodyTooLargeException e) {
            throw new LambdaException(413, "RequestTooLargeException", "Request must be smaller than "
                    + LocalLambda.MAX_SYNC_PAYLOAD + " bytes for the InvokeFunction operation");
        }
        switch (type) {
            case "RequestResponse" -> {
                boolean tail = "Tail".equals(exchange.getRequestHeaders().getFirst("X-Amz-Log-Type"));
                InvocationResult result = lambda.invoke(function, payload, tail);
                exchange.getResponseHeaders().set("X-Amz-Executed-Version", "$LATEST");
                if (result.functionError() != null) {
                    exchange.getResponseHeaders().set("X-Amz-Function-Error", result.functionError());
                }
                if (result.logTail() != null) {
                    exchange.getResponseHeaders().set("X-Amz-Log-Result",
                            Base64.getEncoder().encodeToString(result.logTail()));
                }
                HttpExchanges.send(exchange, result.status(), "application/json", result.payload());
            }
            case "Event" -> {
                String requestId = lambda.invokeAsync(function, payload);
                exchange.getResponseHeaders().set("x-amzn-RequestId", requestId);
                HttpExchanges.send(exchange, 202, null, null);
            }
            case "DryRun" -> {
                lambda.dryRun(function, payload);
                HttpExchanges.send(exchange, 204, null, null);
            }
            default -> throw LambdaException.validation("invocationType", type,
                    "Member must satisfy enum value set: [Event, RequestResponse, DryRun]");
        }
    }

    private void list(HttpExchange exchange) throws IOException {
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        int max = 50;
        if (query.containsKey("MaxItems")) {
            try {
                max = Integer.parseInt(query.get("MaxItems"));
            } catch (NumberFormatException e) {
                max = -1;
            }
            if (max < 1 || max > 10_000) {
                throw LambdaException.validation("maxItems", query.get("MaxItems"),
                        "Member must have value between 1 and 10000");
            }
        }
        List<FunctionConfig> all = lambda.list();
        int from = 0;
        String marker = query.get("Marker");
        if (marker != null) {
            String after = new String(Base64.getUrlDecoder().decode(marker), StandardCharsets.UTF_8);
            while (from < all.size() && all.get(from).functionName().compareTo(after) <= 0) {
                from++;
            }
        }
        ObjectNode body = json.createObjectNode();
        ArrayNode functions = body.putArray("Functions");
        int to = Math.min(all.size(), from + max);
        for (int i = from; i < to; i++) {
            functions.add(configuration(all.get(i)));
        }
        if (to < all.size()) {
            body.put("NextMarker", Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(all.get(to - 1).functionName().getBytes(StandardCharsets.UTF_8)));
        }
        sendJson(exchange, 200, body);
    }

    private LocalLambda.CreateRequest createRequest(JsonNode body) {
        JsonNode code = body.get("Code");
        if (code == null || !code.isObject()) {
            throw LambdaException.validation("code", "null", "Member must not be null");
        }
        String packageType = text(body, "PackageType");
        if (packageType != null && !packageType.equals("Zip")) {
            throw LambdaException.invalid("PackageType " + packageType + " is not supported by the local Lambda "
                    + "service; use Zip with a Java runtime");
        }
        return new LocalLambda.CreateRequest(text(body, "FunctionName"), text(body, "Runtime"),
                text(body, "Handler"), text(body, "Role"), text(body, "Description"), integer(body, "Timeout"),
                integer(body, "MemorySize"), environment(body), zip(code.get("ZipFile")), text(code, "S3Bucket"),
                text(code, "S3Key"));
    }

    private static byte[] zip(JsonNode zipFile) {
        if (zipFile == null || zipFile.isNull()) {
            return null;
        }
        try {
            return Base64.getDecoder().decode(zipFile.asText());
        } catch (IllegalArgumentException e) {
            throw LambdaException.invalid("ZipFile is not valid base64: " + e.getMessage());
        }
    }

    private static Map<String, String> environment(JsonNode body) {
        JsonNode variables = body.path("Environment").path("Variables");
        if (variables.isMissingNode() || variables.isNull()) {
            return null;
        }
        if (!variables.isObject()) {
            throw LambdaException.invalid("Environment.Variables must be a map of strings");
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = variables.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getKey().matches("[a-zA-Z]\\w*")) {
                throw LambdaException.validation("environment.variables", e.getKey(),
                        "Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+");
            }
            env.put(e.getKey(), e.getValue().asText());
        }
        return env;
    }

    private ObjectNode configuration(FunctionConfig c) {
        ObjectNode node = json.createObjectNode();
        node.put("FunctionName", c.functionName());
        node.put("FunctionArn", lambda.functionArn(c.functionName()));
        node.put("Runtime", c.runtime());
        node.put("Role", c.role());
        node.put("Handler", c.handler());
        node.put("CodeSize", c.codeSize());
        node.put("Description", c.description());
        node.put("Timeout", c.timeout());
        node.put("MemorySize", c.memorySize());
        node.put("LastModified", c.lastModified());
        node.put("CodeSha256", c.codeSha256());
        node.put("Version", "$LATEST");
        ObjectNode variables = json.createObjectNode();
        c.environment().forEach(variables::put);
        node.set("Environment", json.createObjectNode().set("Variables", variables));
        node.set("TracingConfig", json.createObjectNode().put("Mode", "PassThrough"));
        node.put("RevisionId", c.revisionId());
        node.put("State", "Active");
        node.put("LastUpdateStatus", "Successful");
        node.put("PackageType", "Zip");
        node.putArray("Architectures").add("x86_64");
        node.set("EphemeralStorage", json.createObjectNode().put("Size", 512));
        node.set("LoggingConfig", json.createObjectNode().put("LogFormat", "Text")
                .put("LogGroup", "/aws/lambda/" + c.functionName()));
        return node;
    }

    private JsonNode readJson(HttpExchange exchange) throws IOException {
        byte[] body = HttpExchanges.readBody(exchange, MAX_CONTROL_BODY);
        if (body.length == 0) {
            return json.createObjectNode();
        }
        try {
            JsonNode node = json.readTree(body);
            if (node == null || !node.isObject()) {
                throw new LambdaException(400, "SerializationException", "The request body must be a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new LambdaException(400, "SerializationException",
                    "Could not parse the request body as JSON: " + e.getOriginalMessage());
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new LambdaException(400, "SerializationException", "Field " + field + " must be a string");
        }
        return value.asText();
    }

    private static Integer integer(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.canConvertToInt() || !value.isIntegralNumber()) {
            throw new LambdaException(400, "SerializationException", "Field " + field + " must be an integer");
        }
        return value.asInt();
    }

    private static String decode(String segment) {
        return URLDecoder.decode(segment, StandardCharsets.UTF_8);
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> query = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return query;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq));
            query.put(key, eq < 0 ? "" : decode(pair.substring(eq + 1)));
        }
        return query;
    }

    private void sendJson(HttpExchange exchange, int status, JsonNode body) throws IOException {
        HttpExchanges.send(exchange, status, "application/json", json.writeValueAsBytes(body));
    }

    private void error(HttpExchange exchange, LambdaException e) throws IOException {
        ObjectNode body = json.createObjectNode();
        body.put("Type", e.status() >= 500 ? "Service" : "User");
        body.put("Message", e.getMessage());
        e.extra().forEach(body::put);
        exchange.getResponseHeaders().set("x-amzn-ErrorType", e.code());
        exchange.getResponseHeaders().set("x-amzn-RequestId", java.util.UUID.randomUUID().toString());
        HttpExchanges.send(exchange, e.status(), "application/json", json.writeValueAsBytes(body));
    }
}
