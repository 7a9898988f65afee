package dev.skyloom.core.agent.tools;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Collection;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The checks on a URL before any lookup: {@code http} or {@code https}, no user info, a host that is a DNS name or
 * a canonical IP literal, not a local name, and within the agent's host allowlist when it has one. The address
 * checks come after resolution ({@link AddressPolicy}, in the {@link HttpFetcher}).
 *
 * <p>IPv4 literals must be the canonical dotted quad ({@code 127.0.0.1}); every other spelling that some parser
 * reads as an address ({@code 127.1}, {@code 0}, {@code 2130706433}, {@code 0x7f.1}, {@code 0177.0.0.1},
 * {@code 127.000.000.001}) is refused rather than interpreted, so nothing downstream can read it differently.
 */
public final class UrlGuard {
    private static final Set<String> SCHEMES = Set.of("http", "https");
    private static final Set<String> LOCAL_NAMES = Set.of("localhost", "localhost.localdomain", "ip6-localhost",
            "ip6-loopback", "metadata", "metadata.google.internal", "instance-data", "instance-data.ec2.internal");
    private static final Pattern CANONICAL_IPV4 = Pattern.compile(
            "(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}");
    /** Labels of digits or 0x-hex only: something an inet_aton-style parser reads as an IPv4 address. */
    private static final Pattern NUMERIC_HOST = Pattern.compile("(0x[0-9a-f]*|[0-9]+)(\\.(0x[0-9a-f]*|[0-9]+))*\\.?");
    private static final Pattern DNS_NAME = Pattern.compile(
            "([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final int MAX_URL = 4096;

    private UrlGuard() {
    }

    /**
     * A URL that passed the checks.
     *
     * @param host the host as the fetcher resolves it: a lower-case DNS name without trailing dot, or an IP literal
     *             (IPv6 without brackets)
     */
    public record Target(URI uri, String host, int port, boolean ipLiteral) {
    }

    /** Checks {@code url}; the error text says what is refused and what is allowed. */
    public static Target check(String url, Optional<? extends Collection<String>> hostAllowlist) throws
            HttpFetcher.Refused {
        if (url == null || url.isEmpty() || url.length() > MAX_URL) {
            throw new HttpFetcher.Refused("the URL is empty or longer than " + MAX_URL + " characters");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new HttpFetcher.Refused("the URL is malformed (" + e.getReason() + ")");
        }
        return check(uri, hostAllowlist);
    }

    public static Target check(URI uri, Optional<? extends Collection<String>> hostAllowlist)
            throws HttpFetcher.Refused {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!SCHEMES.contains(scheme) || uri.isOpaque()) {
            throw new HttpFetcher.Refused("the scheme '" + scheme + "' is not allowed; use http or https");
        }
        if (uri.getRawUserInfo() != null) {
            throw new HttpFetcher.Refused("URLs with user info ('user@host') are not allowed; send credentials in "
                    + "a header");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new HttpFetcher.Refused("the URL has no host that is a DNS name or an IP address (numeric "
                    + "shorthands such as 127.1, 0x7f.1 or 2130706433 and non-ASCII names are not allowed; "
                    + "use punycode for international names)");
        }
        int port = uri.getPort() == -1 ? (scheme.equals("https") ? 443 : 80) : uri.getPort();
        if (port < 1 || port > 65_535) {
            throw new HttpFetcher.Refused("the port " + port + " is out of range");
        }
        boolean ipLiteral;
        if (host.startsWith("[")) {
            host = host.substring(1, host.length() - 1).toLowerCase(Locale.ROOT);
            if (host.contains("%")) {
                throw new HttpFetcher.Refused("IPv6 zone ids ('%eth0') are not allowed");
            }
            ipLiteral = true;
        } else {
            host = host.toLowerCase(Locale.ROOT);
            if (host.endsWith(".")) {
                host = host.substring(0, host.length() - 1);
            }
            if (NUMERIC_HOST.matcher(host).matches()) {
                if (!CANONICAL_IPV4.matcher(host).matches()) {
                    throw new HttpFetcher.Refused("the host '" + host + "' is a non-canonical IPv4 form; write an "
                            + "IPv4 address as four decimal numbers without leading zeros");
                }
                ipLiteral = true;
            } else {
                if (!DNS_NAME.matcher(host).matches() || host.length() > 253) {
                    throw new HttpFetcher.Refused("the host '" + host + "' is not a valid DNS name");
                }
                if (LOCAL_NAMES.contains(host) || host.endsWith(".localhost") || host.endsWith(".local")
                        || host.endsWith(".internal")) {
                    throw new HttpFetcher.Refused("the host '" + host + "' is a local name");
                }
                ipLiteral = false;
            }
        }
        if (hostAllowlist.isPresent() && !allowed(host, hostAllowlist.get())) {
            throw new HttpFetcher.Refused("the host '" + host + "' is not in this agent's host allowlist: "
                    + String.join(", ", hostAllowlist.get()));
        }
        return new Target(uri, host, port, ipLiteral);
    }

    /** An entry is a host ({@code api.example.com}) or every subdomain of one ({@code *.example.com}). */
    static boolean allowed(String host, Collection<String> allowlist) {
        for (String entry : allowlist) {
            String e = entry.toLowerCase(Locale.ROOT);
            if (e.startsWith("*.") ? host.endsWith(e.substring(1)) : host.equals(e)) {
                return true;
            }
        }
        return false;
    }
}
