package dev.skyloom.core.agent.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.core.agent.model.ToolSpec;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code http_request}: one HTTP request to the public internet. Every URL, the first and each redirect target,
 * passes {@link UrlGuard} and then the fetcher's {@link AddressPolicy} on the addresses it will connect to;
 * redirects are followed by hand, at most {@value #MAX_REDIRECTS}. GET and HEAD are safe; any other method changes
 * something somewhere and is {@linkplain #dangerous(JsonNode) dangerous} (needs approval).
 */
public final class HttpRequestTool implements Tool {
    public static final String NAME = "http_request";
    public static final int MAX_REDIRECTS = 5;
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD");
    private static final Set<String> FORBIDDEN_HEADERS = Set.of("host", "content-length", "transfer-encoding",
            "connection", "upgrade", "te", "trailer", "keep-alive", "expect", "proxy-authorization",
            "proxy-connection", "cookie");
    private static final ToolSpec SPEC = new ToolSpec(NAME, """
            Make an HTTP request to a public http(s) URL and get the status, headers and body (text, capped). \
            Private, loopback and cloud-metadata addresses are refused, also through redirects (at most 5 are \
            followed).""", ToolJson.parse("""
            {"type": "object", "properties": {
               "url": {"type": "string", "minLength": 8, "maxLength": 4096},
               "method": {"type": "string", "enum": ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"]},
               "headers": {"type": "object", "maxProperties": 20,
                           "propertyNames": {"pattern": "^[A-Za-z0-9-]{1,64}$"},
                           "additionalProperties": {"type": "string", "maxLength": 4096,
                                                    "pattern": "^[^\\\\r\\\\n\\\\u0000]*$"}},
               "body": {"type": "string", "maxLength": 1000000}},
             "required": ["url"], "additionalProperties": false}"""));

    /** The hosts an agent may reach, when it is restricted ({@code api.example.com}, {@code *.example.com}). */
    @FunctionalInterface
    public interface HostAllowlists {
        HostAllowlists NONE = context -> Optional.empty();

        Optional<Collection<String>> forCall(ToolContext context);
    }

    private final HttpFetcher fetcher;
    private final HttpFetcher.Limits limits;
    private final HostAllowlists allowlists;
    private final Clock clock;

    public HttpRequestTool(HttpFetcher fetcher, HttpFetcher.Limits limits, HostAllowlists allowlists, Clock clock) {
        this.fetcher = fetcher;
        this.limits = limits;
        this.allowlists = allowlists;
        this.clock = clock;
    }

    public HttpRequestTool(HttpFetcher fetcher) {
        this(fetcher, HttpFetcher.Limits.DEFAULT, HostAllowlists.NONE, Clock.systemUTC());
    }

    @Override
    public ToolSpec spec() {
        return SPEC;
    }

    @Override
    public boolean dangerous() {
        return true;
    }

    @Override
    public boolean dangerous(JsonNode input) {
        return !SAFE_METHODS.contains(method(input));
    }

    private static String method(JsonNode input) {
        String method = ToolJson.text(input, "method");
        return method == null ? "GET" : method;
    }

    @Override
    public ToolResult call(JsonNode input, ToolContext context) {
        return request(input, allowlists.forCall(context));
    }

    /**
     * The request of a validated {@code input} (see {@link #spec()}), outside an agent's turn: the pipeline's
     * built-in {@code http_request} function uses the same guard, limits and redirect handling.
     *
     * @param allowlist the hosts that may be reached, or empty for any public host
     */
    public ToolResult request(JsonNode input, Optional<? extends Collection<String>> allowlist) {
        String method = method(input);
        Map<String, String> headers = new LinkedHashMap<>();
        JsonNode given = input.get("headers");
        if (given != null) {
            Iterator<Map.Entry<String, JsonNode>> fields = given.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> header = fields.next();
                if (FORBIDDEN_HEADERS.contains(header.getKey().toLowerCase(Locale.ROOT))) {
                    return ToolResult.error("The header " + header.getKey() + " cannot be set; it is managed by "
                            + "the HTTP client (refused: " + String.join(", ", FORBIDDEN_HEADERS.stream().sorted()
                            .toList()) + ")");
                }
                headers.put(header.getKey(), header.getValue().asText());
            }
        }
        byte[] body = input.hasNonNull("body") ? input.get("body").asText().getBytes(StandardCharsets.UTF_8) : null;
        Instant deadline = clock.instant().plus(limits.totalTimeout());
        List<String> redirects = new ArrayList<>();
        URI redirectedFrom = null;
        UrlGuard.Target target;
        try {
            target = UrlGuard.check(input.get("url").asText(), allowlist);
        } catch (HttpFetcher.Refused e) {
            return refused(input.get("url").asText(), e);
        }
        while (true) {
            Duration remaining = Duration.between(clock.instant(), deadline);
            if (remaining.isNegative() || remaining.isZero()) {
                return ToolResult.error("The request took longer than " + limits.totalTimeout().toSeconds()
                        + " s in all and was stopped.");
            }
            HttpFetcher.Response response;
            try {
                response = fetcher.exchange(
                        new HttpFetcher.Request(method, target.uri(), Map.copyOf(headers), body),
                        new HttpFetcher.Limits(limits.connectTimeout(), limits.readTimeout(), remaining,
                                limits.maxResponseBytes()));
            } catch (HttpFetcher.Refused e) {
                return refused(redirects.isEmpty() ? target.uri().toString() : "the redirect from "
                        + redirectedFrom + " to " + target.uri(), e);
            } catch (IOException e) {
                return ToolResult.error("The request to " + target.uri() + " failed: "
                        + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"));
            }
            Optional<String> location = isRedirect(response.status()) ? first(response.headers(), "location")
                    : Optional.empty();
            if (location.isEmpty()) {
                return ToolResult.ok(describe(target.uri(), response, redirects, method));
            }
            if (redirects.size() >= MAX_REDIRECTS) {
                return ToolResult.error("Too many redirects (more than " + MAX_REDIRECTS + "): "
                        + String.join(" -> ", redirects));
            }
            URI from = target.uri();
            URI next;
            try {
                next = target.uri().resolve(new URI(location.get()));
                target = UrlGuard.check(next, allowlist);
            } catch (java.net.URISyntaxException | IllegalArgumentException e) {
                return ToolResult.error("Refused: the redirect from " + target.uri() + " points to a malformed "
                        + "URL.");
            } catch (HttpFetcher.Refused e) {
                return refused("the redirect from " + target.uri() + " to " + location.get(), e);
            }
            redirects.add(response.status() + " " + next);
            redirectedFrom = from;
            int status = response.status();
            if (status == 303 || ((status == 301 || status == 302) && !method.equals("HEAD"))) {
                method = method.equals("HEAD") ? "HEAD" : "GET";
                body = null;
            }
            if (!sameOrigin(from, next)) {
                headers.keySet().removeIf(h -> h.equalsIgnoreCase("authorization"));
            }
        }
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && String.valueOf(a.getHost())
                .equalsIgnoreCase(String.valueOf(b.getHost())) && a.getPort() == b.getPort();
    }

    private static ToolResult refused(String what, HttpFetcher.Refused e) {
        return ToolResult.error("Refused: " + ToolInvoker.abbreviate(what, 300) + ": " + e.getMessage()
                + ". http_request reaches only public http(s) addresses.");
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private static Optional<String> first(Map<String, List<String>> headers, String name) {
        return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                .flatMap(e -> e.getValue().stream()).findFirst();
    }

    private static String describe(URI uri, HttpFetcher.Response response, List<String> redirects, String method) {
        ObjectNode out = ToolJson.object();
        out.put("status", response.status());
        out.put("url", uri.toString());
        if (!redirects.isEmpty()) {
            out.putPOJO("redirects", redirects);
        }
        ObjectNode headers = out.putObject("headers");
        response.headers().entrySet().stream().limit(40).forEach(e -> headers.put(e.getKey().toLowerCase(Locale.ROOT),
                ToolInvoker.abbreviate(String.join(", ", e.getValue()), 1000)));
        if (!method.equals("HEAD")) {
            out.put("body", new String(response.body(), StandardCharsets.UTF_8));
            out.put("truncated", response.truncated());
        }
        return out.toString();
    }
}
