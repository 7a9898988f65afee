package dev.skyloom.core.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.skyloom.core.api.ApiError;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TokensTest {
    private static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");
    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private final Tokens tokens = new Tokens(new byte[32], clock);
    private final User editor = new User(new TenantId("acme"), "usr_1", "ada@example.com", "Ada", List.of("editor"),
            Optional.empty(), NOW);

    private static int status(Runnable call) {
        return catchThrowableOfType(ApiError.class, call::run).status();
    }

    @Test
    void issue_thenVerify_givesTheUsersTenantAndRoleScopes() throws Exception {
        Principal principal = tokens.verify(SignedJWT.parse(tokens.issue(editor)));

        assertThat(principal.tenant()).isEqualTo(new TenantId("acme"));
        assertThat(principal.userId()).isEqualTo("usr_1");
        assertThat(principal.allows("projects:write")).isTrue();
        assertThat(principal.allows("secrets:write")).isFalse();
        assertThat(principal.allows("secrets:read")).isTrue();
    }

    @Test
    void verify_expiredTamperedOrOtherKey_is401() throws Exception {
        String token = tokens.issue(editor);
        Tokens later = new Tokens(new byte[32], Clock.fixed(NOW.plus(Duration.ofMinutes(16)), ZoneOffset.UTC));
        byte[] otherKey = new byte[32];
        otherKey[0] = 1;
        String[] parts = token.split("\\.");
        String tampered = parts[0] + "." + parts[1].substring(0, parts[1].length() - 2) + "AA." + parts[2];

        assertThat(status(() -> later.verify(parse(token)))).isEqualTo(401);
        assertThat(status(() -> new Tokens(otherKey, clock).verify(parse(token)))).isEqualTo(401);
        assertThat(status(() -> tokens.verify(parse(tampered)))).isEqualTo(401);
    }

    @Test
    void passwords_areArgon2id_andVerifyOnlyTheRightPassword() {
        String hash = Passwords.hash("correct horse battery staple");

        assertThat(hash).startsWith("$argon2id$").doesNotContain("correct horse");
        assertThat(Passwords.verify("correct horse battery staple", hash)).isTrue();
        assertThat(Passwords.verify("correct horse battery stapler", hash)).isFalse();
        assertThat(Passwords.hash("correct horse battery staple")).isNotEqualTo(hash);
    }

    @Test
    void jwks_validCognitoAccessToken_givesItsTenant_andEveryBadClaimIs401() throws Exception {
        RSAKey key = new RSAKeyGenerator(2048).keyID("k1").generate();
        RSAKey stranger = new RSAKeyGenerator(2048).keyID("k1").generate();
        String issuer = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_pool";
        JwksTokenVerifier verifier = new JwksTokenVerifier(new ImmutableJWKSet<>(new JWKSet(key.toPublicJWK())),
                issuer, List.of("client-1"), clock);
        JWTClaimsSet.Builder good = new JWTClaimsSet.Builder().issuer(issuer).subject("u-42")
                .claim("token_use", "access").claim("client_id", "client-1").claim("custom:tenant", "acme")
                .claim("scope", "projects:read agents:read").expirationTime(Date.from(NOW.plusSeconds(300)));

        Principal principal = verifier.verify(sign(good.build(), key));

        assertThat(principal.tenant()).isEqualTo(new TenantId("acme"));
        assertThat(principal.allows("agents:read")).isTrue();
        assertThat(verifier.accepts(sign(good.build(), key))).isTrue();
        assertThat(status(() -> verifier.verify(sign(good.build(), stranger)))).isEqualTo(401);
        assertThat(status(() -> verifier.verify(sign(new JWTClaimsSet.Builder(good.build())
                .claim("client_id", "other").build(), key)))).isEqualTo(401);
        assertThat(status(() -> verifier.verify(sign(new JWTClaimsSet.Builder(good.build())
                .claim("token_use", "id").build(), key)))).isEqualTo(401);
        assertThat(status(() -> verifier.verify(sign(new JWTClaimsSet.Builder(good.build())
                .expirationTime(Date.from(NOW.minusSeconds(1))).build(), key)))).isEqualTo(401);
        assertThat(status(() -> verifier.verify(sign(new JWTClaimsSet.Builder(good.build())
                .issuer("https://evil.example").build(), key)))).isEqualTo(401);
    }

    private static SignedJWT parse(String token) {
        try {
            return SignedJWT.parse(token);
        } catch (java.text.ParseException e) {
            throw new AssertionError(e);
        }
    }

    private static SignedJWT sign(JWTClaimsSet claims, RSAKey key) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(),
                    claims);
            jwt.sign(new RSASSASigner(key));
            return jwt;
        } catch (com.nimbusds.jose.JOSEException e) {
            throw new AssertionError(e);
        }
    }
}
