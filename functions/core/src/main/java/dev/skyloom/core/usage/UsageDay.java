package dev.skyloom.core.usage;

import java.time.LocalDate;

/** A tenant's model usage on one UTC day, summed as the calls are recorded. */
public record UsageDay(LocalDate day, long calls, long inputTokens, long outputTokens, long costMicroUsd) {
}
