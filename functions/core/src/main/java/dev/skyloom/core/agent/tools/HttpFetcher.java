package dev.skyloom.core.agent.tools;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One HTTP exchange for {@code http_request}, redirects not followed (the tool follows them, checking each target).
 * An implementation resolves the host once, refuses with {@link Refused} when any address fails its
 * {@link AddressPolicy}, and connects only to the addresses it checked (no second lookup a DNS rebinding could
 * answer differently). It uses no proxy and sends no cookies or credentials of its own.
 */
public interface HttpFetcher {

    /** @param body null for none */
    record Request(String method, URI uri, Map<String, String> headers, byte[] body) {
    }

    /**
     * @param body      at most {@link Limits#maxResponseBytes()} bytes of the (decoded) body
     * @param truncated whether the body was longer
     */
    record Response(int status, Map<String, List<String>> headers, byte[] body, boolean truncated) {
    }

    /**
     * The caps of one exchange. The default body cap keeps a response within what {@link ToolInvoker} gives back
     * to the model.
     *
     * @param connectTimeout per connection attempt
     * @param readTimeout    the longest silence while waiting for data
     * @param totalTimeout   the whole exchange, body included
     */
    record Limits(Duration connectTimeout, Duration readTimeout, Duration totalTimeout, int maxResponseBytes) {
        public static final Limits DEFAULT = new Limits(Duration.ofSeconds(5), Duration.ofSeconds(15),
                Duration.ofSeconds(30), 40_000);
    }

    /** The address policy refused the target; the message says which address and why. */
    final class Refused extends Exception {
        public Refused(String message) {
            super(message);
        }
    }

    /**
     * @throws Refused     when the host resolves to an address the policy refuses
     * @throws IOException when resolving, connecting or reading fails, or a timeout passes
     */
    Response exchange(Request request, Limits limits) throws Refused, IOException;
}
