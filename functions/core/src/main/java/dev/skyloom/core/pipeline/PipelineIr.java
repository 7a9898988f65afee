package dev.skyloom.core.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * The checked pipeline (stage 2's output, stage 4's input): plain values, paths kept for error messages. Defaults
 * are already applied to every step.
 */
public final class PipelineIr {
    private PipelineIr() {
    }

    /** The step types. {@code swarm} starts the swarm state machine (decision 0700). */
    public enum StepType {
        AGENT, GATE, APPROVAL, COUNCIL, PARALLEL, LAMBDA, SWARM;

        public String yaml() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** @param version the YAML's {@code version}, informative ("1" when absent) */
    public record Pipeline(String id, String name, String version, String description, Defaults defaults,
                           List<AgentRef> agents, List<Step> steps, Budget budget) {
    }

    public record Defaults(String model, List<String> tools, int maxRetries, Integer timeoutSeconds,
                           Integer maxTurns, Integer maxOutputTokens, Double temperature) {
        static final int MAX_RETRIES = 2;
    }

    /**
     * An entry of {@code agents}: a stored agent by id or name, or an inline definition.
     *
     * @param key  how steps name it (the name, or the id as written)
     * @param path where it is in the YAML
     */
    public record AgentRef(String key, String path, JsonNode inline) {
    }

    /** {@code budget}: a cap in tokens and dollars (of a step, or of the whole run). */
    public record Budget(Long maxTokens, Double maxDollars) {
    }

    /** {@code onResult.VALUE}: exactly one of goto (a step id), retry, fail (a message), notify ({@code message}). */
    public record Action(String value, String path, String gotoStep, boolean retry, String fail, String message) {
    }

    /** {@code loop}: run the step once per item of {@code over} (a single template reference). */
    public record Loop(String over, int maxConcurrency, String path) {
    }

    /** {@code council}. */
    public record Council(String leader, List<String> members, String strategy) {
    }

    /**
     * One step; fields that do not apply to its type are null.
     *
     * @param path where it is ({@code steps[3]} or {@code steps[1].branches[0].steps[2]})
     */
    public record Step(String id, StepType type, String path, String agent, String input, List<String> outputs,
                       JsonNode outputSchema, String onComplete, List<Action> onResult, Loop loop, int maxRetries,
                       Integer timeoutSeconds, Integer maxTurns, Integer maxOutputTokens, Budget budget,
                       String escalateTo, Integer heartbeatSeconds, Council council, List<List<Step>> branches,
                       String function, JsonNode parameters, JsonNode swarm) {

        /** The output schema the agent-step enforces: {@code outputSchema}, or one built from {@code outputs}. */
        public JsonNode effectiveOutputSchema() {
            if (outputSchema != null || outputs == null || outputs.isEmpty()) {
                return outputSchema;
            }
            var schema = dev.skyloom.core.api.Json.MAPPER.createObjectNode().put("type", "object");
            var required = schema.putArray("required");
            var properties = schema.putObject("properties");
            for (String name : outputs) {
                required.add(name);
                properties.putObject(name);
            }
            return schema;
        }

        public Map<String, Action> actions() {
            Map<String, Action> byValue = new java.util.LinkedHashMap<>();
            if (onResult != null) {
                onResult.forEach(a -> byValue.put(a.value(), a));
            }
            return byValue;
        }
    }
}
