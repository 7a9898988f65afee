package dev.skyloom.core.identity;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The API key format and its hashing.
 *
 * <p>A key reads {@code sky_<keyId>_<secret>}: the key id (16 lowercase hex characters) is public and finds the
 * stored record; the secret (256 random bits, base64url) is never stored, only its SHA-256. A slow password hash is
 * not needed: the secret has full entropy, so a fast hash cannot be brute-forced, and verification stays cheap on
 * every request. Comparison is constant-time.
 */
public final class ApiKeys {
    static final String PREFIX = "sky_";
    private static final Pattern FORMAT = Pattern.compile("sky_([0-9a-f]{16})_([A-Za-z0-9_-]{43})");
    private static final SecureRandom RANDOM = new SecureRandom();

    private ApiKeys() {
    }

    /** A freshly minted key: the token to show once, and what may be stored. */
    public record Minted(String keyId, String token, String secretHash) {
        @Override
        public String toString() {
            return "Minted[keyId=" + keyId + ", token=<redacted>]";
        }
    }

    /** A presented token split into its parts. */
    public record Presented(String keyId, String secret) {
        @Override
        public String toString() {
            return "Presented[keyId=" + keyId + ", secret=<redacted>]";
        }
    }

    public static Minted mint() {
        byte[] id = new byte[8];
        byte[] secret = new byte[32];
        RANDOM.nextBytes(id);
        RANDOM.nextBytes(secret);
        String keyId = HexFormat.of().formatHex(id);
        String secretText = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        return new Minted(keyId, PREFIX + keyId + "_" + secretText, hash(secretText));
    }

    /** Parses a bearer token; empty when it is not shaped like a Skyloom API key. */
    public static Optional<Presented> parse(String token) {
        if (token == null) {
            return Optional.empty();
        }
        Matcher m = FORMAT.matcher(token);
        return m.matches() ? Optional.of(new Presented(m.group(1), m.group(2))) : Optional.empty();
    }

    /** Whether the presented secret matches the stored hash, in time independent of where they differ. */
    public static boolean verify(Presented presented, String storedHash) {
        byte[] expected = HexFormat.of().parseHex(storedHash);
        byte[] actual = HexFormat.of().parseHex(hash(presented.secret()));
        return MessageDigest.isEqual(expected, actual);
    }

    static String hash(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(secret.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
