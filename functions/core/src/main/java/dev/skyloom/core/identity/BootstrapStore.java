package dev.skyloom.core.identity;

import java.time.Instant;
import java.util.Optional;

/** Storage for the one-time bootstrap of a deployment. Implementations write each change atomically. */
public interface BootstrapStore {

    /** The id of the current bootstrap admin key, if the deployment was bootstrapped. */
    Optional<String> bootstrapAdminKeyId();

    /**
     * Creates the default tenant, its admin user and the platform admin key in one transaction.
     *
     * @return false when another caller bootstrapped first (nothing was written)
     */
    boolean createDefaultTenant(TenantId tenant, String adminUserId, String adminEmail, ApiKeys.Minted key,
                                Instant now);

    /** Revokes the current bootstrap admin key and stores a new one, in one transaction. */
    void rotateAdminKey(TenantId tenant, String adminUserId, String previousKeyId, ApiKeys.Minted key, Instant now);
}
