package dev.skyloom.core.identity;

import dev.skyloom.core.api.Page;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** Storage of tenants and API keys. Every write is conditional; nothing is half-written. */
public interface IdentityStore {

    /** The key with this id, read strongly consistently (a new key works at once). */
    Optional<StoredApiKey> findApiKey(String keyId);

    /** Records a use of the key; skipped cheaply (a conditional write) when the last use is after {@code ifBefore}. */
    void touchApiKey(String keyId, Instant now, Instant ifBefore);

    void createApiKey(StoredApiKey key);

    Page<StoredApiKey> listApiKeys(TenantId tenant, Optional<Map<String, String>> cursor, int limit);

    /** Revokes a key of this tenant; false when the tenant has no such key (or it was revoked already). */
    boolean revokeApiKey(TenantId tenant, String keyId, Instant now);

    /** Creates the tenant and its first admin key in one transaction; false when the tenant exists. */
    boolean createTenant(Tenant tenant, StoredApiKey adminKey);

    Optional<Tenant> findTenant(TenantId tenant);
}
