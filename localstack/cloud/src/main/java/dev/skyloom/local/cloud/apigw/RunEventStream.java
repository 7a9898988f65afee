package dev.skyloom.local.cloud.apigw;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.skyloom.local.cloud.http.HttpExchanges;
import dev.skyloom.local.cloud.lambda.InvocationResult;
import dev.skyloom.local.cloud.lambda.LambdaException;
import dev.skyloom.local.cloud.lambda.LocalLambda;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/v1/runs/{runId}/stream} (and {@code /swarms/{swarmId}/stream}, made of calls to the swarm events
 * route the same way): a run's events as Server-Sent Events, on the local API Gateway only (an
 * API Gateway REST API cannot stream; on AWS the console long-polls {@code GET /runs/{runId}/events?wait=}).
 *
 * <p>The stream is made of calls to the API function's own events route ({@code ?after=<last seq>&wait=20}) with the
 * client's headers, so authentication, scopes, rate limits and tenancy are decided in one place. The first call's
 * error (401, 403, 400, 429; 404 for a run without events in the caller's tenant, after waiting for a first
 * event once) is the stream's answer; once streaming, each event is written as {@code id: <seq>},
 * {@code event: <type>}, {@code data: <the item as JSON>}, and an empty poll as a comment, which also finds out
 * that the client has gone. The client resumes with {@code Last-Event-ID} (or {@code ?after=} on a first connect,
 * since a browser's EventSource cannot set headers): nothing is lost across reconnects.
 */
final class RunEventStream {
    private static final Logger LOG = LoggerFactory.getLogger(RunEventStream.class);
    /** A run's stream, or a swarm's ({@code /swarms/{swarmId}/stream}, served by the swarm events route). */
    static final Pattern PATH = Pattern.compile(ApiGateway.API_PREFIX + "/(runs|swarms)/([^/]+)/stream");
    /** Seconds each events call waits for news (the API allows up to 25). */
    static final int WAIT_SECONDS = 20;
    static final int RETRY_MILLIS = 2000;

    private final LocalLambda lambda;
    private final String apiFunction;
    private final ObjectMapper json;
    /** Builds the proxy event for the events route: (after, wait) to the event. */
    private final Function<Query, ObjectNode> events;

    /** @param runId the run's or swarm's id; {@code collection} {@code runs} or {@code swarms} */
    record Query(HttpExchange exchange, String collection, String runId, long after, int waitSeconds) {
    }

    /** A stream request: the collection ({@code runs}, {@code swarms}) and the id. */
    record Target(String collection, String id) {
    }

    RunEventStream(LocalLambda lambda, String apiFunction, ObjectMapper json, Function<Query, ObjectNode> events) {
        this.lambda = lambda;
        this.apiFunction = apiFunction;
        this.json = json;
        this.events = events;
    }

    static Optional<Target> target(String method, String rawPath) {
        Matcher m = PATH.matcher(rawPath);
        return method.equals("GET") && m.matches() ? Optional.of(new Target(m.group(1), m.group(2)))
                : Optional.empty();
    }

    void serve(HttpExchange exchange, Target target) throws IOException {
        String runId = target.id();
        String resume = exchange.getRequestHeaders().getFirst("Last-Event-ID");
        if (resume == null || resume.isBlank()) {
            resume = ApiGatewayQuery.first(exchange.getRequestURI().getRawQuery(), "after").orElse("0");
        }
        long after;
        try {
            after = Long.parseLong(resume.strip());
            if (after < 0) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            HttpExchanges.sendJson(exchange, 400, json.createObjectNode().set("error", json.createObjectNode()
                    .put("code", "INVALID_REQUEST").put("message", "Last-Event-ID (or ?after=) must be the sequence "
                            + "number of the last event received (0 or more), was '" + resume + "'")).toString());
            return;
        }
        OutputStream out = null;
        try {
            while (true) {
                JsonNode response = call(new Query(exchange, target.collection(), runId, after, out == null ? 0 : WAIT_SECONDS));
                int status = response.path("statusCode").asInt(502);
                if (out == null && status == 404 && target.collection().equals("runs")) {
                    // a run just started may not have its first event yet: wait for it once before answering 404
                    // (a swarm is stored when it starts: its 404 is final)
                    response = call(new Query(exchange, target.collection(), runId, after, WAIT_SECONDS));
                    status = response.path("statusCode").asInt(502);
                }
                if (out == null) {
                    if (status != 200) {
                        HttpExchanges.send(exchange, status, "application/json",
                                response.path("body").asText("").getBytes(StandardCharsets.UTF_8));
                        return;
                    }
                    exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
                    exchange.getResponseHeaders().set("Cache-Control", "no-store");
                    exchange.getResponseHeaders().set("X-Accel-Buffering", "no");
                    exchange.sendResponseHeaders(200, 0);
                    out = exchange.getResponseBody();
                    out.write(("retry: " + RETRY_MILLIS + "\n\n").getBytes(StandardCharsets.UTF_8));
                } else if (status != 200) {
                    // a revoked key, a rate limit, a failing function: say so and end; the client reconnects
                    out.write(("event: error\ndata: " + json.createObjectNode().put("status", status)
                            .put("body", response.path("body").asText("")) + "\n\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    return;
                }
                JsonNode page = json.readTree(response.path("body").asText("{}"));
                StringBuilder chunk = new StringBuilder();
                for (JsonNode item : page.path("items")) {
                    after = item.path("seq").asLong();
                    chunk.append("id: ").append(after).append('\n')
                            .append("event: ").append(item.path("type").asText().replaceAll("[\\r\\n]", " "))
                            .append('\n')
                            .append("data: ").append(json.writeValueAsString(item)).append("\n\n");
                }
                if (chunk.isEmpty()) {
                    chunk.append(": waiting after ").append(after).append("\n\n");
                }
                out.write(chunk.toString().getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException e) {
            LOG.debug("event stream ended: the client went away runId={} after={}", runId, after);
        } finally {
            exchange.close();
        }
    }

    private JsonNode call(Query query) throws IOException {
        try {
            InvocationResult result = lambda.invoke(apiFunction, json.writeValueAsBytes(events.apply(query)), false);
            if (result.failed()) {
                LOG.warn("event stream: the API function failed runId={} error={}", query.runId(),
                        new String(result.payload(), StandardCharsets.UTF_8));
                return json.createObjectNode().put("statusCode", 502).put("body", "{\"message\":\"Internal server error\"}");
            }
            return json.readTree(result.payload());
        } catch (LambdaException e) {
            return json.createObjectNode().put("statusCode", e.status() == 429 ? 429 : 500)
                    .put("body", "{\"message\":\"" + (e.status() == 429 ? "Too Many Requests" : "Internal server error")
                            + "\"}");
        }
    }
}
