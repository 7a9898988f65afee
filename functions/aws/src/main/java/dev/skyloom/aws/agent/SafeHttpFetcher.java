package dev.skyloom.aws.agent;

import dev.skyloom.core.agent.tools.AddressPolicy;
import dev.skyloom.core.agent.tools.HttpFetcher;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.util.Timeout;

/**
 * {@link HttpFetcher} on Apache HttpClient 5 that cannot be steered to a refused address: it resolves the host
 * once, checks every address with the {@link AddressPolicy} (one refused address refuses the request), and gives
 * the client a {@link DnsResolver} that answers only that host, only with those addresses. A DNS rebinding (a
 * second lookup answering a private address) therefore never happens: there is no second lookup. The client has no
 * proxy, no redirect handling, no retries, no cookies; the whole exchange is cancelled at the total deadline.
 *
 * <p>A client is built per exchange, bound to its checked addresses; a tool call is slow next to that cost and no
 * pooled connection can outlive the check it was made under.
 */
public final class SafeHttpFetcher implements HttpFetcher {
    private static final ScheduledExecutorService DEADLINES = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "http-request-deadline");
        thread.setDaemon(true);
        return thread;
    });

    /** Looks a DNS name up; the system resolver in production, a table in tests. */
    @FunctionalInterface
    public interface HostResolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private final AddressPolicy policy;
    private final HostResolver resolver;
    private final String userAgent;

    public SafeHttpFetcher(AddressPolicy policy, HostResolver resolver, String userAgent) {
        this.policy = policy;
        this.resolver = resolver;
        this.userAgent = userAgent;
    }

    /** Public addresses only, the system resolver. */
    public static SafeHttpFetcher create() {
        return new SafeHttpFetcher(AddressPolicy.publicOnly(), InetAddress::getAllByName, "Skyloom-Agent/0.1");
    }

    @Override
    public Response exchange(Request request, Limits limits) throws Refused, IOException {
        String host = request.uri().getHost();
        if (host == null) {
            throw new Refused("the URL has no host");
        }
        // an IP literal (UrlGuard has made sure an IPv4 literal is canonical) is not looked up
        String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        int port = request.uri().getPort() != -1 ? request.uri().getPort()
                : "https".equalsIgnoreCase(request.uri().getScheme()) ? 443 : 80;
        boolean literal = bare.contains(":") || isDottedQuad(bare);
        InetAddress[] addresses = literal ? new InetAddress[] {InetAddress.getByName(bare)} : resolver.resolve(bare);
        if (addresses.length == 0) {
            throw new UnknownHostException(bare + " has no addresses");
        }
        for (InetAddress address : addresses) {
            Optional<String> refusal = policy.refusal(address, port);
            if (refusal.isPresent()) {
                throw new Refused(literal ? refusal.get() : bare + " resolves to a refused address: "
                        + refusal.get());
            }
        }
        InetAddress[] checked = addresses.clone();
        DnsResolver pinned = new DnsResolver() {
            @Override
            public InetAddress[] resolve(String name) throws UnknownHostException {
                String candidate = name.startsWith("[") ? name.substring(1, name.length() - 1) : name;
                if (!candidate.equalsIgnoreCase(bare)) {
                    throw new UnknownHostException(name + " was not checked for this request");
                }
                return checked.clone();
            }

            @Override
            public String resolveCanonicalHostname(String name) {
                return name;
            }
        };
        PoolingHttpClientConnectionManager connections = PoolingHttpClientConnectionManagerBuilder.create()
                .setDnsResolver(pinned)
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(Timeout.ofMilliseconds(limits.connectTimeout().toMillis()))
                        .setSocketTimeout(Timeout.ofMilliseconds(limits.readTimeout().toMillis())).build())
                .build();
        HttpUriRequestBase http = new HttpUriRequestBase(request.method(), request.uri());
        request.headers().forEach(http::setHeader);
        http.setHeader("User-Agent", userAgent);
        if (request.body() != null) {
            http.setEntity(new ByteArrayEntity(request.body(), null));
        }
        AtomicBoolean timedOut = new AtomicBoolean();
        ScheduledFuture<?> deadline = DEADLINES.schedule(() -> {
            timedOut.set(true);
            http.cancel();
        }, limits.totalTimeout().toMillis(), TimeUnit.MILLISECONDS);
        try (CloseableHttpClient client = HttpClients.custom().setConnectionManager(connections)
                .disableRedirectHandling().disableAutomaticRetries().disableCookieManagement().disableAuthCaching()
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setResponseTimeout(Timeout.ofMilliseconds(limits.readTimeout().toMillis())).build())
                .build();
             ClassicHttpResponse response = client.executeOpen(null, http, null)) {
            Map<String, List<String>> headers = new LinkedHashMap<>();
            for (Header header : response.getHeaders()) {
                headers.computeIfAbsent(header.getName(), k -> new java.util.ArrayList<>()).add(header.getValue());
            }
            byte[] body = new byte[0];
            boolean truncated = false;
            HttpEntity entity = response.getEntity();
            if (entity != null) {
                try (InputStream in = entity.getContent()) {
                    byte[] read = in.readNBytes(limits.maxResponseBytes() + 1);
                    truncated = read.length > limits.maxResponseBytes();
                    body = truncated ? Arrays.copyOf(read, limits.maxResponseBytes()) : read;
                }
            }
            return new Response(response.getCode(), headers, body, truncated);
        } catch (IOException e) {
            if (timedOut.get()) {
                throw new InterruptedIOException("the exchange took longer than "
                        + limits.totalTimeout().toMillis() + " ms");
            }
            throw e;
        } finally {
            deadline.cancel(false);
        }
    }

    private static boolean isDottedQuad(String host) {
        return host.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    }
}
