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

    /**
     * Whether project roles limit this principal (decision 0300): it acts for a person — a Skyloom access token
     * ({@code user:} key id), an external token ({@code jwt:}), or an API key a user created (its user id is a
     * {@code usr_} id) — and does not hold {@code *}. Tenant admins and the platform admin (scope {@code *}) and
     * program keys minted by an admin key (user {@code admin}) are limited by their scopes alone.
     */
    public boolean boundByProjectRoles() {
        if (scopes.contains("*")) {
            return false;
        }
        return (keyId != null && (keyId.startsWith("user:") || keyId.startsWith("jwt:")))
                || (userId != null && userId.startsWith("usr_"));
    }

    /** Whether the principal holds {@code required} ({@code resource:action}). */
    public boolean allows(String required) {
        return Scopes.allows(scopes, required);
    }
}
