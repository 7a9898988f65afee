package dev.skyloom.core.usage;

import dev.skyloom.core.api.ApiError;
import dev.skyloom.core.api.Page;
import dev.skyloom.core.identity.Principal;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The model call log and usage summaries of a tenant (filled by the agent runtime). */
public final class UsageService {
    private final LlmCallStore store;
    private final Clock clock;

    public UsageService(LlmCallStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** A summary over a range of days. */
    public record Summary(LocalDate from, LocalDate to, UsageDay total, List<UsageDay> days) {
    }

    public void record(Principal caller, LlmCall call) {
        store.record(caller.tenant(), call);
    }

    public LlmCall get(Principal caller, String callId) {
        if (!callId.matches("llm_[0-9a-f]{1,40}")) {
            throw ApiError.notFound("LLM call " + (callId.length() > 64 ? callId.substring(0, 64) : callId));
        }
        return store.find(caller.tenant(), callId).orElseThrow(() -> ApiError.notFound("LLM call " + callId));
    }

    public Page<LlmCall> list(Principal caller, Optional<Map<String, String>> cursor, int limit) {
        return store.list(caller.tenant(), cursor, limit);
    }

    /** Usage from {@code from} to {@code to} (ISO dates, UTC, inclusive; default the last 30 days, at most 366). */
    public Summary summary(Principal caller, Optional<String> fromText, Optional<String> toText) {
        LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        LocalDate to = date("to", toText).orElse(today);
        LocalDate from = date("from", fromText).orElse(to.minusDays(29));
        if (from.isAfter(to)) {
            throw ApiError.invalidField("from", "must not be after to (" + to + ")");
        }
        if (ChronoUnit.DAYS.between(from, to) > 365) {
            throw ApiError.invalidField("from", "must be at most 366 days before to");
        }
        List<UsageDay> days = store.usage(caller.tenant(), from, to);
        UsageDay total = new UsageDay(null, days.stream().mapToLong(UsageDay::calls).sum(),
                days.stream().mapToLong(UsageDay::inputTokens).sum(),
                days.stream().mapToLong(UsageDay::outputTokens).sum(),
                days.stream().mapToLong(UsageDay::costMicroUsd).sum());
        return new Summary(from, to, total, days);
    }

    private static Optional<LocalDate> date(String field, Optional<String> text) {
        try {
            return text.map(LocalDate::parse);
        } catch (DateTimeParseException e) {
            throw ApiError.invalidField(field, "must be a date such as 2026-11-21");
        }
    }
}
