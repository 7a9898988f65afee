package dev.skyloom.core.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.skyloom.core.api.ApiError;
import dev.skyloom.core.identity.Principal;
import dev.skyloom.core.identity.TenantId;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RateLimitsTest {
    private final Map<String, Long> counts = new HashMap<>();
    private final RateCounter counter = (bucket, window, expires) -> counts.merge(bucket + "@" + window, 1L, Long::sum);
    private final Clock clock = Clock.fixed(Instant.parse("2026-11-21T10:00:45Z"), ZoneOffset.UTC);
    private final Principal key = new Principal(new TenantId("acme"), "k1", "u", Set.of("*"), false);

    @Test
    void check_overTheKeyLimit_is429WithRetryAfterUntilTheWindowEnds() {
        RateLimits limits = new RateLimits(counter, clock, 2, 100);
        limits.check(key);
        limits.check(key);

        ApiError error = catchThrowableOfType(ApiError.class, () -> limits.check(key));

        assertThat(error.status()).isEqualTo(429);
        assertThat(error.headers()).containsEntry("Retry-After", "15");
        assertThat(error.getMessage()).contains("2 requests per minute");
    }

    @Test
    void check_overTheTenantLimit_is429_evenForAFreshKey() {
        RateLimits limits = new RateLimits(counter, clock, 100, 2);
        limits.check(key);
        limits.check(new Principal(new TenantId("acme"), "k2", "u", Set.of("*"), false));

        ApiError error = catchThrowableOfType(ApiError.class, () -> limits.check(
                new Principal(new TenantId("acme"), "k3", "u", Set.of("*"), false)));

        assertThat(error.status()).isEqualTo(429);
        assertThat(error.getMessage()).contains("Tenant acme");
    }

    @Test
    void check_keyWithItsOwnLimit_usesIt() {
        RateLimits limits = new RateLimits(counter, clock, 100, 100);
        Principal limited = new Principal(new TenantId("acme"), "k9", "u", Set.of("*"), false, OptionalInt.of(1));
        limits.check(limited);

        assertThat(catchThrowableOfType(ApiError.class, () -> limits.check(limited)).status()).isEqualTo(429);
    }
}
