package dev.skyloom.core.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BootstrapServiceTest {

    /** An in-memory store behind the port: enough to test the service's decisions. */
    static final class MemoryStore implements BootstrapStore {
        String adminKeyId;
        final List<String> revoked = new ArrayList<>();
        final List<String> hashes = new ArrayList<>();
        boolean loseRace;

        @Override
        public Optional<String> bootstrapAdminKeyId() {
            return Optional.ofNullable(adminKeyId);
        }

        @Override
        public boolean createDefaultTenant(TenantId tenant, String adminUserId, String adminEmail,
                                          ApiKeys.Minted key, Instant now) {
            if (loseRace) {
                adminKeyId = "other-winner";
                return false;
            }
            adminKeyId = key.keyId();
            hashes.add(key.secretHash());
            return true;
        }

        @Override
        public void rotateAdminKey(TenantId tenant, String adminUserId, String previousKeyId, ApiKeys.Minted key,
                                   Instant now) {
            revoked.add(previousKeyId);
            adminKeyId = key.keyId();
            hashes.add(key.secretHash());
        }
    }

    private final Clock clock = Clock.fixed(Instant.parse("2026-11-21T00:00:00Z"), ZoneOffset.UTC);

    @Test
    void bootstrap_firstRun_createsTheTenantAndReturnsTheKeyOnce() {
        MemoryStore store = new MemoryStore();
        BootstrapService service = new BootstrapService(store, clock);

        BootstrapService.Result first = service.bootstrap(false);
        BootstrapService.Result second = service.bootstrap(false);

        assertThat(first.created()).isTrue();
        assertThat(first.adminKey()).isPresent();
        assertThat(ApiKeys.parse(first.adminKey().get()).orElseThrow().keyId()).isEqualTo(store.adminKeyId);
        assertThat(second.created()).isFalse();
        assertThat(second.adminKey()).isEmpty();
        assertThat(first.toString()).doesNotContain(first.adminKey().get());
    }

    @Test
    void bootstrap_withRotate_revokesTheOldKeyAndMintsANewOne() {
        MemoryStore store = new MemoryStore();
        BootstrapService service = new BootstrapService(store, clock);
        String oldKeyId = ApiKeys.parse(service.bootstrap(false).adminKey().orElseThrow()).orElseThrow().keyId();

        BootstrapService.Result rotated = service.bootstrap(true);

        assertThat(rotated.adminKey()).isPresent();
        assertThat(store.revoked).containsExactly(oldKeyId);
        assertThat(store.adminKeyId).isNotEqualTo(oldKeyId);
    }

    @Test
    void bootstrap_whenAnotherCallerWonTheRace_mintsNothingUnlessAskedToRotate() {
        MemoryStore store = new MemoryStore();
        store.loseRace = true;

        BootstrapService.Result result = new BootstrapService(store, clock).bootstrap(false);

        assertThat(result.created()).isFalse();
        assertThat(result.adminKey()).isEmpty();
    }
}
