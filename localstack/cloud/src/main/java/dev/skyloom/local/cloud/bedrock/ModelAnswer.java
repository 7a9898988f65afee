package dev.skyloom.local.cloud.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Objects;

/**
 * What the local model answers to one call, before it is written as a Converse response or as ConverseStream
 * events.
 *
 * @param delayMs how long the server waits before answering (scripted); also reported as the latency
 */
record ModelAnswer(List<Block> content, String stopReason, Usage usage, long delayMs) {
    ModelAnswer {
        content = List.copyOf(content);
        Objects.requireNonNull(stopReason, "stopReason");
        Objects.requireNonNull(usage, "usage");
    }

    sealed interface Block {
    }

    record Text(String text) implements Block {
    }

    record ToolUse(String toolUseId, String name, JsonNode input) implements Block {
    }

    /** Token counts as Bedrock reports them; the cache counts are written only when not zero. */
    record Usage(long inputTokens, long outputTokens, long cacheReadInputTokens, long cacheWriteInputTokens) {
        long totalTokens() {
            return inputTokens + outputTokens + cacheReadInputTokens + cacheWriteInputTokens;
        }
    }

    /** The deterministic token estimate of the local model: a token per four characters, rounded up. */
    static long tokens(long chars) {
        return (chars + 3) / 4;
    }

    /** Characters of generated output: the text and each tool call's name and JSON input. */
    static long outputChars(List<Block> content) {
        long chars = 0;
        for (Block block : content) {
            chars += switch (block) {
                case Text t -> t.text().length();
                case ToolUse u -> u.name().length() + u.input().toString().length();
            };
        }
        return chars;
    }
}
