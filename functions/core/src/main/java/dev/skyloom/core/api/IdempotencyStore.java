package dev.skyloom.core.api;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Records of {@code Idempotency-Key} requests: one per tenant, user, request line and key. A record is first
 * <em>in progress</em> (a lock with an expiry), then <em>completed</em> with the answer to replay.
 */
public interface IdempotencyStore {

    /** A stored answer. */
    record Response(int status, Map<String, String> headers, String body) {
        public Response {
            headers = Map.copyOf(headers);
        }
    }

    /** A record: the SHA-256 of the request it was made for, and the answer once the request completed. */
    record Entry(String id, String requestHash, Optional<Response> response) {
    }

    /**
     * Takes the key for one request: succeeds when no live record exists (none, expired, or an in-progress record
     * whose lock expired because its request died). A conditional write, so of concurrent requests one wins.
     */
    boolean begin(String id, String requestHash, Instant now, Instant lockedUntil, Instant expiresAt);

    Optional<Entry> find(String id, Instant now);

    /** Stores the answer of the request that holds the key. */
    void complete(String id, Response response, Instant expiresAt);

    /** Gives the key up (the request failed, nothing was created): a retry with the same key runs again. */
    void release(String id);
}
