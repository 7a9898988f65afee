package dev.skyloom.local.cloud.edge;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.skyloom.local.cloud.http.HttpExchanges;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** Writes errors the way AWS protocols shape them, so SDK clients surface the right exception and code. */
public final class AwsErrors {
    private static final ObjectMapper JSON = new ObjectMapper();

    private AwsErrors() {
    }

    /**
     * An error for JSON-based protocols (AWS JSON 1.0/1.1 and REST-JSON): the code travels in {@code __type} and in
     * the {@code x-amzn-ErrorType} header, which is where each SDK protocol looks for it.
     */
    public static void json(HttpExchange exchange, int status, String code, String message) throws IOException {
        ObjectNode body = JSON.createObjectNode().put("__type", code).put("message", message);
        String requestId = UUID.randomUUID().toString();
        exchange.getResponseHeaders().set("x-amzn-ErrorType", code);
        exchange.getResponseHeaders().set("x-amzn-RequestId", requestId);
        HttpExchanges.send(exchange, status, "application/x-amz-json-1.0", JSON.writeValueAsBytes(body));
    }

    /** An error for the REST-XML protocol of S3. */
    public static void xml(HttpExchange exchange, int status, String code, String message) throws IOException {
        String requestId = UUID.randomUUID().toString();
        String body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + escape(code) + "</Code><Message>"
                + escape(message) + "</Message><RequestId>" + requestId + "</RequestId></Error>";
        exchange.getResponseHeaders().set("x-amz-request-id", requestId);
        HttpExchanges.send(exchange, status, "application/xml", body.getBytes(StandardCharsets.UTF_8));
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
