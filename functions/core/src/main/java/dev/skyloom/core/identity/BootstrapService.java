package dev.skyloom.core.identity;

import java.time.Clock;
import java.util.Objects;
import java.util.Optional;

/**
 * Bootstraps a deployment: the default tenant, its admin user and the platform admin API key. Runs once per
 * deployment (a custom resource on AWS, every start of the local cloud) and is idempotent: after the first run it
 * mints a key only when asked to rotate (the holder lost it).
 */
public final class BootstrapService {
    public static final String ADMIN_USER_ID = "admin";
    public static final String ADMIN_EMAIL = "admin@skyloom.local";

    private final BootstrapStore store;
    private final Clock clock;

    public BootstrapService(BootstrapStore store, Clock clock) {
        this.store = Objects.requireNonNull(store);
        this.clock = Objects.requireNonNull(clock);
    }

    /**
     * The outcome; {@code adminKey} holds the token only when one was minted now.
     */
    public record Result(TenantId tenant, String adminUserId, Optional<String> adminKey, boolean created) {
        @Override
        public String toString() {
            return "Result[tenant=" + tenant + ", adminUserId=" + adminUserId + ", adminKey="
                    + (adminKey.isPresent() ? "<minted>" : "<none>") + ", created=" + created + "]";
        }
    }

    public Result bootstrap(boolean rotateAdminKey) {
        Optional<String> existing = store.bootstrapAdminKeyId();
        if (existing.isEmpty()) {
            ApiKeys.Minted key = ApiKeys.mint();
            if (store.createDefaultTenant(TenantId.DEFAULT, ADMIN_USER_ID, ADMIN_EMAIL, key, clock.instant())) {
                return new Result(TenantId.DEFAULT, ADMIN_USER_ID, Optional.of(key.token()), true);
            }
            existing = store.bootstrapAdminKeyId();
            if (existing.isEmpty()) {
                throw new IllegalStateException("bootstrap lost a race but finds no bootstrap record");
            }
        }
        if (!rotateAdminKey) {
            return new Result(TenantId.DEFAULT, ADMIN_USER_ID, Optional.empty(), false);
        }
        ApiKeys.Minted key = ApiKeys.mint();
        store.rotateAdminKey(TenantId.DEFAULT, ADMIN_USER_ID, existing.get(), key, clock.instant());
        return new Result(TenantId.DEFAULT, ADMIN_USER_ID, Optional.of(key.token()), false);
    }
}
