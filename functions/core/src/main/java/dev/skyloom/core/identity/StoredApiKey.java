package dev.skyloom.core.identity;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** An API key as stored: never the secret, only its SHA-256. */
public record StoredApiKey(String keyId, TenantId tenant, String userId, String name, String secretHash,
                           List<String> scopes, boolean platformAdmin, Instant createdAt,
                           Optional<Instant> expiresAt, Optional<Instant> revokedAt, Optional<Instant> lastUsedAt,
                           java.util.OptionalInt rateLimitPerMinute) {
    public StoredApiKey {
        scopes = List.copyOf(scopes);
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
