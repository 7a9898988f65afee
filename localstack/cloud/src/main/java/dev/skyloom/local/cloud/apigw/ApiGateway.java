package dev.skyloom.local.cloud.apigw;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.skyloom.local.cloud.http.HttpExchanges;
import dev.skyloom.local.cloud.lambda.InvocationResult;
import dev.skyloom.local.cloud.lambda.LambdaException;
import dev.skyloom.local.cloud.lambda.LocalLambda;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local API Gateway on http://localhost:8080: {@code /api/v1/*} becomes an API Gateway REST API proxy event
 * (payload format 1.0) for the API Lambda, exactly what API Gateway sends it on AWS; every other path serves the
 * console's static build.
 */
public final class ApiGateway implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ApiGateway.class);
    /** API Gateway's payload limit. */
    static final int MAX_BODY = 10 * 1024 * 1024;
    static final String API_PREFIX = "/api/v1";
    static final String STAGE = "local";

    private final InetSocketAddress address;
    private final LocalLambda lambda;
    private final String apiFunction;
    private final StaticSite site;
    private final ObjectMapper json = new ObjectMapper();
    private final RunEventStream eventStream;
    private HttpServer server;
    private ExecutorService executor;

    public ApiGateway(InetSocketAddress address, LocalLambda lambda, String apiFunction, StaticSite site) {
        this.address = address;
        this.lambda = lambda;
        this.apiFunction = apiFunction;
        this.site = site;
        this.eventStream = new RunEventStream(lambda, apiFunction, json, this::eventsRequest);
    }

    public void start() throws IOException {
        executor = Executors.newVirtualThreadPerTaskExecutor();
        server = HttpServer.create(address, 256);
        server.setExecutor(executor);
        server.createContext("/", this::dispatch);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void dispatch(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        try {
            java.util.Optional<RunEventStream.Target> streamed = RunEventStream.target(exchange.getRequestMethod(),
                    path);
            if (streamed.isPresent()) {
                eventStream.serve(exchange, streamed.get());
            } else if (path.equals(API_PREFIX) || path.startsWith(API_PREFIX + "/")) {
                proxy(exchange);
            } else {
                site.serve(exchange);
            }
        } catch (HttpExchanges.BodyTooLargeException e) {
            HttpExchanges.sendJson(exchange, 413, "{\"message\":\"Request Too Long\"}");
        } catch (IOException | RuntimeException e) {
            LOG.error("api gateway request failed method={} path={}", exchange.getRequestMethod(), path, e);
            try {
                HttpExchanges.sendJson(exchange, 500, "{\"message\":\"Internal server error\"}");
            } catch (IOException | RuntimeException ignored) {
                exchange.close();
            }
        }
    }

    private void proxy(HttpExchange exchange) throws IOException {
        byte[] body = HttpExchanges.readBody(exchange, MAX_BODY);
        String requestId = UUID.randomUUID().toString();
        ObjectNode event = event(exchange, body, requestId);
        InvocationResult result;
        try {
            result = lambda.invoke(apiFunction, json.writeValueAsBytes(event), false);
        } catch (LambdaException e) {
            LOG.warn("api gateway integration failed requestId={} code={} message={}", requestId, e.code(),
                    e.getMessage());
            exchange.getResponseHeaders().set("x-amzn-RequestId", requestId);
            exchange.getResponseHeaders().set("x-amzn-ErrorType", "InternalServerErrorException");
            HttpExchanges.sendJson(exchange, e.status() == 429 ? 429 : 500,
                    e.status() == 429 ? "{\"message\":\"Too Many Requests\"}" : "{\"message\":\"Internal server error\"}");
            return;
        }
        exchange.getResponseHeaders().set("x-amzn-RequestId", requestId);
        if (result.failed()) {
            LOG.warn("api function failed requestId={} error={}", requestId,
                    new String(result.payload(), StandardCharsets.UTF_8));
            boolean timedOut = new String(result.payload(), StandardCharsets.UTF_8).contains("Sandbox.Timedout");
            HttpExchanges.sendJson(exchange, timedOut ? 504 : 502, timedOut
                    ? "{\"message\":\"Endpoint request timed out\"}" : "{\"message\":\"Internal server error\"}");
            return;
        }
        JsonNode response;
        try {
            response = json.readTree(result.payload());
        } catch (IOException e) {
            response = null;
        }
        if (response == null || !response.isObject() || !response.path("statusCode").canConvertToInt()) {
            LOG.warn("api function returned a malformed proxy response requestId={}", requestId);
            HttpExchanges.sendJson(exchange, 502, "{\"message\":\"Internal server error\"}");
            return;
        }
        respond(exchange, response);
    }

    private void respond(HttpExchange exchange, JsonNode response) throws IOException {
        JsonNode headers = response.path("headers");
        for (Iterator<Map.Entry<String, JsonNode>> it = headers.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> header = it.next();
            exchange.getResponseHeaders().set(header.getKey(), header.getValue().asText());
        }
        JsonNode multi = response.path("multiValueHeaders");
        for (Iterator<Map.Entry<String, JsonNode>> it = multi.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> header = it.next();
            List<String> values = new ArrayList<>();
            header.getValue().forEach(v -> values.add(v.asText()));
            exchange.getResponseHeaders().put(header.getKey(), values);
        }
        byte[] body;
        JsonNode bodyNode = response.path("body");
        if (bodyNode.isMissingNode() || bodyNode.isNull()) {
            body = new byte[0];
        } else if (response.path("isBase64Encoded").asBoolean(false)) {
            body = Base64.getDecoder().decode(bodyNode.asText());
        } else {
            body = bodyNode.asText().getBytes(StandardCharsets.UTF_8);
        }
        if (exchange.getResponseHeaders().getFirst("Content-Type") == null && body.length > 0) {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
        }
        HttpExchanges.send(exchange, response.path("statusCode").asInt(), null, body);
    }

    private ObjectNode event(HttpExchange exchange, byte[] body, String requestId) {
        String path = exchange.getRequestURI().getRawPath();
        String decodedPath = URLDecoder.decode(path.replace("+", "%2B"), StandardCharsets.UTF_8);
        ObjectNode event = json.createObjectNode();
        event.put("resource", API_PREFIX + "/{proxy+}");
        event.put("path", decodedPath);
        event.put("httpMethod", exchange.getRequestMethod());
        ObjectNode headers = event.putObject("headers");
        ObjectNode multiHeaders = event.putObject("multiValueHeaders");
        exchange.getRequestHeaders().forEach((name, values) -> {
            headers.put(name, values.getLast());
            ArrayNode all = multiHeaders.putArray(name);
            values.forEach(all::add);
        });
        Map<String, List<String>> query = query(exchange.getRequestURI().getRawQuery());
        if (query.isEmpty()) {
            event.putNull("queryStringParameters");
            event.putNull("multiValueQueryStringParameters");
        } else {
            ObjectNode single = event.putObject("queryStringParameters");
            ObjectNode multiple = event.putObject("multiValueQueryStringParameters");
            query.forEach((key, values) -> {
                single.put(key, values.getLast());
                ArrayNode all = multiple.putArray(key);
                values.forEach(all::add);
            });
        }
        String proxy = decodedPath.length() > API_PREFIX.length() + 1 ? decodedPath.substring(API_PREFIX.length() + 1) : "";
        event.putObject("pathParameters").put("proxy", proxy);
        event.putNull("stageVariables");
        ObjectNode context = event.putObject("requestContext");
        context.put("resourcePath", API_PREFIX + "/{proxy+}");
        context.put("httpMethod", exchange.getRequestMethod());
        context.put("path", "/" + STAGE + decodedPath);
        context.put("stage", STAGE);
        context.put("requestId", requestId);
        context.put("extendedRequestId", requestId);
        context.put("requestTimeEpoch", Instant.now().toEpochMilli());
        context.put("protocol", exchange.getProtocol());
        context.put("accountId", "000000000000");
        context.put("apiId", "local");
        context.put("domainName", String.valueOf(exchange.getRequestHeaders().getFirst("Host")));
        ObjectNode identity = context.putObject("identity");
        identity.put("sourceIp", exchange.getRemoteAddress().getAddress().getHostAddress());
        identity.put("userAgent", exchange.getRequestHeaders().getFirst("User-Agent"));
        if (body.length == 0) {
            event.putNull("body");
            event.put("isBase64Encoded", false);
        } else if (isText(exchange.getRequestHeaders().getFirst("Content-Type"))) {
            event.put("body", new String(body, StandardCharsets.UTF_8));
            event.put("isBase64Encoded", false);
        } else {
            event.put("body", Base64.getEncoder().encodeToString(body));
            event.put("isBase64Encoded", true);
        }
        return event;
    }

    /** The proxy event of {@code GET /runs/{runId}/events?after=&wait=} with the stream request's headers. */
    private ObjectNode eventsRequest(RunEventStream.Query query) {
        ObjectNode event = event(query.exchange(), new byte[0], UUID.randomUUID().toString());
        String path = API_PREFIX + "/" + query.collection() + "/" + URLDecoder.decode(query.runId(),
                StandardCharsets.UTF_8) + "/events";
        event.put("path", path);
        event.put("httpMethod", "GET");
        ObjectNode single = event.putObject("queryStringParameters");
        single.put("after", Long.toString(query.after())).put("wait", Integer.toString(query.waitSeconds()));
        ObjectNode multiple = event.putObject("multiValueQueryStringParameters");
        single.properties().forEach(e -> multiple.putArray(e.getKey()).add(e.getValue().asText()));
        event.putObject("pathParameters").put("proxy", path.substring(API_PREFIX.length() + 1));
        ObjectNode context = (ObjectNode) event.get("requestContext");
        context.put("httpMethod", "GET");
        context.put("path", "/" + STAGE + path);
        return event;
    }

    private static boolean isText(String contentType) {
        if (contentType == null) {
            return true;
        }
        String type = contentType.toLowerCase(Locale.ROOT);
        return type.startsWith("text/") || type.contains("json") || type.contains("xml") || type.contains("yaml")
                || type.startsWith("application/x-www-form-urlencoded") || type.startsWith("application/javascript");
    }

    private static Map<String, List<String>> query(String raw) {
        Map<String, List<String>> query = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return query;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            query.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        }
        return query;
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
            server = null;
        }
        if (executor != null) {
            executor.shutdownNow();
        }
    }
}
