package dev.skyloom.core.pipeline;

import dev.skyloom.core.api.ApiError;
import java.util.List;

/**
 * What {@link PipelineCompiler#compile} answers: either the ASL (and what the API must do with it) or every error.
 *
 * @param pipeline     the checked pipeline (null when the YAML could not be read at all); present with errors too,
 *                     as far as it could be read, so {@code id} and {@code name} are known
 * @param asl          the state machine definition (JSONata), byte-identical for the same YAML and target; null
 *                     when there are errors
 * @param inlineAgents agents defined in the YAML, to create (or replace) under their ids before deploying
 * @param errors       every problem, in document order of discovery; empty when compiled
 */
public record Compilation(PipelineIr.Pipeline pipeline, String asl, List<InlineAgent> inlineAgents,
                          List<PipelineError> errors) {

    public Compilation {
        inlineAgents = List.copyOf(inlineAgents);
        errors = List.copyOf(errors);
    }

    public boolean ok() {
        return errors.isEmpty();
    }

    /** The API's 400: one detail per error, the message naming the first (with its line) and the count. */
    public ApiError toApiError() {
        if (errors.isEmpty()) {
            throw new IllegalStateException("the pipeline compiled");
        }
        PipelineError first = errors.getFirst();
        return ApiError.badRequest("Invalid pipeline: " + (errors.size() == 1 ? "" : errors.size()
                + " problems, first: ") + (first.field().isEmpty() ? "" : first.field() + " ") + first.describe(),
                errors.stream().map(PipelineError::detail).toList());
    }

    /** This, if it compiled; else the 400. */
    public Compilation orThrow() {
        if (!ok()) {
            throw toApiError();
        }
        return this;
    }
}
