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

    /**
     * A summary over a range of days.
     *
     * @param groupBy {@code day}, {@code agent} or {@code model}
     * @param groups  usage per day, agent or model over the range (for {@code day} the same as {@code days})
     */
    public record Summary(LocalDate from, LocalDate to, UsageDay total, List<UsageDay> days, String groupBy,
                          List<UsageGroup> groups) {
    }

    private static final java.util.regex.Pattern FILTER_VALUE = java.util.regex.Pattern.compile(
            "[A-Za-z0-9_.:/-]{1,200}");

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

    /**
     * Calls narrowed by run, agent, step and model ({@code ?runId=&agentId=&stepId=&model=}); {@code stepId} needs
     * {@code runId}.
     */
    public Page<LlmCall> list(Principal caller, LlmCallStore.Filter filter, Optional<Map<String, String>> cursor,
                              int limit) {
        checkFilter("runId", filter.runId());
        checkFilter("agentId", filter.agentId());
        checkFilter("stepId", filter.stepId());
        checkFilter("model", filter.modelId());
        if (filter.stepId().isPresent() && filter.runId().isEmpty()) {
            throw ApiError.invalidField("stepId", "needs runId as well (steps are named per run)");
        }
        return store.list(caller.tenant(), filter, cursor, limit);
    }

    private static void checkFilter(String field, Optional<String> value) {
        if (value.isPresent() && !FILTER_VALUE.matcher(value.get()).matches()) {
            throw ApiError.invalidField(field, "must be 1-200 characters of A-Z, a-z, 0-9, '_', '.', ':', '/', '-'");
        }
    }

    /** Usage from {@code from} to {@code to} (ISO dates, UTC, inclusive; default the last 30 days, at most 366). */
    public Summary summary(Principal caller, Optional<String> fromText, Optional<String> toText) {
        return summary(caller, fromText, toText, Optional.empty());
    }

    /** As {@link #summary(Principal, Optional, Optional)}, with {@code groupBy} = day (default), agent or model. */
    public Summary summary(Principal caller, Optional<String> fromText, Optional<String> toText,
                           Optional<String> groupByText) {
        LlmCallStore.GroupBy groupBy = LlmCallStore.GroupBy.DAY;
        if (groupByText.isPresent()) {
            try {
                groupBy = LlmCallStore.GroupBy.valueOf(groupByText.get().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw ApiError.invalidField("groupBy", "must be one of day, agent, model");
            }
        }
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
        List<UsageGroup> groups = groupBy == LlmCallStore.GroupBy.DAY
                ? days.stream().map(d -> new UsageGroup(d.day().toString(), d.calls(), d.inputTokens(),
                        d.outputTokens(), d.costMicroUsd())).toList()
                : store.usageBy(caller.tenant(), groupBy, from, to);
        return new Summary(from, to, total, days, groupBy.name().toLowerCase(java.util.Locale.ROOT), groups);
    }

    private static Optional<LocalDate> date(String field, Optional<String> text) {
        try {
            return text.map(LocalDate::parse);
        } catch (DateTimeParseException e) {
            throw ApiError.invalidField(field, "must be a date such as 2026-11-21");
        }
    }
}
