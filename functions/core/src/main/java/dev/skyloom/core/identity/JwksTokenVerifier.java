package dev.skyloom.core.identity;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.skyloom.core.api.ApiError;
import java.time.Clock;
import java.util.List;
import java.util.Set;

/**
 * Validates access tokens of an external identity provider (a Cognito user pool on AWS) against its JWKS: RS256
 * signature by a key of the set, {@code iss}, {@code exp}, {@code token_use=access}, and {@code client_id} (or
 * {@code aud}) among the allowed clients. The tenant comes from {@code custom:tenant} (or {@code tenant}), the scopes
 * from {@code scope}.
 */
public final class JwksTokenVerifier {
    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    private final String issuer;
    private final List<String> clients;
    private final Clock clock;

    public JwksTokenVerifier(JWKSource<SecurityContext> keys, String issuer, List<String> clients, Clock clock) {
        this.issuer = issuer;
        this.clients = List.copyOf(clients);
        this.clock = clock;
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.RS256, keys));
        processor.setJWTClaimsSetVerifier((claims, context) -> { });
    }

    public boolean accepts(SignedJWT jwt) {
        try {
            return issuer.equals(jwt.getJWTClaimsSet().getIssuer());
        } catch (java.text.ParseException e) {
            return false;
        }
    }

    public Principal verify(SignedJWT jwt) {
        JWTClaimsSet claims;
        try {
            claims = processor.process(jwt, null);
        } catch (Exception e) {
            throw ApiError.unauthorized("The bearer token is not a valid credential");
        }
        try {
            if (claims.getExpirationTime() == null || !claims.getExpirationTime().toInstant().isAfter(clock.instant())) {
                throw ApiError.unauthorized("The access token expired");
            }
            if (!issuer.equals(claims.getIssuer()) || !"access".equals(claims.getStringClaim("token_use"))) {
                throw ApiError.unauthorized("The bearer token is not an access token of " + issuer);
            }
            String client = claims.getStringClaim("client_id");
            boolean allowed = (client != null && clients.contains(client))
                    || (claims.getAudience() != null && claims.getAudience().stream().anyMatch(clients::contains));
            if (!allowed) {
                throw ApiError.unauthorized("The access token was issued to another client");
            }
            String tenant = claims.getStringClaim("custom:tenant") != null ? claims.getStringClaim("custom:tenant")
                    : claims.getStringClaim("tenant");
            if (tenant == null) {
                throw ApiError.unauthorized("The access token names no tenant (claim custom:tenant)");
            }
            String scope = claims.getStringClaim("scope");
            return new Principal(new TenantId(tenant), "jwt:" + claims.getSubject(), claims.getSubject(),
                    scope == null || scope.isBlank() ? Set.of() : Set.of(scope.split(" ")), false);
        } catch (java.text.ParseException | IllegalArgumentException e) {
            throw ApiError.unauthorized("The bearer token is not a valid credential");
        }
    }
}
