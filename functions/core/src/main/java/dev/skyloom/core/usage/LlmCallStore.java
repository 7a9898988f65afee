package dev.skyloom.core.usage;

import dev.skyloom.core.api.Page;
import dev.skyloom.core.identity.TenantId;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The read models of model calls: the call log and per-day usage, written together by {@link #record}. */
public interface LlmCallStore {

    /** Stores the call and adds it to its day's usage, in one transaction (a repeated call id changes nothing). */
    void record(TenantId tenant, LlmCall call);

    Optional<LlmCall> find(TenantId tenant, String callId);

    /** The newest calls first. */
    Page<LlmCall> list(TenantId tenant, Optional<Map<String, String>> cursor, int limit);

    /** The days from {@code from} to {@code to} (inclusive) that had calls, in order. */
    List<UsageDay> usage(TenantId tenant, LocalDate from, LocalDate to);
}
