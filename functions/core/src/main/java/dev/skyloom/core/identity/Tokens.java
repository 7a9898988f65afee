package dev.skyloom.core.identity;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.skyloom.core.api.ApiError;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Skyloom's own access tokens: short-lived JWTs (HS256) with {@code iss=skyloom}, {@code aud=skyloom-api},
 * {@code token_use=access}, the tenant and the scopes. The signing key is derived from the deployment's secrets key
 * (HMAC-SHA256 with a fixed label), so no second key needs distributing.
 */
public final class Tokens {
    public static final String ISSUER = "skyloom";
    public static final String AUDIENCE = "skyloom-api";
    public static final Duration ACCESS_LIFETIME = Duration.ofMinutes(15);
    private final byte[] signingKey;
    private final Clock clock;

    public Tokens(byte[] secretsKey, Clock clock) {
        this.signingKey = derive(secretsKey);
        this.clock = clock;
    }

    private static byte[] derive(byte[] secretsKey) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secretsKey, "HmacSHA256"));
            return mac.doFinal("skyloom-jwt-signing-v1".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }

    public String issue(User user) {
        Instant now = clock.instant();
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(ISSUER).audience(AUDIENCE).subject(user.userId())
                .claim("tenant", user.tenant().value()).claim("token_use", "access")
                .claim("scope", String.join(" ", user.scopes()))
                .claim("platform_admin", user.roles().contains("platform-admin"))
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plus(ACCESS_LIFETIME)))
                .jwtID(UUID.randomUUID().toString()).build();
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
            jwt.sign(new MACSigner(signingKey));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign an access token", e);
        }
    }

    /** Whether the token claims to be one of ours (then only {@link #verify} decides). */
    public static boolean isLocal(SignedJWT jwt) {
        try {
            return ISSUER.equals(jwt.getJWTClaimsSet().getIssuer());
        } catch (ParseException e) {
            return false;
        }
    }

    public Principal verify(SignedJWT jwt) {
        try {
            if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(new MACVerifier(signingKey))) {
                throw ApiError.unauthorized("The bearer token is not a valid credential");
            }
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            Instant now = clock.instant();
            if (claims.getExpirationTime() == null || !claims.getExpirationTime().toInstant().isAfter(now)) {
                throw ApiError.unauthorized("The access token expired; use POST /api/v1/auth/refresh");
            }
            if (!List.of(AUDIENCE).equals(claims.getAudience()) || !"access".equals(claims.getStringClaim("token_use"))) {
                throw ApiError.unauthorized("The bearer token is not an access token for this API");
            }
            String scope = claims.getStringClaim("scope");
            return new Principal(new TenantId(claims.getStringClaim("tenant")), "user:" + claims.getSubject(),
                    claims.getSubject(), scope == null || scope.isBlank() ? Set.of() : Set.of(scope.split(" ")),
                    Boolean.TRUE.equals(claims.getBooleanClaim("platform_admin")));
        } catch (ParseException | JOSEException | IllegalArgumentException e) {
            throw ApiError.unauthorized("The bearer token is not a valid credential");
        }
    }
}
