package dev.skyloom.core.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.core.identity.Principal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * {@code Idempotency-Key} on creating requests (decision 0300). The key is scoped to the tenant, the caller's user
 * and the request line; the first request takes it with a conditional write (an in-progress marker), runs, and
 * stores its successful answer for {@link #RETENTION}. A repeat with the same body gets the same status and body
 * (and {@code Idempotent-Replayed: true}) without running again; a repeat with another body is a 422; a repeat while
 * the first still runs is a 409 with {@code Retry-After}. A failed request releases the key. Credentials shown once
 * (fields named {@code token} in a {@code Cache-Control: no-store} answer) are not stored, so a replay lacks them.
 */
public final class Idempotency {
    public static final String HEADER = "Idempotency-Key";
    public static final String REPLAYED = "Idempotent-Replayed";
    public static final Duration RETENTION = Duration.ofHours(24);
    /** How long an in-progress marker holds the key; longer than any API request may run. */
    public static final Duration LOCK = Duration.ofSeconds(60);
    private static final Pattern KEY = Pattern.compile("[\\x21-\\x7e]{1,255}");

    private final IdempotencyStore store;
    private final Clock clock;
    private final java.util.function.Consumer<String> log;

    public Idempotency(IdempotencyStore store, Clock clock) {
        this(store, clock, line -> { });
    }

    /** @param log where a failure to record an answer is reported (the answer itself still goes out) */
    public Idempotency(IdempotencyStore store, Clock clock, java.util.function.Consumer<String> log) {
        this.store = store;
        this.clock = clock;
        this.log = log;
    }

    /** Runs {@code handler} once per key; without the header it simply runs it. */
    public ApiResponse run(ApiRequest request, Principal principal, Supplier<ApiResponse> handler) {
        Optional<String> header = request.header(HEADER);
        if (header.isEmpty()) {
            return handler.get();
        }
        String key = header.get().strip();
        if (!KEY.matcher(key).matches()) {
            throw ApiError.invalidField(HEADER, "must be 1-255 visible ASCII characters, e.g. a UUID");
        }
        String id = "api#" + principal.tenant().value() + "#" + sha256(principal.userId() + "\n" + request.method()
                + " " + request.path() + "\n" + key);
        String requestHash = sha256(request.body());
        Instant now = clock.instant();
        if (!store.begin(id, requestHash, now, now.plus(LOCK), now.plus(RETENTION))) {
            return previous(id, requestHash, now);
        }
        ApiResponse response;
        try {
            response = handler.get();
        } catch (RuntimeException | Error e) {
            store.release(id);
            throw e;
        }
        try {
            if (response.status() >= 200 && response.status() < 300) {
                store.complete(id, stored(response), clock.instant().plus(RETENTION));
            } else {
                store.release(id);
            }
        } catch (RuntimeException e) {
            // the work is done: answer it rather than a 500 that invites a retry; the key stays locked until its
            // in-progress marker expires
            log.accept("api.idempotency.recordFailed id=" + id + " status=" + response.status() + " exception="
                    + e);
        }
        return response;
    }

    private ApiResponse previous(String id, String requestHash, Instant now) {
        IdempotencyStore.Entry entry = store.find(id, now).orElseThrow(() -> inProgress());
        if (!entry.requestHash().equals(requestHash)) {
            throw new ApiError(422, "IDEMPOTENCY_KEY_REUSED", "This " + HEADER + " was used with a different "
                    + "request body; use a new key for a new request", List.of(new ApiError.Detail(HEADER,
                    "already used for another request body")), Map.of());
        }
        IdempotencyStore.Response stored = entry.response().orElseThrow(Idempotency::inProgress);
        JsonNode body = stored.body().isEmpty() ? null : Json.parseStored(stored.body(), JsonNode.class);
        return new ApiResponse(stored.status(), stored.headers(), body).withHeader(REPLAYED, "true");
    }

    private static ApiError inProgress() {
        return new ApiError(409, "IDEMPOTENCY_IN_PROGRESS", "A request with this " + HEADER + " is still in "
                + "progress; retry in a moment to get its answer", List.of(), Map.of("Retry-After", "1"));
    }

    private static IdempotencyStore.Response stored(ApiResponse response) {
        JsonNode body = response.body();
        if (body != null && "no-store".equals(response.headers().get("Cache-Control"))) {
            body = body.deepCopy();
            redact(body);
        }
        return new IdempotencyStore.Response(response.status(), response.headers(),
                body == null ? "" : body.toString());
    }

    private static void redact(JsonNode node) {
        if (node instanceof ObjectNode object) {
            object.remove("token");
            object.forEach(Idempotency::redact);
        }
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
