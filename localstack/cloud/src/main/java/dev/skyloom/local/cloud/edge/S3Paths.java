package dev.skyloom.local.cloud.edge;

import com.sun.net.httpserver.HttpExchange;
import java.util.Locale;

/**
 * Virtual-hosted-style S3 addressing on the edge: {@code http://<bucket>.s3.localhost.localstack.cloud:4566/key}
 * and {@code http://<bucket>.localhost:4566/key} are rewritten to the path style s3proxy serves.
 */
final class S3Paths {
    private static final String[] SUFFIXES = {".s3.localhost.localstack.cloud", ".localhost.localstack.cloud",
        ".s3.localhost", ".localhost"};

    private S3Paths() {
    }

    static String pathOf(HttpExchange exchange) {
        return pathOf(exchange.getRequestURI().getRawPath(), exchange.getRequestHeaders().getFirst("Host"));
    }

    static String pathOf(String path, String host) {
        if (host == null) {
            return path;
        }
        host = host.toLowerCase(Locale.ROOT);
        int colon = host.lastIndexOf(':');
        if (colon > 0 && host.indexOf(']') < colon) {
            host = host.substring(0, colon);
        }
        for (String suffix : SUFFIXES) {
            if (host.endsWith(suffix) && host.length() > suffix.length()) {
                String bucket = host.substring(0, host.length() - suffix.length());
                if (!bucket.equals("s3")) {
                    return "/" + bucket + (path.startsWith("/") ? path : "/" + path);
                }
            }
        }
        return path;
    }
}
