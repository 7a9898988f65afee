package dev.skyloom.core.agent.model;

import java.util.Objects;

/**
 * What the model answered.
 *
 * @param message   the assistant message (text and tool calls)
 * @param latencyMs the time the call took, as the client measured it
 */
public record ModelResponse(Message message, StopReason stopReason, TokenUsage usage, long latencyMs) {
    public ModelResponse {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(stopReason, "stopReason");
        Objects.requireNonNull(usage, "usage");
        if (message.role() != Role.ASSISTANT) {
            throw new IllegalArgumentException("a model response is an assistant message");
        }
    }
}
