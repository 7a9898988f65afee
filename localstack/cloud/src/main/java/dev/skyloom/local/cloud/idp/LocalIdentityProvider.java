package dev.skyloom.local.cloud.idp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.skyloom.local.cloud.edge.AwsErrors;
import dev.skyloom.local.cloud.edge.ServiceHandler;
import dev.skyloom.local.cloud.http.HttpExchanges;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;

/**
 * The local cloud's development identity provider, served on the edge under {@link #PATH}:
 * <ul>
 *   <li>{@code GET .../.well-known/openid-configuration} and {@code GET .../jwks.json} (the public RS256 key);</li>
 *   <li>{@code POST .../token} with {@code {"sub", "tenant", "scope", "expiresIn"}} (JSON; {@code scope} space
 *       separated, default {@code *:read}; {@code expiresIn} seconds, 1-86400, default 3600): an access token like a
 *       Cognito user pool's ({@code iss}, {@code client_id} = {@value #CLIENT_ID}, {@code token_use=access},
 *       {@code custom:tenant}, {@code scope}, {@code exp}).</li>
 * </ul>
 * It authenticates nobody: it is for development, and anyone who can reach the edge can also read and write every
 * table, so it opens nothing new. The signing key is created once in {@code <data-dir>/keys/idp-rs256.pk8}
 * (PKCS#8, mode 0600) and kept across restarts, so tokens stay valid.
 */
public final class LocalIdentityProvider implements ServiceHandler {
    public static final String PATH = "/_skyloom/idp";
    public static final String CLIENT_ID = "skyloom-local";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final RSAPrivateCrtKey key;
    private final String keyId;
    private final String issuer;
    private final Clock clock;

    public LocalIdentityProvider(Path keysDir, URI edge, Clock clock) {
        this.key = loadOrCreate(keysDir.resolve("idp-rs256.pk8"));
        this.issuer = edge.toString().replaceAll("/$", "") + PATH;
        this.clock = clock;
        try {
            this.keyId = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(key.getModulus().toByteArray()), 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    public String issuer() {
        return issuer;
    }

    /** The environment a function needs to accept this issuer's tokens. */
    /** The values of the manifest's identity variables ({@code SKYLOOM_JWKS_URL}, ...) that make the API trust it. */
    public Map<dev.skyloom.manifest.EnvValue.IdentityValue.Field, String> identityValues() {
        return Map.of(dev.skyloom.manifest.EnvValue.IdentityValue.Field.JWKS_URL, issuer + "/jwks.json",
                dev.skyloom.manifest.EnvValue.IdentityValue.Field.ISSUER, issuer,
                dev.skyloom.manifest.EnvValue.IdentityValue.Field.CLIENT_IDS, CLIENT_ID);
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath().substring(PATH.length());
        String method = exchange.getRequestMethod();
        if (method.equals("GET") && path.equals("/jwks.json")) {
            HttpExchanges.sendJson(exchange, 200, JSON.writeValueAsString(jwks()));
        } else if (method.equals("GET") && path.equals("/.well-known/openid-configuration")) {
            ObjectNode config = JSON.createObjectNode().put("issuer", issuer).put("jwks_uri", issuer + "/jwks.json")
                    .put("token_endpoint", issuer + "/token");
            config.putArray("id_token_signing_alg_values_supported").add("RS256");
            HttpExchanges.sendJson(exchange, 200, JSON.writeValueAsString(config));
        } else if (method.equals("POST") && path.equals("/token")) {
            token(exchange);
        } else {
            AwsErrors.json(exchange, 404, "NotFound", "The local identity provider serves GET " + PATH
                    + "/.well-known/openid-configuration, GET " + PATH + "/jwks.json and POST " + PATH + "/token");
        }
    }

    private void token(HttpExchange exchange) throws IOException {
        JsonNode request;
        try {
            request = JSON.readTree(HttpExchanges.readBody(exchange, 16 * 1024));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            request = null;
        }
        if (request == null || !request.path("sub").isTextual() || !request.path("tenant").isTextual()) {
            AwsErrors.json(exchange, 400, "InvalidRequest", "Send JSON {\"sub\": \"<user>\", \"tenant\": \"<tenant id>\","
                    + " \"scope\": \"projects:read tasks:write\", \"expiresIn\": 3600}");
            return;
        }
        long expiresIn = request.path("expiresIn").asLong(3600);
        if (expiresIn < 1 || expiresIn > 86_400) {
            AwsErrors.json(exchange, 400, "InvalidRequest", "expiresIn must be 1 to 86400 seconds");
            return;
        }
        long now = clock.instant().getEpochSecond();
        ObjectNode claims = JSON.createObjectNode().put("iss", issuer).put("sub", request.get("sub").asText())
                .put("client_id", CLIENT_ID).put("token_use", "access")
                .put("custom:tenant", request.get("tenant").asText())
                .put("scope", request.path("scope").asText("*:read"))
                .put("iat", now).put("exp", now + expiresIn).put("jti", UUID.randomUUID().toString());
        ObjectNode answer = JSON.createObjectNode().put("access_token", sign(claims)).put("token_type", "Bearer")
                .put("expires_in", expiresIn);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        HttpExchanges.sendJson(exchange, 200, JSON.writeValueAsString(answer));
    }

    /** A compact RS256 JWS of the claims, with this key's {@code kid}. */
    String sign(ObjectNode claims) {
        ObjectNode header = JSON.createObjectNode().put("alg", "RS256").put("typ", "JWT").put("kid", keyId);
        String input = B64.encodeToString(header.toString().getBytes(StandardCharsets.UTF_8)) + "."
                + B64.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8));
        try {
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initSign(key);
            rsa.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + B64.encodeToString(rsa.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a token with the local identity provider's key", e);
        }
    }

    private ObjectNode jwks() {
        ObjectNode jwks = JSON.createObjectNode();
        jwks.putArray("keys").addObject().put("kty", "RSA").put("use", "sig").put("alg", "RS256").put("kid", keyId)
                .put("n", B64.encodeToString(unsigned(key.getModulus())))
                .put("e", B64.encodeToString(unsigned(key.getPublicExponent())));
        return jwks;
    }

    private static byte[] unsigned(BigInteger value) {
        byte[] bytes = value.toByteArray();
        return bytes.length > 1 && bytes[0] == 0 ? Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
    }

    private static RSAPrivateCrtKey loadOrCreate(Path file) {
        try {
            if (!Files.exists(file)) {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
                generator.initialize(2048);
                byte[] encoded = generator.generateKeyPair().getPrivate().getEncoded();
                Files.createDirectories(file.getParent());
                Path temp = file.resolveSibling(file.getFileName() + ".tmp");
                Files.deleteIfExists(temp);
                try {
                    Files.createFile(temp, PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString("rw-------")));
                } catch (UnsupportedOperationException notPosix) {
                    Files.createFile(temp);
                }
                Files.write(temp, Base64.getEncoder().encode(encoded));
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
            }
            byte[] encoded = Base64.getDecoder().decode(Files.readString(file).strip());
            return (RSAPrivateCrtKey) KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(encoded));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create or read the identity provider key " + file, e);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("the identity provider key " + file + " is unreadable; delete it to "
                    + "make a new one (tokens issued with it stop working)", e);
        }
    }
}
