package dev.skyloom.core.identity;

import java.util.Set;

/**
 * Who is calling: the tenant every object of the request belongs to, the credential, and what it may do.
 *
 * @param scopes        {@code resource:action} grants; {@code *} as either part matches anything
 * @param platformAdmin whether the credential may manage tenants
 * @param rateLimitPerMinute the credential's own request limit, when it has one
 */
public record Principal(TenantId tenant, String keyId, String userId, Set<String> scopes, boolean platformAdmin,
                        java.util.OptionalInt rateLimitPerMinute) {

    public Principal {
        scopes = Set.copyOf(scopes);
    }

    /** A principal with the deployment's default rate limit. */
    public Principal(TenantId tenant, String keyId, String userId, Set<String> scopes, boolean platformAdmin) {
        this(tenant, keyId, userId, scopes, platformAdmin, java.util.OptionalInt.empty());
    }

    /** Whether the principal holds {@code required} ({@code resource:action}). */
    public boolean allows(String required) {
        return Scopes.allows(scopes, required);
    }
}
