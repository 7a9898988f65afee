package dev.skyloom.handlers;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.skyloom.core.agent.StepSpec;
import dev.skyloom.core.agent.TurnState;
import dev.skyloom.core.api.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * One turn of an agent step, invoked by {@code statemachines/agent-step.asl.json} with
 * {@code {"step": <StepSpec>, "executionId": "<execution ARN>", "approval": {"callKey", "decision", "comment", "by"}}}
 * ({@code approval} only after a person decided on a dangerous tool call); answers the {@link TurnState}.
 *
 * <p>Throttling and transient failures leave as {@code ModelThrottledException} / {@code TurnTransientException}:
 * their class names are the error names the state machine retries on. A malformed payload is a failed step
 * ({@code INVALID_STEP}) rather than an exception, so it is not retried.
 */
public final class AgentTurnHandler implements RequestStreamHandler {

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        JsonNode request;
        try {
            request = Json.MAPPER.readTree(input);
        } catch (JsonProcessingException e) {
            Json.MAPPER.writeValue(output, invalid("the payload is not JSON: " + e.getOriginalMessage()));
            return;
        }
        if (request == null || !request.path("step").isObject() || !request.path("executionId").isTextual()) {
            Json.MAPPER.writeValue(output, invalid("the payload must be {\"step\": {...}, \"executionId\": \"...\"}"));
            return;
        }
        StepSpec step;
        try {
            step = Json.MAPPER.treeToValue(request.get("step"), StepSpec.class);
        } catch (JsonProcessingException e) {
            Json.MAPPER.writeValue(output, invalid("step: " + e.getOriginalMessage()));
            return;
        }
        TurnState.Approval approval = null;
        JsonNode decision = request.get("approval");
        if (decision != null && decision.isObject()) {
            approval = new TurnState.Approval(decision.path("callKey").asText(null),
                    decision.path("decision").asText(null), decision.path("comment").asText(null),
                    decision.path("by").asText(null));
        }
        TurnState state = AgentComposition.turns().turn(step, request.get("executionId").asText(), approval);
        Json.MAPPER.writeValue(output, state);
    }

    private static TurnState invalid(String message) {
        return new TurnState(0, TurnState.FAILED, dev.skyloom.core.agent.model.TokenUsage.ZERO, 0, null,
                new TurnState.StepError(dev.skyloom.core.agent.StepFailure.INVALID_STEP, message));
    }
}
