package dev.skyloom.core.ratelimit;

import dev.skyloom.core.api.Api;
import dev.skyloom.core.api.ApiError;
import dev.skyloom.core.identity.Principal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Requests per minute per API key and per tenant, counted in shared fixed windows (so every Lambda container sees
 * the same counts). Over either limit: 429 with {@code Retry-After} = the seconds until the window ends.
 */
public final class RateLimits implements Api.RateLimiter {
    private static final long WINDOW_SECONDS = 60;
    private final RateCounter counter;
    private final Clock clock;
    private final int perKeyPerMinute;
    private final int perTenantPerMinute;

    public RateLimits(RateCounter counter, Clock clock, int perKeyPerMinute, int perTenantPerMinute) {
        this.counter = counter;
        this.clock = clock;
        this.perKeyPerMinute = perKeyPerMinute;
        this.perTenantPerMinute = perTenantPerMinute;
    }

    @Override
    public void check(Principal principal) {
        Instant now = clock.instant();
        long window = now.getEpochSecond() - Math.floorMod(now.getEpochSecond(), WINDOW_SECONDS);
        long retryAfter = Math.max(1, window + WINDOW_SECONDS - now.getEpochSecond());
        Instant expires = Instant.ofEpochSecond(window).plus(Duration.ofMinutes(10));
        int keyLimit = principal.rateLimitPerMinute().orElse(perKeyPerMinute);
        if (counter.increment("KEY#" + principal.keyId(), window, expires) > keyLimit) {
            throw ApiError.tooManyRequests("This API key is limited to " + keyLimit + " requests per minute; retry "
                    + "after " + retryAfter + " s", retryAfter);
        }
        if (counter.increment("TENANT#" + principal.tenant().value(), window, expires) > perTenantPerMinute) {
            throw ApiError.tooManyRequests("Tenant " + principal.tenant() + " is limited to " + perTenantPerMinute
                    + " requests per minute; retry after " + retryAfter + " s", retryAfter);
        }
    }
}
