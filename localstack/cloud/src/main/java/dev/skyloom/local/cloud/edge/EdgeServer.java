package dev.skyloom.local.cloud.edge;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.skyloom.local.cloud.http.HttpExchanges;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The AWS-compatible edge: one HTTP endpoint (http://localhost:4566) for every service of the local cloud. Each
 * request is routed by {@link ServiceResolver} to a {@link ServiceHandler}: a proxy to an emulator, or a service
 * implemented here (Lambda, Step Functions). A service the local cloud does not have gets an AWS-shaped 400.
 */
public final class EdgeServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EdgeServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final InetSocketAddress address;
    private final Map<AwsService, ServiceHandler> handlers = new EnumMap<>(AwsService.class);
    private final Map<String, ServiceHandler> pathHandlers = new java.util.LinkedHashMap<>();
    private final ServiceResolver resolver = new ServiceResolver();
    private final EdgeTimings timings = new EdgeTimings();
    private HttpServer server;
    private ExecutorService executor;

    public EdgeServer(InetSocketAddress address) {
        this.address = address;
    }

    /** Registers (or replaces) the handler of a service. Safe to call while running. */
    /** Serves every path under {@code prefix} (a non-AWS service of the local cloud, such as the identity provider). */
    public synchronized EdgeServer routePath(String prefix, ServiceHandler handler) {
        pathHandlers.put(prefix, handler);
        return this;
    }

    public synchronized EdgeServer route(AwsService service, ServiceHandler handler) {
        handlers.put(service, handler);
        return this;
    }

    public void start() throws IOException {
        executor = Executors.newVirtualThreadPerTaskExecutor();
        server = HttpServer.create(address, 256);
        server.setExecutor(executor);
        server.createContext("/", this::dispatch);
        server.start();
        LOG.debug("edge started address={}", server.getAddress());
    }

    /** Per-operation counts and times of the requests served so far (for benchmarks). */
    public EdgeTimings timings() {
        return timings;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void dispatch(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        try {
            if (path.equals("/_skyloom/health") && exchange.getRequestHeaders().getFirst("Authorization") == null) {
                health(exchange);
                return;
            }
            ServiceHandler byPath = pathHandler(path);
            if (byPath != null) {
                byPath.handle(exchange);
                return;
            }
            ServiceResolver.Resolution resolution = resolver.resolve(path, exchange.getRequestURI().getRawQuery(),
                    exchange.getRequestHeaders());
            ServiceHandler handler;
            synchronized (this) {
                handler = resolution.service().map(handlers::get).orElse(null);
            }
            if (handler == null) {
                AwsErrors.json(exchange, 400, "UnknownServiceException", "The service '"
                        + resolution.requestedName() + "' is not available in the Skyloom local cloud; available: "
                        + available() + ". Check the endpoint URL and the signing region/service of the client.");
                return;
            }
            long t0 = System.nanoTime();
            try {
                handler.handle(exchange);
            } finally {
                timings.record(EdgeTimings.operation(resolution.requestedName(), exchange, path),
                        System.nanoTime() - t0);
            }
        } catch (HttpExchanges.BodyTooLargeException e) {
            AwsErrors.json(exchange, 413, "RequestEntityTooLargeException", e.getMessage());
        } catch (IOException | RuntimeException e) {
            LOG.error("edge request failed method={} path={}", exchange.getRequestMethod(), path, e);
            try {
                AwsErrors.json(exchange, 500, "InternalFailure", "The local cloud failed to serve the request: "
                        + e.getClass().getSimpleName());
            } catch (IOException | RuntimeException ignored) {
                // the response was already (partly) sent: nothing more can be said to this client
                exchange.close();
            }
        }
    }

    private synchronized ServiceHandler pathHandler(String path) {
        for (Map.Entry<String, ServiceHandler> entry : pathHandlers.entrySet()) {
            if (path.equals(entry.getKey()) || path.startsWith(entry.getKey() + "/")) {
                return entry.getValue();
            }
        }
        return null;
    }

    private synchronized String available() {
        TreeSet<String> names = new TreeSet<>();
        handlers.keySet().forEach(service -> names.add(service.signingName()));
        return String.join(", ", names);
    }

    private void health(HttpExchange exchange) throws IOException {
        ObjectNode services = JSON.createObjectNode();
        synchronized (this) {
            handlers.keySet().forEach(service -> services.put(service.signingName(), "running"));
        }
        ObjectNode body = JSON.createObjectNode();
        body.set("services", services);
        HttpExchanges.sendJson(exchange, 200, JSON.writeValueAsString(body));
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
            server = null;
        }
        if (executor != null) {
            executor.shutdownNow();
            executor = null;
        }
    }

    /** The path rewriter for S3 proxies: supports virtual-hosted-style requests. */
    public static String s3Path(HttpExchange exchange) {
        return S3Paths.pathOf(exchange);
    }
}
