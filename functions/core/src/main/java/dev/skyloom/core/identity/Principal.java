package dev.skyloom.core.identity;

import java.util.Set;

/**
 * Who is calling: the tenant every object of the request belongs to, the credential, and what it may do.
 *
 * @param scopes        {@code resource:action} grants; {@code *} as either part matches anything
 * @param platformAdmin whether the credential may manage tenants
 * @param rateLimitPerMinute the credential's own request limit, when it has one
 * @param boundByProjectRoles whether project roles limit this principal (decision 0300); never with {@code *}
 */
public record Principal(TenantId tenant, String keyId, String userId, Set<String> scopes, boolean platformAdmin,
                        java.util.OptionalInt rateLimitPerMinute, boolean boundByProjectRoles) {

    public Principal {
        scopes = Set.copyOf(scopes);
        boundByProjectRoles = boundByProjectRoles && !scopes.contains("*");
    }

    /** A principal with the default binding ({@link #actsForAPerson}). */
    public Principal(TenantId tenant, String keyId, String userId, Set<String> scopes, boolean platformAdmin,
                     java.util.OptionalInt rateLimitPerMinute) {
        this(tenant, keyId, userId, scopes, platformAdmin, rateLimitPerMinute, actsForAPerson(keyId, userId));
    }

    /** A principal with the deployment's default rate limit. */
    public Principal(TenantId tenant, String keyId, String userId, Set<String> scopes, boolean platformAdmin) {
        this(tenant, keyId, userId, scopes, platformAdmin, java.util.OptionalInt.empty());
    }

    /**
     * The default binding: a credential that acts for a person — a Skyloom access token ({@code user:} key id), an
     * external token ({@code jwt:}) or a credential of a {@code usr_} user — is bound by project roles (unless it
     * holds {@code *}); API keys carry their own binding ({@link StoredApiKey#boundByProjectRoles}).
     */
    public static boolean actsForAPerson(String keyId, String userId) {
        return (keyId != null && (keyId.startsWith("user:") || keyId.startsWith("jwt:")))
                || (userId != null && userId.startsWith("usr_"));
    }

    /** Whether the principal holds {@code required} ({@code resource:action}). */
    public boolean allows(String required) {
        return Scopes.allows(scopes, required);
    }
}
