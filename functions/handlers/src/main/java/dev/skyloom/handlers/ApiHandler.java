package dev.skyloom.handlers;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.core.api.Api;
import dev.skyloom.core.api.ApiRequest;
import dev.skyloom.core.api.ApiResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The API Lambda behind API Gateway (REST API, proxy integration, payload format 1.0): turns the proxy event into an
 * {@link ApiRequest}, lets {@link Api} answer it, and writes the proxy response.
 */
public final class ApiHandler implements RequestStreamHandler {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SnapStartPriming PRIMING = SnapStartPriming.registerForApi();
    private final Supplier<Api> api;

    public ApiHandler() {
        this(Composition::api);
    }

    ApiHandler(Supplier<Api> api) {
        this.api = api;
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        JsonNode event = JSON.readTree(input);
        ApiResponse response = api.get().handle(request(event, context));
        ObjectNode proxy = JSON.createObjectNode();
        proxy.put("statusCode", response.status());
        ObjectNode headers = proxy.putObject("headers");
        headers.put("Content-Type", "application/json");
        response.headers().forEach(headers::put);
        proxy.put("body", response.body() == null ? "" : JSON.writeValueAsString(response.body()));
        proxy.put("isBase64Encoded", false);
        JSON.writeValue(output, proxy);
    }

    static ApiRequest request(JsonNode event, Context context) {
        String requestId = event.path("requestContext").path("requestId").asText("");
        if (requestId.isEmpty()) {
            requestId = context != null && context.getAwsRequestId() != null ? context.getAwsRequestId()
                    : UUID.randomUUID().toString();
        }
        String body = event.path("body").isTextual() ? event.path("body").asText() : "";
        if (event.path("isBase64Encoded").asBoolean(false) && !body.isEmpty()) {
            body = new String(Base64.getMimeDecoder().decode(body), StandardCharsets.UTF_8);
        }
        return new ApiRequest(requestId, event.path("httpMethod").asText(""), event.path("path").asText(""),
                strings(event.path("headers")), strings(event.path("queryStringParameters")), Map.of(), body);
    }

    private static Map<String, String> strings(JsonNode node) {
        Map<String, String> values = new HashMap<>();
        if (node.isObject()) {
            node.properties().forEach(e -> {
                if (e.getValue().isTextual()) {
                    values.put(e.getKey(), e.getValue().asText());
                }
            });
        }
        return values;
    }
}
