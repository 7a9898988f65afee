package dev.skyloom.core.usage;

import dev.skyloom.core.api.Page;
import dev.skyloom.core.identity.TenantId;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The read models of model calls: the call log and usage per day, per agent per day and per model per day, all
 * written together by {@link #record}.
 */
public interface LlmCallStore {

    /** How a list of calls may be narrowed; each set field must match. */
    record Filter(Optional<String> runId, Optional<String> agentId, Optional<String> stepId,
                  Optional<String> modelId) {
        public static final Filter NONE = new Filter(Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty());
    }

    /** What usage can be summed by. */
    enum GroupBy { DAY, AGENT, MODEL }

    /**
     * Stores the call and adds it to its day's, its agent's and its model's usage, in one transaction (a repeated
     * call id changes nothing).
     */
    void record(TenantId tenant, LlmCall call);

    Optional<LlmCall> find(TenantId tenant, String callId);

    /** The newest calls first. */
    default Page<LlmCall> list(TenantId tenant, Optional<Map<String, String>> cursor, int limit) {
        return list(tenant, Filter.NONE, cursor, limit);
    }

    /** The newest calls that match, first. */
    Page<LlmCall> list(TenantId tenant, Filter filter, Optional<Map<String, String>> cursor, int limit);

    /**
     * What a run has used so far: all its calls, or those of one agent ({@code agentId} non-null). Kept as
     * counters written with each call, so budgets are checked with one read.
     */
    UsageGroup runUsage(TenantId tenant, String runId, String agentId);

    /** The days from {@code from} to {@code to} (inclusive) that had calls, in order. */
    List<UsageDay> usage(TenantId tenant, LocalDate from, LocalDate to);

    /**
     * Usage from {@code from} to {@code to} (inclusive) summed per agent or per model (for {@link GroupBy#DAY}, one
     * group per day), ordered by key.
     */
    List<UsageGroup> usageBy(TenantId tenant, GroupBy groupBy, LocalDate from, LocalDate to);
}
