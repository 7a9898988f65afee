package dev.skyloom.core.usage;

/**
 * Usage summed over a range of days for one agent, one model or one day.
 *
 * @param key the agent id, the model id or the ISO day
 */
public record UsageGroup(String key, long calls, long inputTokens, long outputTokens, long costMicroUsd) {

    public UsageGroup plus(UsageGroup other) {
        return new UsageGroup(key, calls + other.calls, inputTokens + other.inputTokens,
                outputTokens + other.outputTokens, costMicroUsd + other.costMicroUsd);
    }
}
