package dev.skyloom.core.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.skyloom.core.identity.Principal;
import dev.skyloom.core.identity.TenantId;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class IdempotencyTest {

    /** An in-memory {@link IdempotencyStore} with the adapter's conditions. */
    static class MemoryStore implements IdempotencyStore {
        record Item(String hash, long lockedUntil, long expiration, Response response) {
        }

        final Map<String, Item> items = new HashMap<>();

        @Override
        public synchronized boolean begin(String id, String requestHash, Instant now, Instant lockedUntil,
                                          Instant expiresAt) {
            Item current = items.get(id);
            long t = now.getEpochSecond();
            if (current != null && current.expiration() >= t && (current.response() != null
                    || current.lockedUntil() >= t)) {
                return false;
            }
            items.put(id, new Item(requestHash, lockedUntil.getEpochSecond(), expiresAt.getEpochSecond(), null));
            return true;
        }

        @Override
        public synchronized Optional<Entry> find(String id, Instant now) {
            Item item = items.get(id);
            return item == null || item.expiration() < now.getEpochSecond() ? Optional.empty()
                    : Optional.of(new Entry(id, item.hash(), Optional.ofNullable(item.response())));
        }

        @Override
        public synchronized void complete(String id, Response response, Instant expiresAt) {
            Item item = items.get(id);
            items.put(id, new Item(item.hash(), 0, expiresAt.getEpochSecond(), response));
        }

        @Override
        public synchronized void release(String id) {
            Item item = items.get(id);
            if (item != null && item.response() == null) {
                items.remove(id);
            }
        }
    }

    private final MemoryStore store = new MemoryStore();
    private final Idempotency idempotency = new Idempotency(store,
            Clock.fixed(Instant.parse("2026-11-21T10:00:00Z"), ZoneOffset.UTC));
    private final Principal alice = new Principal(new TenantId("acme"), "k1", "usr_alice", Set.of("*"), false);
    private final AtomicInteger runs = new AtomicInteger();

    private ApiRequest post(String key, String body) {
        Map<String, String> headers = key == null ? Map.of() : Map.of("Idempotency-Key", key);
        return new ApiRequest("r", "POST", "/api/v1/projects", headers, Map.of(), Map.of(), body);
    }

    private final Supplier<ApiResponse> create = () -> ApiResponse.created(Json.MAPPER.createObjectNode()
            .put("id", "prj_" + runs.incrementAndGet())).withHeader("ETag", "\"1\"");

    @Test
    void run_sameKeyAndBody_replaysTheFirstAnswer_withoutRunningAgain() {
        ApiResponse first = idempotency.run(post("k-1", "{\"name\":\"P\"}"), alice, create);
        ApiResponse second = idempotency.run(post("k-1", "{\"name\":\"P\"}"), alice, create);

        assertThat(runs).hasValue(1);
        assertThat(second.status()).isEqualTo(201);
        assertThat(second.body()).isEqualTo(first.body());
        assertThat(second.headers()).containsEntry("ETag", "\"1\"").containsEntry("Idempotent-Replayed", "true");
    }

    @Test
    void run_sameKeyOtherBody_is422_andAnotherUserOrNoKey_runsAgain() {
        idempotency.run(post("k-1", "{\"name\":\"P\"}"), alice, create);

        ApiError reused = catchThrowableOfType(ApiError.class,
                () -> idempotency.run(post("k-1", "{\"name\":\"Q\"}"), alice, create));
        Principal bob = new Principal(new TenantId("acme"), "k2", "usr_bob", Set.of("*"), false);
        idempotency.run(post("k-1", "{\"name\":\"P\"}"), bob, create);
        idempotency.run(post(null, "{\"name\":\"P\"}"), alice, create);

        assertThat(reused.status()).isEqualTo(422);
        assertThat(reused.code()).isEqualTo("IDEMPOTENCY_KEY_REUSED");
        assertThat(runs).hasValue(3);
    }

    @Test
    void run_whileTheFirstRuns_is409WithRetryAfter_andAFailureReleasesTheKey() {
        ApiError inProgress = catchThrowableOfType(ApiError.class, () -> idempotency.run(post("k-1", "{}"), alice,
                () -> idempotency.run(post("k-1", "{}"), alice, create)));
        assertThat(inProgress.status()).isEqualTo(409);
        assertThat(inProgress.headers()).containsEntry("Retry-After", "1");

        ApiError failed = catchThrowableOfType(ApiError.class, () -> idempotency.run(post("k-2", "{}"), alice,
                () -> {
                    throw ApiError.invalidField("name", "is required");
                }));
        ApiResponse retried = idempotency.run(post("k-2", "{}"), alice, create);

        assertThat(failed.status()).isEqualTo(400);
        assertThat(retried.status()).isEqualTo(201);
        assertThat(store.items).hasSize(1);
    }

    @Test
    void run_whenTheAnswerCannotBeRecorded_stillAnswers_andLogsIt() {
        java.util.List<String> lines = new java.util.ArrayList<>();
        MemoryStore failing = new MemoryStore() {
            @Override
            public synchronized void complete(String id, Response response, Instant expiresAt) {
                throw new IllegalStateException("table unavailable");
            }
        };
        Idempotency flaky = new Idempotency(failing, Clock.systemUTC(), lines::add);

        ApiResponse response = flaky.run(post("k-1", "{}"), alice, create);

        assertThat(response.status()).isEqualTo(201);
        assertThat(lines).singleElement().asString().contains("api.idempotency.recordFailed")
                .contains("table unavailable");
    }

    @Test
    void run_doesNotStoreTokensShownOnce_andRejectsMalformedKeys() {
        Supplier<ApiResponse> mint = () -> ApiResponse.created(Json.MAPPER.createObjectNode().put("keyId", "abc")
                .put("token", "sky_abc_secret")).withHeader("Cache-Control", "no-store");

        assertThat(idempotency.run(post("k-1", "{}"), alice, mint).body().path("token").asText())
                .isEqualTo("sky_abc_secret");
        ApiResponse replay = idempotency.run(post("k-1", "{}"), alice, mint);

        assertThat(replay.body().has("token")).isFalse();
        assertThat(replay.body().path("keyId").asText()).isEqualTo("abc");
        assertThat(store.items.values().toString()).doesNotContain("secret");
        assertThat(catchThrowableOfType(ApiError.class, () -> idempotency.run(post("has space", "{}"), alice,
                create)).status()).isEqualTo(400);
        assertThat(catchThrowableOfType(ApiError.class, () -> idempotency.run(post("x".repeat(256), "{}"), alice,
                create)).status()).isEqualTo(400);
    }
}
