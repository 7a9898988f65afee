package dev.skyloom.core.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.skyloom.core.api.ApiError;
import dev.skyloom.core.api.Page;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IdentityServiceTest {
    private static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");

    /** An in-memory {@link IdentityStore} for unit tests. */
    static final class FakeStore implements IdentityStore {
        final Map<String, StoredApiKey> keys = new HashMap<>();
        final Map<TenantId, Tenant> tenants = new HashMap<>();
        final List<String> touches = new ArrayList<>();

        @Override
        public Optional<StoredApiKey> findApiKey(String keyId) {
            return Optional.ofNullable(keys.get(keyId));
        }

        @Override
        public void touchApiKey(String keyId, Instant now, Instant ifBefore) {
            touches.add(keyId);
        }

        @Override
        public void createApiKey(StoredApiKey key) {
            keys.put(key.keyId(), key);
        }

        @Override
        public Page<StoredApiKey> listApiKeys(TenantId tenant, Optional<Map<String, String>> cursor, int limit) {
            return new Page<>(keys.values().stream().filter(k -> k.tenant().equals(tenant)).toList(),
                    Optional.empty());
        }

        @Override
        public boolean revokeApiKey(TenantId tenant, String keyId, Instant now) {
            StoredApiKey k = keys.get(keyId);
            if (k == null || !k.tenant().equals(tenant) || k.revokedAt().isPresent()) {
                return false;
            }
            keys.put(keyId, new StoredApiKey(k.keyId(), k.tenant(), k.userId(), k.name(), k.secretHash(),
                    k.scopes(), k.platformAdmin(), k.createdAt(), k.expiresAt(), Optional.of(now), k.lastUsedAt()));
            return true;
        }

        @Override
        public boolean createTenant(Tenant tenant, StoredApiKey adminKey) {
            if (tenants.containsKey(tenant.id())) {
                return false;
            }
            tenants.put(tenant.id(), tenant);
            keys.put(adminKey.keyId(), adminKey);
            return true;
        }

        @Override
        public Optional<Tenant> findTenant(TenantId tenant) {
            return Optional.ofNullable(tenants.get(tenant));
        }
    }

    private final FakeStore store = new FakeStore();
    private final IdentityService service = new IdentityService(store, Clock.fixed(NOW, ZoneOffset.UTC));
    private final Principal platformAdmin = new Principal(TenantId.DEFAULT, "k0", "admin", Set.of("*"), true);

    private static int status(Runnable call) {
        return catchThrowableOfType(ApiError.class, call::run).status();
    }

    @Test
    void authenticate_validBearerKey_givesItsTenantAndScopes_andRecordsTheUse() {
        IdentityService.NewKey tenantAdmin = service.createTenant(platformAdmin, new TenantId("acme"), "Acme");

        Principal principal = service.authenticate(Optional.of("Bearer " + tenantAdmin.token()));

        assertThat(principal.tenant()).isEqualTo(new TenantId("acme"));
        assertThat(principal.scopes()).containsExactly("*");
        assertThat(principal.platformAdmin()).isFalse();
        assertThat(store.touches).containsExactly(tenantAdmin.key().keyId());
    }

    @Test
    void authenticate_missingMalformedWrongSecretRevokedOrExpired_is401() {
        IdentityService.NewKey key = service.createTenant(platformAdmin, new TenantId("acme"), "Acme");
        String wrongSecret = key.token().substring(0, 21) + "B".repeat(43);

        assertThat(status(() -> service.authenticate(Optional.empty()))).isEqualTo(401);
        assertThat(status(() -> service.authenticate(Optional.of("Basic abc")))).isEqualTo(401);
        assertThat(status(() -> service.authenticate(Optional.of("Bearer nope")))).isEqualTo(401);
        assertThat(status(() -> service.authenticate(Optional.of("Bearer " + wrongSecret)))).isEqualTo(401);

        Principal admin = service.authenticate(Optional.of("Bearer " + key.token()));
        IdentityService.NewKey expiring = service.createApiKey(admin, "short", List.of("projects:read"),
                Optional.of(NOW.plusSeconds(60)));
        IdentityService expiredClock = new IdentityService(store, Clock.fixed(NOW.plusSeconds(61), ZoneOffset.UTC));
        assertThat(status(() -> expiredClock.authenticate(Optional.of("Bearer " + expiring.token()))))
                .isEqualTo(401);

        service.revokeApiKey(admin, key.key().keyId());
        assertThat(status(() -> service.authenticate(Optional.of("Bearer " + key.token())))).isEqualTo(401);
    }

    @Test
    void createTenant_byNonAdmin_is403_andTwice_is409() {
        Principal tenantAdmin = new Principal(new TenantId("acme"), "k1", "admin", Set.of("*"), false);

        assertThat(status(() -> service.createTenant(tenantAdmin, new TenantId("x"), "X"))).isEqualTo(403);
        service.createTenant(platformAdmin, new TenantId("acme"), "Acme");
        assertThat(status(() -> service.createTenant(platformAdmin, new TenantId("acme"), "Acme"))).isEqualTo(409);
    }

    @Test
    void createApiKey_isBoundByProjectRoles_exactlyWhenItsCreatorIs() {
        Principal tenantAdminUser = new Principal(new TenantId("acme"), "user:usr_admin", "usr_admin", Set.of("*"),
                false);
        Principal editorUser = new Principal(new TenantId("acme"), "user:usr_ed", "usr_ed",
                Set.of("projects:*", "tasks:*", "api-keys:create"), false);

        IdentityService.NewKey ci = service.createApiKey(tenantAdminUser, "ci", List.of("projects:read"),
                Optional.empty());
        IdentityService.NewKey eds = service.createApiKey(editorUser, "mine", List.of("projects:read"),
                Optional.empty());

        Principal ciKey = service.authenticate(Optional.of("Bearer " + ci.token()));
        Principal edsKey = service.authenticate(Optional.of("Bearer " + eds.token()));
        assertThat(ciKey.boundByProjectRoles()).isFalse();
        assertThat(ciKey.userId()).isEqualTo("usr_admin");
        assertThat(edsKey.boundByProjectRoles()).isTrue();
        assertThat(edsKey.userId()).isEqualTo("usr_ed");
    }

    @Test
    void createApiKey_storesOnlyTheHash_andCannotGrantMoreThanTheCreatorHas() {
        Principal reader = new Principal(new TenantId("acme"), "k1", "u", Set.of("projects:*"), false);

        IdentityService.NewKey key = service.createApiKey(reader, "ci", List.of("projects:read"), Optional.empty());

        assertThat(store.keys.get(key.key().keyId()).toString()).doesNotContain(key.token());
        assertThat(store.keys.get(key.key().keyId()).secretHash()).doesNotContain(key.token().substring(21));
        assertThat(status(() -> service.createApiKey(reader, "x", List.of("agents:read"), Optional.empty())))
                .isEqualTo(403);
        assertThat(status(() -> service.createApiKey(reader, "x", List.of("*"), Optional.empty()))).isEqualTo(403);
        assertThat(status(() -> service.createApiKey(reader, "x", List.of("bad scope"), Optional.empty())))
                .isEqualTo(400);
        assertThat(status(() -> service.createApiKey(reader, "x", List.of("projects:read"),
                Optional.of(NOW.minusSeconds(1))))).isEqualTo(400);
    }

    @Test
    void revokeApiKey_ofAnotherTenant_is404() {
        IdentityService.NewKey acme = service.createTenant(platformAdmin, new TenantId("acme"), "Acme");
        Principal other = new Principal(new TenantId("other"), "k9", "u", Set.of("*"), false);

        assertThat(status(() -> service.revokeApiKey(other, acme.key().keyId()))).isEqualTo(404);
        assertThat(store.keys.get(acme.key().keyId()).revokedAt()).isEmpty();
    }
}
