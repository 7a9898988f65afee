package dev.skyloom.core.agent.tools;

import com.fasterxml.jackson.databind.JsonNode;
import dev.skyloom.core.agent.model.ToolSpec;

/** A tool an agent can call. Implementations are thread-safe and never throw for bad input: they answer an error. */
public interface Tool {

    /** Name, description and input schema as the model sees them. */
    ToolSpec spec();

    default String name() {
        return spec().name();
    }

    /** Whether a person must approve a call before it runs (deleting, spending, reaching outside). */
    default boolean dangerous() {
        return false;
    }

    /**
     * Whether this particular call needs approval. Defaults to {@link #dangerous()}; a tool whose risk depends on its
     * arguments ({@code http_request}: any method but GET and HEAD) answers per call. {@code input} is valid.
     */
    default boolean dangerous(JsonNode input) {
        return dangerous();
    }

    /**
     * Runs the call. {@code input} has already been validated against {@link ToolSpec#inputSchema()} by the caller
     * ({@link ToolInvoker}). Side effects are keyed by {@link ToolContext#callKey()} so a retried turn does not apply
     * them twice. A failure the model should see is a {@link ToolResult#error(String)} or a {@link ToolException}.
     */
    ToolResult call(JsonNode input, ToolContext context);
}
