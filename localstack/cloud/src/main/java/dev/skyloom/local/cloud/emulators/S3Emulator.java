package dev.skyloom.local.cloud.emulators;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * s3proxy with its filesystem blob store under {@code dir}: one directory per bucket, one file per object.
 * Authentication is left to the edge (as with every local emulator, any credentials are accepted).
 */
public final class S3Emulator implements Emulator {
    private static final Logger LOG = LoggerFactory.getLogger(S3Emulator.class);

    private final Path dir;
    private int port;
    private S3Proxy proxy;

    public S3Emulator(Path dir) {
        this.dir = dir;
    }

    @Override
    public String service() {
        return "s3";
    }

    @Override
    public void start() throws Exception {
        Files.createDirectories(dir);
        port = Ports.freeLoopbackPort();
        proxy = S3Proxy.builder()
                .blobStore(new FilesystemNio2BlobStore(dir.toAbsolutePath().toString()))
                .endpoint(endpoint())
                .awsAuthentication(AuthenticationType.NONE, null, null)
                .ignoreUnknownHeaders(true)
                .build();
        proxy.start();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("s3proxy did not start within 30 s, state=" + proxy.getState());
            }
            LockSupport.parkNanos(10_000_000L);
        }
        LOG.debug("s3proxy started port={} dir={}", port, dir);
    }

    @Override
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    @Override
    public void close() {
        if (proxy != null) {
            try {
                proxy.stop();
            } catch (Exception e) {
                LOG.warn("s3proxy stop failed reason={}", e.toString());
            }
            proxy = null;
        }
    }
}
