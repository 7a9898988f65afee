package dev.skyloom.core.identity;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * An API key as stored: never the secret, only its SHA-256.
 *
 * @param userId              the user the key acts for (its creator)
 * @param boundByProjectRoles whether project roles limit the key (decision 0300): exactly when they limited its
 *                            creator, so no one escapes project membership by minting a key
 */
public record StoredApiKey(String keyId, TenantId tenant, String userId, String name, String secretHash,
                           List<String> scopes, boolean platformAdmin, Instant createdAt,
                           Optional<Instant> expiresAt, Optional<Instant> revokedAt, Optional<Instant> lastUsedAt,
                           java.util.OptionalInt rateLimitPerMinute, boolean boundByProjectRoles) {
    public StoredApiKey {
        scopes = List.copyOf(scopes);
    }

    /** A key stored before keys recorded their binding: bound when it acts for a person and lacks {@code *}. */
    public StoredApiKey(String keyId, TenantId tenant, String userId, String name, String secretHash,
                        List<String> scopes, boolean platformAdmin, Instant createdAt, Optional<Instant> expiresAt,
                        Optional<Instant> revokedAt, Optional<Instant> lastUsedAt,
                        java.util.OptionalInt rateLimitPerMinute) {
        this(keyId, tenant, userId, name, secretHash, scopes, platformAdmin, createdAt, expiresAt, revokedAt,
                lastUsedAt, rateLimitPerMinute, userId != null && userId.startsWith("usr_") && !scopes.contains("*"));
    }

    /** A key with the deployment's default rate limit. */
    public StoredApiKey(String keyId, TenantId tenant, String userId, String name, String secretHash,
                        List<String> scopes, boolean platformAdmin, Instant createdAt, Optional<Instant> expiresAt,
                        Optional<Instant> revokedAt, Optional<Instant> lastUsedAt) {
        this(keyId, tenant, userId, name, secretHash, scopes, platformAdmin, createdAt, expiresAt, revokedAt,
                lastUsedAt, java.util.OptionalInt.empty());
    }

    @Override
    public String toString() {
        return "StoredApiKey[keyId=" + keyId + ", tenant=" + tenant + ", name=" + name + "]";
    }
}
