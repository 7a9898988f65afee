package dev.skyloom.local.cloud.apigw;

import com.sun.net.httpserver.HttpExchange;
import dev.skyloom.local.cloud.http.HttpExchanges;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Serves the console's static build (a single-page app: unknown paths get index.html). When no build directory
 * exists, a page bundled with the local cloud says where the console will be.
 */
public final class StaticSite {
    private static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("html", "text/html; charset=utf-8"), Map.entry("js", "text/javascript; charset=utf-8"),
            Map.entry("mjs", "text/javascript; charset=utf-8"), Map.entry("css", "text/css; charset=utf-8"),
            Map.entry("json", "application/json"), Map.entry("svg", "image/svg+xml"), Map.entry("png", "image/png"),
            Map.entry("ico", "image/x-icon"), Map.entry("woff2", "font/woff2"), Map.entry("txt", "text/plain"),
            Map.entry("map", "application/json"), Map.entry("webmanifest", "application/manifest+json"));

    private final Path root;

    /** @param root the build directory, or null to serve the bundled placeholder page */
    public StaticSite(Path root) {
        this.root = root == null ? null : root.toAbsolutePath().normalize();
    }

    void serve(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            exchange.getResponseHeaders().set("Allow", "GET, HEAD");
            HttpExchanges.sendJson(exchange, 405, "{\"message\":\"Method Not Allowed\"}");
            return;
        }
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        exchange.getResponseHeaders().set("X-Frame-Options", "DENY");
        exchange.getResponseHeaders().set("Referrer-Policy", "no-referrer");
        if (root == null || !Files.isDirectory(root)) {
            try (InputStream in = StaticSite.class.getResourceAsStream("/console-placeholder.html")) {
                HttpExchanges.send(exchange, 200, TYPES.get("html"), in.readAllBytes());
            }
            return;
        }
        String path = URLDecoder.decode(exchange.getRequestURI().getRawPath(), StandardCharsets.UTF_8);
        Path file = root.resolve(path.replaceFirst("^/+", "")).normalize();
        if (!file.startsWith(root)) {
            HttpExchanges.sendJson(exchange, 404, "{\"message\":\"Not Found\"}");
            return;
        }
        if (Files.isDirectory(file)) {
            file = file.resolve("index.html");
        }
        if (!Files.isRegularFile(file)) {
            boolean asset = path.substring(path.lastIndexOf('/') + 1).contains(".");
            if (asset) {
                HttpExchanges.sendJson(exchange, 404, "{\"message\":\"Not Found\"}");
                return;
            }
            file = root.resolve("index.html");
        }
        String name = file.getFileName().toString();
        String extension = name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        exchange.getResponseHeaders().set("Cache-Control",
                path.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache");
        HttpExchanges.send(exchange, 200, TYPES.getOrDefault(extension, "application/octet-stream"),
                Files.readAllBytes(file));
    }
}
