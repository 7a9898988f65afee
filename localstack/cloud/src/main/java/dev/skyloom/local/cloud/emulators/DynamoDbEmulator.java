package dev.skyloom.local.cloud.emulators;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import java.lang.reflect.Field;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DynamoDB Local 2.x (the official emulator), in-process, one shared SQLite file under {@code dir} whatever the
 * caller's access key or region ({@code -sharedDb}). Every write is committed to SQLite before the response, so
 * items survive a {@code kill -9}.
 */
public final class DynamoDbEmulator implements Emulator {
    private static final Logger LOG = LoggerFactory.getLogger(DynamoDbEmulator.class);

    private final Path dir;
    private int port;
    private DynamoDBProxyServer server;

    public DynamoDbEmulator(Path dir) {
        this.dir = dir;
    }

    @Override
    public String service() {
        return "dynamodb";
    }

    @Override
    public void start() throws Exception {
        Files.createDirectories(dir);
        port = Ports.freeLoopbackPort();
        server = ServerRunner.createServerFromCommandLineArgs(new String[] {
            "-port", Integer.toString(port), "-dbPath", dir.toString(), "-sharedDb", "-disableTelemetry"});
        bindToLoopback(server);
        server.start();
        LOG.debug("dynamodb-local started port={} dir={}", port, dir);
    }

    /**
     * DynamoDB Local offers no bind-address option and would listen on every interface; its Jetty server is not
     * started yet, so its connector can still be pinned to loopback.
     */
    private static void bindToLoopback(DynamoDBProxyServer proxyServer) {
        try {
            Field field = DynamoDBProxyServer.class.getDeclaredField("server");
            field.setAccessible(true);
            Server jetty = (Server) field.get(proxyServer);
            for (Connector connector : jetty.getConnectors()) {
                if (connector instanceof ServerConnector serverConnector) {
                    serverConnector.setHost("127.0.0.1");
                }
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("dynamodb-local could not be bound to loopback only; it listens on all interfaces reason={}",
                    e.toString());
        }
    }

    @Override
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    @Override
    public void close() {
        if (server != null) {
            try {
                server.stop();
            } catch (Exception e) {
                LOG.warn("dynamodb-local stop failed reason={}", e.toString());
            }
            server = null;
        }
    }
}
