package dev.skyloom.core.agent.tools;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import java.util.Optional;

/**
 * What a tool call produced.
 *
 * @param content    given back to the model (JSON or plain text)
 * @param error      true when the call failed; the model sees the content as an error it can react to
 * @param completion set only by {@code complete_step} and {@code gate_verdict}: the step is done with this result
 */
public record ToolResult(String content, boolean error, Optional<Completion> completion) {
    public ToolResult {
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(completion, "completion");
    }

    /**
     * The end of a step.
     *
     * @param text   the final answer in prose
     * @param output structured output (validated against the step's output schema when it has one), or null
     * @param result the result value that drives a pipeline's {@code onResult} ({@code PASS}, {@code FAIL}, ...),
     *               or null
     */
    public record Completion(String text, JsonNode output, String result) {
    }

    public static ToolResult ok(String content) {
        return new ToolResult(content, false, Optional.empty());
    }

    public static ToolResult error(String content) {
        return new ToolResult(content, true, Optional.empty());
    }

    public static ToolResult completed(String content, Completion completion) {
        return new ToolResult(content, false, Optional.of(completion));
    }
}
