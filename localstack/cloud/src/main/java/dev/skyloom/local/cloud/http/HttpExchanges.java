package dev.skyloom.local.cloud.http;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Small helpers over the JDK's {@link HttpExchange}, shared by the edge and the API gateway. */
public final class HttpExchanges {
    private HttpExchanges() {
    }

    /** Reads the whole request body, refusing more than {@code limit} bytes. */
    public static byte[] readBody(HttpExchange exchange, int limit) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readNBytes(limit + 1);
            if (body.length > limit) {
                throw new BodyTooLargeException(limit);
            }
            return body;
        }
    }

    public static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        if (contentType != null) {
            exchange.getResponseHeaders().set("Content-Type", contentType);
        }
        boolean noBody = body == null || body.length == 0 || status == 204 || status == 304
                || "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, noBody ? -1 : body.length);
        if (!noBody) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
        exchange.close();
    }

    public static void sendJson(HttpExchange exchange, int status, String json) throws IOException {
        send(exchange, status, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    /** A request body over the size the route accepts. */
    public static final class BodyTooLargeException extends IOException {
        private static final long serialVersionUID = 1L;
        private final int limit;

        public BodyTooLargeException(int limit) {
            super("request body exceeds " + limit + " bytes");
            this.limit = limit;
        }

        public int limit() {
            return limit;
        }
    }
}
