package dev.skyloom.aws.agent;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.skyloom.core.agent.tools.ToolContext;
import dev.skyloom.core.identity.Principal;
import dev.skyloom.core.identity.TenantId;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/** A loopback HTTP server that records what reached it, for the SSRF and redirect tests. */
final class TestServers {
    private TestServers() {
    }

    static ToolContext context() {
        return new ToolContext(new Principal(new TenantId("acme"), "key1", null, Set.of("*"), false),
                Optional.of("prj_1"), "run_1", "fetch", "agt_1", 1, "exec/1/0", "agent", Optional.empty());
    }

    static final class Server implements AutoCloseable {
        final HttpServer http;
        final List<String> hits = new CopyOnWriteArrayList<>();

        Server() throws IOException {
            http = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
            http.createContext("/", this::handle);
            http.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
            http.start();
        }

        int port() {
            return http.getAddress().getPort();
        }

        String url(String path) {
            return "http://127.0.0.1:" + port() + path;
        }

        private void handle(HttpExchange exchange) throws IOException {
            String path = exchange.getRequestURI().getPath();
            String query = exchange.getRequestURI().getRawQuery();
            byte[] requestBody = exchange.getRequestBody().readAllBytes();
            hits.add(exchange.getRequestMethod() + " " + path + (query == null ? "" : "?" + query)
                    + (requestBody.length == 0 ? "" : " body=" + new String(requestBody, StandardCharsets.UTF_8)));
            switch (path) {
                case "/redirect" -> {
                    String to = URLDecoder.decode(query.substring(query.indexOf("to=") + 3), StandardCharsets.UTF_8);
                    int status = query.contains("status=") ? Integer.parseInt(query.replaceAll(".*status=(\\d+).*",
                            "$1")) : 302;
                    exchange.getResponseHeaders().add("Location", to);
                    exchange.sendResponseHeaders(status, -1);
                }
                case "/loop" -> {
                    exchange.getResponseHeaders().add("Location", "/loop");
                    exchange.sendResponseHeaders(302, -1);
                }
                case "/big" -> {
                    exchange.sendResponseHeaders(200, 0);
                    try (OutputStream out = exchange.getResponseBody()) {
                        byte[] chunk = "x".repeat(8192).getBytes(StandardCharsets.UTF_8);
                        for (int i = 0; i < 64; i++) {
                            out.write(chunk);
                        }
                    }
                }
                case "/slow" -> {
                    try {
                        Thread.sleep(3000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    send(exchange, 200, "late");
                }
                default -> send(exchange, 200, "hello from " + path);
            }
            exchange.close();
        }

        private static void send(HttpExchange exchange, int status, String body) throws IOException {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/plain; charset=utf-8");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            } catch (IOException ignored) {
                // the client gave up (timeout tests)
            }
        }

        @Override
        public void close() {
            http.stop(0);
        }
    }
}
