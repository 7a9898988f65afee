package dev.skyloom.local.cloud.emulators;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.elasticmq.server.ElasticMQServer;
import org.elasticmq.server.config.ElasticMQServerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Function0;

/**
 * ElasticMQ with its SQL persistence on an H2 file under {@code dir}: queues and messages (with their receive
 * counts and visibility) survive restarts and crashes. {@code WRITE_DELAY=0} makes H2 write each commit to the file
 * at once, so a {@code kill -9} loses nothing that was acknowledged.
 *
 * <p>Queue URLs are minted with the edge's address ({@code publicEndpoint}), so clients send follow-up calls to the
 * edge rather than to this internal port.
 */
public final class SqsEmulator implements Emulator {
    private static final Logger LOG = LoggerFactory.getLogger(SqsEmulator.class);

    private final Path dir;
    private final URI publicEndpoint;
    private final String region;
    private final String accountId;
    private int port;
    private Function0<?> shutdown;

    public SqsEmulator(Path dir, URI publicEndpoint, String region, String accountId) {
        this.dir = dir;
        this.publicEndpoint = publicEndpoint;
        this.region = region;
        this.accountId = accountId;
    }

    @Override
    public String service() {
        return "sqs";
    }

    @Override
    public void start() throws Exception {
        Files.createDirectories(dir);
        port = Ports.freeLoopbackPort();
        String h2 = "jdbc:h2:file:" + dir.resolve("elasticmq").toAbsolutePath() + ";WRITE_DELAY=0";
        Config config = ConfigFactory.parseString("""
                node-address { protocol = "%s", host = "%s", port = %d, context-path = "" }
                generate-node-address = false
                rest-sqs { enabled = true, bind-port = %d, bind-hostname = "127.0.0.1", sqs-limits = strict }
                rest-stats { enabled = false, bind-port = 0, bind-hostname = "127.0.0.1" }
                aws { region = "%s", accountId = "%s" }
                pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
                pekko.jvm-shutdown-hooks = off
                messages-storage { enabled = true, driver-class = "org.h2.Driver", uri = "%s",
                                   username = "", password = "", prune-data-on-init = false }
                """.formatted(publicEndpoint.getScheme(), publicEndpoint.getHost(), publicEndpoint.getPort(), port,
                        region, accountId, h2))
                .withFallback(ConfigFactory.load());
        shutdown = new ElasticMQServer(new ElasticMQServerConfig(config)).start();
        LOG.debug("elasticmq started port={} dir={}", port, dir);
    }

    @Override
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    @Override
    public void close() {
        if (shutdown != null) {
            try {
                shutdown.apply();
            } catch (RuntimeException e) {
                LOG.warn("elasticmq stop failed reason={}", e.toString());
            }
            shutdown = null;
        }
    }
}
