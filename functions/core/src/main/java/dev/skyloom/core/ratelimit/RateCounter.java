package dev.skyloom.core.ratelimit;

import java.time.Instant;

/** Shared request counters in fixed windows (one per bucket and window start). */
public interface RateCounter {

    /** Adds one request to the bucket's window and answers the window's count including it. */
    long increment(String bucket, long windowStartEpochSecond, Instant expiresAt);
}
