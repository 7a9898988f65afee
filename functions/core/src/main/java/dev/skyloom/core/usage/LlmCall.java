package dev.skyloom.core.usage;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;

/**
 * One model call as the agent runtime records it: who made it, tokens, cost (micro-dollars, exact), latency and stop
 * reason. Its id starts with the call's time in milliseconds, so ids sort chronologically.
 */
public record LlmCall(String callId, Instant at, String runId, String stepId, String agentId, String provider,
                      String modelId, long inputTokens, long outputTokens, long cacheReadTokens,
                      long cacheWriteTokens, int toolCalls, long costMicroUsd, long latencyMs, String stopReason) {
    private static final SecureRandom RANDOM = new SecureRandom();

    public static String newId(Instant at) {
        byte[] bytes = new byte[4];
        RANDOM.nextBytes(bytes);
        return "llm_" + String.format("%013d", at.toEpochMilli()) + HexFormat.of().formatHex(bytes);
    }
}
