package dev.skyloom.core.pipeline;

import dev.skyloom.core.api.ApiError;

/**
 * One problem of a pipeline definition.
 *
 * @param field   where, as a path into the YAML ({@code steps[2].onResult.FAIL.goto}); empty for the whole document
 * @param line    1-based line of the offending node, 0 when unknown
 * @param column  1-based column, 0 when unknown
 * @param message what is wrong and what would be valid
 */
public record PipelineError(String field, int line, int column, String message) {

    /** {@code line 12, column 9: step "review" onResult goto "fixx": no such step; steps are: ...}. */
    public String describe() {
        return line > 0 ? "line " + line + ", column " + column + ": " + message : message;
    }

    /** The API's detail: the field prefixed {@code yaml.}, the problem with its line and column. */
    public ApiError.Detail detail() {
        return new ApiError.Detail(field.isEmpty() ? "yaml" : "yaml." + field, describe());
    }
}
