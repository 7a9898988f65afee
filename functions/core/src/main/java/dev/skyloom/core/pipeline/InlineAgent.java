package dev.skyloom.core.pipeline;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An agent defined inside a pipeline. The compiler gives it a stable id derived from the pipeline id and the
 * agent's name ({@code agt_} + 16 hex digits of SHA-256), so the same YAML compiles to the same ASL; the API creates
 * (or replaces) the agent under that id before it deploys the state machine.
 *
 * @param id         the id the ASL uses
 * @param name       its name, as steps refer to it
 * @param definition the body of {@code POST /agents}, with the pipeline's {@code defaults} (model, tools) filled in
 *                   where it had none; checked against {@code Agent.validate}
 */
public record InlineAgent(String id, String name, JsonNode definition) {
}
