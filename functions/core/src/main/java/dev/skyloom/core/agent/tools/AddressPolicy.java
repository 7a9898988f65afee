package dev.skyloom.core.agent.tools;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Optional;

/**
 * Which network addresses {@code http_request} may connect to. The production policy is {@link #publicOnly()};
 * tests compose their own (allow exactly their loopback server's address and port, defer to {@code publicOnly} for
 * everything else) so a redirect to any other private address or port is still refused.
 */
@FunctionalInterface
public interface AddressPolicy {

    /** Why a connection to {@code address:port} is refused, or empty when it is allowed. */
    Optional<String> refusal(InetAddress address, int port);

    /** Public unicast addresses only. */
    static AddressPolicy publicOnly() {
        return (address, port) -> PublicAddresses.refusal(address);
    }

    /** Allows exactly {@code address:port} and asks {@code otherwise} about everything else (tests). */
    static AddressPolicy allowingExactly(InetAddress address, int port, AddressPolicy otherwise) {
        return (candidate, candidatePort) -> candidate.equals(address) && candidatePort == port ? Optional.empty()
                : otherwise.refusal(candidate, candidatePort);
    }

    /**
     * The ranges that are not the public internet. IPv4: this network, private (RFC 1918), shared/CGNAT
     * (100.64/10, also Alibaba's metadata 100.100.100.200), loopback, link-local (169.254/16: AWS, GCP and Azure
     * metadata), IETF protocol assignments, documentation, benchmarking, 6to4 relay, multicast, reserved and
     * broadcast. IPv6: unspecified, loopback, unique-local (fc00::/7, AWS metadata fd00:ec2::254), link-local,
     * site-local, multicast, documentation, discard, and IPv4 embedded in IPv6 (mapped, compatible, NAT64
     * 64:ff9b::/96 and 64:ff9b:1::/48, 6to4 2002::/16), each judged by its IPv4 address; Teredo (2001::/32) is
     * refused outright, its embedded address being obfuscated.
     */
    final class PublicAddresses {
        private PublicAddresses() {
        }

        public static Optional<String> refusal(InetAddress address) {
            byte[] b = address.getAddress();
            if (address instanceof Inet4Address) {
                return ipv4(b, address.getHostAddress());
            }
            if (address instanceof Inet6Address) {
                return ipv6(b, address.getHostAddress());
            }
            return Optional.of(address + " is of an unknown address family");
        }

        private static Optional<String> ipv4(byte[] b, String text) {
            int a0 = b[0] & 0xFF;
            int a1 = b[1] & 0xFF;
            int a2 = b[2] & 0xFF;
            String kind = null;
            if (a0 == 0) {
                kind = "'this network' (0.0.0.0/8)";
            } else if (a0 == 10 || (a0 == 172 && a1 >= 16 && a1 <= 31) || (a0 == 192 && a1 == 168)) {
                kind = "private";
            } else if (a0 == 100 && a1 >= 64 && a1 <= 127) {
                kind = "shared address space (100.64.0.0/10, carrier-grade NAT)";
            } else if (a0 == 127) {
                kind = "loopback";
            } else if (a0 == 169 && a1 == 254) {
                kind = "link-local (169.254.0.0/16, cloud metadata)";
            } else if (a0 == 192 && a1 == 0 && (a2 == 0 || a2 == 2)) {
                kind = "reserved (IETF) or documentation";
            } else if (a0 == 192 && a1 == 88 && a2 == 99) {
                kind = "6to4 relay anycast";
            } else if (a0 == 198 && (a1 == 18 || a1 == 19)) {
                kind = "benchmarking (198.18.0.0/15)";
            } else if ((a0 == 198 && a1 == 51 && a2 == 100) || (a0 == 203 && a1 == 0 && a2 == 113)) {
                kind = "documentation";
            } else if (a0 >= 224 && a0 <= 239) {
                kind = "multicast";
            } else if (a0 >= 240) {
                kind = "reserved or broadcast";
            }
            return kind == null ? Optional.empty() : Optional.of(text + " is a " + kind + " address");
        }

        private static Optional<String> ipv6(byte[] b, String text) {
            boolean firstTenZero = true;
            for (int i = 0; i < 10; i++) {
                firstTenZero &= b[i] == 0;
            }
            if (firstTenZero && (b[10] & 0xFF) == 0xFF && (b[11] & 0xFF) == 0xFF) {
                return embedded(b, 12, text, "IPv4-mapped");
            }
            if (firstTenZero && b[10] == 0 && b[11] == 0) {
                boolean allZero = true;
                for (int i = 12; i < 16; i++) {
                    allZero &= b[i] == 0;
                }
                if (allZero) {
                    return Optional.of(text + " is the unspecified address");
                }
                if (b[12] == 0 && b[13] == 0 && b[14] == 0 && b[15] == 1) {
                    return Optional.of(text + " is the loopback address");
                }
                return Optional.of(text + " is an IPv4-compatible address (deprecated; embeds "
                        + v4(b, 12) + ")");
            }
            int w0 = ((b[0] & 0xFF) << 8) | (b[1] & 0xFF);
            int w1 = ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
            int w2 = ((b[4] & 0xFF) << 8) | (b[5] & 0xFF);
            if (w0 == 0x0064 && w1 == 0xff9b) {
                if (w2 == 0x0001) {
                    return Optional.of(text + " is in the local-use NAT64 prefix 64:ff9b:1::/48");
                }
                boolean middleZero = true;
                for (int i = 4; i < 12; i++) {
                    middleZero &= b[i] == 0;
                }
                return middleZero ? embedded(b, 12, text, "NAT64")
                        : Optional.of(text + " is in the NAT64 prefix 64:ff9b::/96 but malformed");
            }
            if (w0 == 0x2002) {
                return embedded(b, 2, text, "6to4");
            }
            if (w0 == 0x2001 && w1 == 0x0000) {
                return Optional.of(text + " is a Teredo address (2001::/32)");
            }
            if (w0 == 0x2001 && w1 == 0x0db8) {
                return Optional.of(text + " is a documentation address (2001:db8::/32)");
            }
            if (w0 == 0x0100 && w1 == 0 && w2 == 0 && b[6] == 0 && b[7] == 0) {
                return Optional.of(text + " is a discard-only address (100::/64)");
            }
            if ((b[0] & 0xFE) == 0xFC) {
                return Optional.of(text + " is a unique-local address (fc00::/7)");
            }
            if ((b[0] & 0xFF) == 0xFE && (b[1] & 0xC0) == 0x80) {
                return Optional.of(text + " is a link-local address (fe80::/10)");
            }
            if ((b[0] & 0xFF) == 0xFE && (b[1] & 0xC0) == 0xC0) {
                return Optional.of(text + " is a site-local address (fec0::/10)");
            }
            if ((b[0] & 0xFF) == 0xFF) {
                return Optional.of(text + " is a multicast address");
            }
            if ((b[0] & 0xE0) != 0x20) {
                return Optional.of(text + " is not a global unicast address (2000::/3)");
            }
            return Optional.empty();
        }

        private static Optional<String> embedded(byte[] b, int offset, String text, String kind) {
            byte[] v4 = {b[offset], b[offset + 1], b[offset + 2], b[offset + 3]};
            return ipv4(v4, v4(b, offset))
                    .map(reason -> text + " is " + kind + " and embeds a refused address: " + reason);
        }

        private static String v4(byte[] b, int offset) {
            return (b[offset] & 0xFF) + "." + (b[offset + 1] & 0xFF) + "." + (b[offset + 2] & 0xFF) + "."
                    + (b[offset + 3] & 0xFF);
        }
    }
}
