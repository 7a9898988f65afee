package dev.skyloom.core.agent.tools;

import com.fasterxml.jackson.databind.JsonNode;
import dev.skyloom.core.identity.Principal;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a tool call happens.
 *
 * @param caller       the agent's principal: its tenant and scopes (tools call the same services as the API)
 * @param projectId    the project of the run, when it has one (board and shared memory need it)
 * @param runId        the run (or swarm, or chat) the step belongs to; the workspace prefix is derived from it
 * @param stepId       the step of the run
 * @param agentId      the agent making the call
 * @param turn         the 1-based turn of the step
 * @param callKey      unique and stable per tool call of a turn ({@code <execution>/<turn>/<index>}): the same
 *                     value when a crashed turn is retried, so tools derive idempotency keys and ids from it and
 *                     never apply a side effect twice
 * @param stepType     {@code agent}, {@code gate}, ... ({@code complete_step} and {@code gate_verdict} differ by it)
 * @param outputSchema the JSON Schema {@code complete_step}'s output must satisfy, when the step has one
 */
public record ToolContext(Principal caller, Optional<String> projectId, String runId, String stepId, String agentId,
                          int turn, String callKey, String stepType, Optional<JsonNode> outputSchema) {
    public ToolContext {
        Objects.requireNonNull(caller, "caller");
        Objects.requireNonNull(projectId, "projectId");
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(stepId, "stepId");
        Objects.requireNonNull(agentId, "agentId");
        Objects.requireNonNull(callKey, "callKey");
        Objects.requireNonNull(stepType, "stepType");
        Objects.requireNonNull(outputSchema, "outputSchema");
    }
}
