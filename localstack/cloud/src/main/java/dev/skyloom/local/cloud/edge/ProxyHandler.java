package dev.skyloom.local.cloud.edge;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Forwards a request, streamed, to an emulator's internal endpoint and streams its answer back: the emulator sees
 * the client's method, path, query, headers and body unchanged (but for hop-by-hop headers).
 */
public final class ProxyHandler implements ServiceHandler {
    /** Headers that belong to one connection, or that the JDK client sets itself. */
    private static final Set<String> NOT_FORWARDED = Set.of("connection", "keep-alive", "proxy-authenticate",
            "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host", "content-length",
            "expect", "http2-settings");

    private final URI target;
    private final HttpClient client;
    private final Function<HttpExchange, String> pathRewriter;

    public ProxyHandler(URI target, HttpClient client, Function<HttpExchange, String> pathRewriter) {
        this.target = target;
        this.client = client;
        this.pathRewriter = pathRewriter;
    }

    public static HttpClient newClient() {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String rawQuery = exchange.getRequestURI().getRawQuery();
        URI uri = URI.create(target + pathRewriter.apply(exchange) + (rawQuery == null ? "" : "?" + rawQuery));
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(15));
        for (Map.Entry<String, List<String>> header : exchange.getRequestHeaders().entrySet()) {
            if (!NOT_FORWARDED.contains(header.getKey().toLowerCase(Locale.ROOT))) {
                for (String value : header.getValue()) {
                    request.header(header.getKey(), value);
                }
            }
        }
        request.method(exchange.getRequestMethod(), bodyOf(exchange));

        HttpResponse<InputStream> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while forwarding to " + target, e);
        }
        try (InputStream body = response.body()) {
            long length = -1;
            for (Map.Entry<String, List<String>> header : response.headers().map().entrySet()) {
                String name = header.getKey().toLowerCase(Locale.ROOT);
                if (name.equals("content-length")) {
                    length = Long.parseLong(header.getValue().getFirst());
                }
                if (!NOT_FORWARDED.contains(name) && !name.equals(":status") && !name.equals("date")) {
                    exchange.getResponseHeaders().put(header.getKey(), header.getValue());
                }
            }
            int status = response.statusCode();
            boolean bodyless = "HEAD".equals(exchange.getRequestMethod()) || status == 204 || status == 304
                    || (status >= 100 && status < 200);
            if (bodyless) {
                if (length >= 0 && status != 204) {
                    exchange.getResponseHeaders().set("Content-Length", Long.toString(length));
                }
                exchange.sendResponseHeaders(status, -1);
            } else {
                // 0 asks the JDK server for chunked encoding; an empty fixed-length body is -1.
                exchange.sendResponseHeaders(status, length < 0 ? 0 : (length == 0 ? -1 : length));
                if (length != 0) {
                    try (OutputStream out = exchange.getResponseBody()) {
                        body.transferTo(out);
                    }
                }
            }
        } finally {
            exchange.close();
        }
    }

    private static HttpRequest.BodyPublisher bodyOf(HttpExchange exchange) {
        String contentLength = exchange.getRequestHeaders().getFirst("Content-Length");
        String transferEncoding = exchange.getRequestHeaders().getFirst("Transfer-Encoding");
        if (contentLength != null) {
            long length = Long.parseLong(contentLength.trim());
            if (length == 0) {
                return HttpRequest.BodyPublishers.noBody();
            }
            return HttpRequest.BodyPublishers.fromPublisher(
                    HttpRequest.BodyPublishers.ofInputStream(exchange::getRequestBody), length);
        }
        if (transferEncoding != null) {
            return HttpRequest.BodyPublishers.ofInputStream(exchange::getRequestBody);
        }
        return HttpRequest.BodyPublishers.noBody();
    }
}
