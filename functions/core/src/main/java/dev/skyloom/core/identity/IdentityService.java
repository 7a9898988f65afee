package dev.skyloom.core.identity;

import dev.skyloom.core.api.ApiError;
import dev.skyloom.core.api.Page;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** Authentication by API key, tenants and API key management. */
public final class IdentityService {
    /** How stale {@code lastUsedAt} may get before a request writes it again (keeps authentication read-only). */
    static final Duration TOUCH_INTERVAL = Duration.ofMinutes(1);

    private final IdentityStore store;
    private final Clock clock;

    private final java.util.function.Supplier<Optional<Tokens>> tokens;
    private final Optional<JwksTokenVerifier> jwks;

    public IdentityService(IdentityStore store, Clock clock) {
        this(store, clock, Optional::empty, Optional.empty());
    }

    /**
     * @param tokens Skyloom's own access tokens (empty when the deployment has no secrets key)
     * @param jwks   an external identity provider's tokens (a Cognito user pool), when configured
     */
    public IdentityService(IdentityStore store, Clock clock, java.util.function.Supplier<Optional<Tokens>> tokens,
                           Optional<JwksTokenVerifier> jwks) {
        this.store = Objects.requireNonNull(store);
        this.clock = Objects.requireNonNull(clock);
        this.tokens = Objects.requireNonNull(tokens);
        this.jwks = Objects.requireNonNull(jwks);
    }

    /** A key minted now: what is stored, and the token to show once. */
    public record NewKey(StoredApiKey key, String token) {
        @Override
        public String toString() {
            return "NewKey[keyId=" + key.keyId() + ", token=<redacted>]";
        }
    }

    /** The principal of an {@code Authorization: Bearer <token>} header, or a 401. */
    public Principal authenticate(Optional<String> authorization) {
        String header = authorization.map(String::strip).orElseThrow(() -> ApiError.unauthorized(
                "Authentication required: send Authorization: Bearer <API key>"));
        if (header.length() < 7 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw ApiError.unauthorized("The Authorization header must read: Bearer <API key>");
        }
        String token = header.substring(7).strip();
        if (!token.startsWith(ApiKeys.PREFIX) && token.chars().filter(c -> c == '.').count() == 2) {
            return authenticateJwt(token);
        }
        ApiKeys.Presented presented = ApiKeys.parse(token).orElseThrow(() ->
                ApiError.unauthorized("The bearer token is not a valid credential"));
        StoredApiKey key = store.findApiKey(presented.keyId())
                .filter(k -> ApiKeys.verify(presented, k.secretHash()))
                .orElseThrow(() -> ApiError.unauthorized("The bearer token is not a valid credential"));
        Instant now = clock.instant();
        if (key.revokedAt().isPresent()) {
            throw ApiError.unauthorized("This API key was revoked");
        }
        if (key.expiresAt().filter(e -> !e.isAfter(now)).isPresent()) {
            throw ApiError.unauthorized("This API key expired at " + key.expiresAt().get());
        }
        if (key.lastUsedAt().map(t -> t.isBefore(now.minus(TOUCH_INTERVAL))).orElse(true)) {
            store.touchApiKey(key.keyId(), now, now.minus(TOUCH_INTERVAL));
        }
        return new Principal(key.tenant(), key.keyId(), key.userId(), java.util.Set.copyOf(key.scopes()),
                key.platformAdmin(), key.rateLimitPerMinute(), key.boundByProjectRoles());
    }

    private Principal authenticateJwt(String token) {
        com.nimbusds.jwt.SignedJWT jwt;
        try {
            jwt = com.nimbusds.jwt.SignedJWT.parse(token);
        } catch (java.text.ParseException e) {
            throw ApiError.unauthorized("The bearer token is not a valid credential");
        }
        Optional<Tokens> local = tokens.get();
        if (local.isPresent() && Tokens.isLocal(jwt)) {
            return local.get().verify(jwt);
        }
        if (jwks.isPresent() && jwks.get().accepts(jwt)) {
            return jwks.get().verify(jwt);
        }
        throw ApiError.unauthorized("The bearer token is not a valid credential");
    }

    /** Creates a tenant and its first admin key (scope {@code *} within the tenant). Platform admins only. */
    public NewKey createTenant(Principal caller, TenantId id, String name) {
        if (!caller.platformAdmin()) {
            throw ApiError.forbidden("Only a platform admin may create tenants");
        }
        Instant now = clock.instant();
        ApiKeys.Minted minted = ApiKeys.mint();
        StoredApiKey key = new StoredApiKey(minted.keyId(), id, "admin", "tenant admin (first key)",
                minted.secretHash(), List.of("*"), false, now, Optional.empty(), Optional.empty(), Optional.empty());
        if (!store.createTenant(new Tenant(id, name, "active", now), key)) {
            throw ApiError.conflict("Tenant " + id + " exists already; choose another id");
        }
        return new NewKey(key, minted.token());
    }

    public Tenant tenant(TenantId id) {
        return store.findTenant(id).orElseThrow(() -> ApiError.notFound("Tenant " + id));
    }

    /**
     * Creates an API key of the caller's tenant; it may hold only scopes the caller holds, and project roles bind it
     * exactly when they bind the caller (a tenant admin's key for CI sees every project its scopes allow; a key a
     * project-bound user makes sees only that user's projects).
     */
    public NewKey createApiKey(Principal caller, String name, List<String> scopes, Optional<Instant> expiresAt) {
        return createApiKey(caller, name, scopes, expiresAt, java.util.OptionalInt.empty());
    }

    /** As above, with the key's own rate limit (requests per minute). */
    public NewKey createApiKey(Principal caller, String name, List<String> scopes, Optional<Instant> expiresAt,
                               java.util.OptionalInt rateLimitPerMinute) {
        for (int i = 0; i < scopes.size(); i++) {
            String scope = scopes.get(i);
            if (!Scopes.VALID.matcher(scope).matches()) {
                throw ApiError.invalidField("scopes[" + i + "]", "'" + abbreviate(scope)
                        + "' is not a scope; use resource:action, e.g. projects:read, agents:*, or *");
            }
            if (!grants(caller, scope)) {
                throw ApiError.forbidden("A key cannot grant the scope " + scope + " that its creator lacks");
            }
        }
        Instant now = clock.instant();
        if (expiresAt.filter(e -> !e.isAfter(now)).isPresent()) {
            throw ApiError.invalidField("expiresAt", "must be in the future");
        }
        ApiKeys.Minted minted = ApiKeys.mint();
        StoredApiKey key = new StoredApiKey(minted.keyId(), caller.tenant(), caller.userId(), name,
                minted.secretHash(), scopes, false, now, expiresAt, Optional.empty(), Optional.empty(),
                rateLimitPerMinute, caller.boundByProjectRoles());
        store.createApiKey(key);
        return new NewKey(key, minted.token());
    }

    public Page<StoredApiKey> listApiKeys(Principal caller, Optional<Map<String, String>> cursor, int limit) {
        return store.listApiKeys(caller.tenant(), cursor, limit);
    }

    public void revokeApiKey(Principal caller, String keyId) {
        if (!store.revokeApiKey(caller.tenant(), keyId, clock.instant())) {
            throw ApiError.notFound("API key " + abbreviate(keyId));
        }
    }

    private static boolean grants(Principal caller, String scope) {
        return Scopes.canGrant(caller.scopes(), scope);
    }

    static String abbreviate(String text) {
        return text.length() <= 64 ? text : text.substring(0, 64) + "...";
    }
}
