package dev.skyloom.local.cloud.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One scripted scenario, the contents of {@code <models-dir>/<name>.yaml}: per agent, the turns the model answers
 * one after another (the same on every visit of a step, or one script per visit), what to answer past the last one,
 * and injected errors. The format is documented in {@code localstack/README.md}.
 *
 * @param throttle scenario-wide injected throttling
 * @param agents   the scripts by agent id or name; {@code "*"} is the script of any other agent
 */
record Scenario(String name, String description, Throttle throttle, Map<String, AgentScript> agents) {
    static final String ANY_AGENT = "*";
    static final Set<String> STOP_REASONS = Set.of("end_turn", "tool_use", "max_tokens", "stop_sequence",
            "guardrail_intervened", "content_filtered");

    /**
     * @param everyNthCall  when above 0, calls number N, 2N, 3N, ... of the scenario (counted across all agents and
     *                      turns) answer ThrottlingException; 2 throttles half the calls
     * @param firstAttempt  when true, the first attempt of every turn answers ThrottlingException
     */
    record Throttle(int everyNthCall, boolean firstAttempt) {
        static final Throttle NONE = new Throttle(0, false);
    }

    /** What the agent's model answers past its last scripted turn. */
    enum After {
        /** a ValidationException saying the script is exhausted (the default: a test should notice) */
        FAIL,
        /** the last scripted turn again, forever (a model stuck calling the same tool) */
        REPEAT_LAST,
        /** the deterministic default model */
        DEFAULT,
        /** the turn given under {@code after}, forever */
        TURN
    }

    /**
     * An agent's script: the turns of every visit, or ({@code visits} not empty) one script per visit.
     *
     * @param visits      the scripts of visits 1, 2, ... of a step (each the turns of one agent-step execution);
     *                    empty when every visit answers {@code turns}
     * @param afterVisits what a visit past the last scripted one answers: FAIL, REPEAT_LAST (the last visit's
     *                    script) or DEFAULT (the default model)
     */
    record AgentScript(List<Turn> turns, After after, Turn afterTurn, List<AgentScript> visits, After afterVisits) {
        AgentScript(List<Turn> turns, After after, Turn afterTurn) {
            this(turns, after, afterTurn, List.of(), After.FAIL);
        }

        /**
         * The script of 1-based {@code visit}: this one when it has no {@code visits}; null when the script says to
         * use the default model.
         */
        AgentScript visit(long visit, String scenario, String agent) {
            if (visits.isEmpty()) {
                return this;
            }
            if (visit <= visits.size()) {
                return visits.get((int) visit - 1);
            }
            return switch (afterVisits) {
                case REPEAT_LAST -> visits.getLast();
                case DEFAULT -> null;
                case FAIL, TURN -> throw BedrockException.validation("Scenario '" + scenario + "' scripts "
                        + visits.size() + " visit(s) for agent '" + agent + "' and this is visit " + visit
                        + " (agent-step execution number " + visit + " of the step in this run); add visits or an "
                        + "'afterVisits' rule (repeatLast, default, fail) to the agent's script");
            };
        }

        /** The turn to answer for 1-based {@code turn}; null when the script says to use the default model. */
        Turn turn(long turn, String scenario, String agent) {
            if (turn <= turns.size()) {
                return turns.get((int) turn - 1);
            }
            return switch (after) {
                case REPEAT_LAST -> turns.getLast();
                case TURN -> afterTurn;
                case DEFAULT -> null;
                case FAIL -> throw BedrockException.validation("Scenario '" + scenario + "' scripts " + turns.size()
                        + " turn(s) for agent '" + agent + "' and this is turn " + turn + "; add turns or an 'after' "
                        + "rule (repeatLast, default, fail, or a turn) to the agent's script");
            };
        }
    }

    /**
     * One scripted answer.
     *
     * @param stopReason  as written, or {@code tool_use} when the turn calls tools, else {@code end_turn}
     * @param usage       declared token counts; null to estimate them as the default model does
     * @param errors      the errors of the first attempts of this turn, in order: the first error answers its
     *                    {@code times} attempts, then the next one; then the turn answers
     */
    record Turn(String text, List<ToolCall> toolCalls, String stopReason, long delayMs, Usage usage,
                List<InjectedError> errors) {
        /** The error attempt {@code attempt} (1-based) of this turn answers; null when it answers the turn. */
        InjectedError errorOf(int attempt) {
            int failed = 0;
            for (InjectedError error : errors) {
                failed += error.times();
                if (attempt <= failed) {
                    return error;
                }
            }
            return null;
        }

        int failingAttempts() {
            return errors.stream().mapToInt(InjectedError::times).sum();
        }
    }

    record ToolCall(String name, JsonNode input) {
    }

    /** Declared usage; a null count is estimated (input, output) or zero (cache). */
    record Usage(Long inputTokens, Long outputTokens, Long cacheReadInputTokens, Long cacheWriteInputTokens) {
    }

    /** @param type a Bedrock error code (ThrottlingException, ServiceUnavailableException, ...) */
    record InjectedError(String type, int times, String message) {
    }

    /** The script of {@code agent}: by exact key, then ignoring case, then {@code "*"}, then the only one. */
    AgentScript scriptOf(String agent) {
        if (agent != null) {
            AgentScript exact = agents.get(agent);
            if (exact != null) {
                return exact;
            }
            for (Map.Entry<String, AgentScript> entry : agents.entrySet()) {
                if (entry.getKey().toLowerCase(Locale.ROOT).equals(agent.toLowerCase(Locale.ROOT))) {
                    return entry.getValue();
                }
            }
        }
        if (agents.containsKey(ANY_AGENT)) {
            return agents.get(ANY_AGENT);
        }
        if (agent == null && agents.size() == 1) {
            return agents.values().iterator().next();
        }
        throw BedrockException.validation("Scenario '" + name + "' has no script for agent "
                + (agent == null ? "(none: the request has no skyloom:agent metadata)" : "'" + agent + "'")
                + "; scripted agents: " + String.join(", ", new TreeSet<>(agents.keySet()))
                + ". Add the agent, or a '*' entry for any agent.");
    }

    // ------------------------------------------------------------------ parsing

    /** A scenario file that does not follow the format; the message names the file and the field. */
    static final class InvalidScenarioException extends IllegalArgumentException {
        InvalidScenarioException(String message) {
            super(message);
        }
    }

    static Scenario parse(String name, JsonNode root) {
        return new Parser(name).scenario(root);
    }

    private record Parser(String name) {
        Scenario scenario(JsonNode root) {
            if (root == null || !root.isObject()) {
                throw invalid("", "must be a mapping with 'agents' (and optionally 'description', 'throttle')");
            }
            fields(root, "", "description", "throttle", "agents");
            Throttle throttle = Throttle.NONE;
            if (root.has("throttle")) {
                JsonNode t = root.get("throttle");
                fields(t, "throttle", "everyNthCall", "firstAttempt");
                int every = t.has("everyNthCall") ? integer(t.get("everyNthCall"), "throttle.everyNthCall", 1) : 0;
                boolean first = t.has("firstAttempt") && bool(t.get("firstAttempt"), "throttle.firstAttempt");
                throttle = new Throttle(every, first);
            }
            JsonNode agents = root.get("agents");
            if (agents == null || !agents.isObject() || agents.isEmpty()) {
                throw invalid("agents", "is required: a mapping from agent id or name (or '*') to its script");
            }
            Map<String, AgentScript> scripts = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> agent : agents.properties()) {
                scripts.put(agent.getKey(), agent(agent.getValue(), "agents." + agent.getKey()));
            }
            return new Scenario(name, root.path("description").asText(""), throttle,
                    Collections.unmodifiableMap(scripts));
        }

        AgentScript agent(JsonNode node, String path) {
            if (!node.isObject()) {
                throw invalid(path, "must be a mapping with 'turns' (and optionally 'after'), or with 'visits' (and "
                        + "optionally 'afterVisits')");
            }
            fields(node, path, "turns", "after", "visits", "afterVisits");
            if (!node.has("visits")) {
                if (node.has("afterVisits")) {
                    throw invalid(path + ".afterVisits", "is only valid with 'visits'");
                }
                return turns(node, path);
            }
            if (node.has("turns") || node.has("after")) {
                throw invalid(path, "has both 'visits' and '" + (node.has("turns") ? "turns" : "after") + "': give "
                        + "each visit its own 'turns' (and 'after') under 'visits', or one 'turns' for every visit");
            }
            JsonNode visits = node.get("visits");
            if (!visits.isArray() || visits.isEmpty()) {
                throw invalid(path + ".visits", "must be a list of at least one script {turns, after}: the first "
                        + "for the step's first visit in a run, the second for the next, ...");
            }
            List<AgentScript> scripts = new ArrayList<>();
            for (int i = 0; i < visits.size(); i++) {
                JsonNode visit = visits.get(i);
                String at = path + ".visits[" + i + "]";
                if (!visit.isObject()) {
                    throw invalid(at, "must be a mapping with 'turns' (and optionally 'after')");
                }
                fields(visit, at, "turns", "after");
                scripts.add(turns(visit, at));
            }
            After afterVisits = After.FAIL;
            if (node.has("afterVisits")) {
                afterVisits = switch (node.get("afterVisits").asText()) {
                    case "repeatLast" -> After.REPEAT_LAST;
                    case "default" -> After.DEFAULT;
                    case "fail" -> After.FAIL;
                    default -> throw invalid(path + ".afterVisits", "must be repeatLast, default or fail; was '"
                            + node.get("afterVisits").asText() + "'");
                };
            }
            return new AgentScript(List.of(), After.FAIL, null, List.copyOf(scripts), afterVisits);
        }

        private AgentScript turns(JsonNode node, String path) {
            JsonNode turns = node.get("turns");
            if (turns == null || !turns.isArray() || turns.isEmpty()) {
                throw invalid(path + ".turns", "is required: a list of at least one turn"
                        + (path.contains(".visits[") ? "" : " (or 'visits': one script per visit of the step)"));
            }
            List<Turn> list = new ArrayList<>();
            for (int i = 0; i < turns.size(); i++) {
                list.add(turn(turns.get(i), path + ".turns[" + i + "]"));
            }
            JsonNode after = node.get("after");
            if (after == null || after.isNull()) {
                return new AgentScript(List.copyOf(list), After.FAIL, null);
            }
            if (after.isObject()) {
                return new AgentScript(List.copyOf(list), After.TURN, turn(after, path + ".after"));
            }
            After kind = switch (after.asText()) {
                case "repeatLast" -> After.REPEAT_LAST;
                case "default" -> After.DEFAULT;
                case "fail" -> After.FAIL;
                default -> throw invalid(path + ".after", "must be repeatLast, default, fail, or a turn; was '"
                        + after.asText() + "'");
            };
            return new AgentScript(List.copyOf(list), kind, null);
        }

        Turn turn(JsonNode node, String path) {
            if (!node.isObject()) {
                throw invalid(path, "must be a mapping with 'text' and/or 'toolCalls'");
            }
            fields(node, path, "text", "toolCalls", "stopReason", "delayMs", "usage", "error", "errors");
            String text = null;
            if (node.has("text")) {
                if (!node.get("text").isValueNode() || node.get("text").isNull()) {
                    throw invalid(path + ".text", "must be a string");
                }
                text = node.get("text").asText();
            }
            List<ToolCall> calls = new ArrayList<>();
            if (node.has("toolCalls")) {
                JsonNode list = node.get("toolCalls");
                if (!list.isArray()) {
                    throw invalid(path + ".toolCalls", "must be a list of {name, input}");
                }
                for (int i = 0; i < list.size(); i++) {
                    calls.add(toolCall(list.get(i), path + ".toolCalls[" + i + "]"));
                }
            }
            if ((text == null || text.isEmpty()) && calls.isEmpty()) {
                throw invalid(path, "needs 'text' or 'toolCalls' (what the model answers)");
            }
            String stopReason = calls.isEmpty() ? "end_turn" : "tool_use";
            if (node.has("stopReason")) {
                stopReason = node.get("stopReason").asText();
                if (!STOP_REASONS.contains(stopReason)) {
                    throw invalid(path + ".stopReason", "must be one of " + new TreeSet<>(STOP_REASONS) + "; was '"
                            + stopReason + "'");
                }
            }
            long delayMs = node.has("delayMs") ? integer(node.get("delayMs"), path + ".delayMs", 0) : 0;
            Usage usage = node.has("usage") ? usage(node.get("usage"), path + ".usage") : null;
            List<InjectedError> errors = new ArrayList<>();
            if (node.has("error") && node.has("errors")) {
                throw invalid(path, "has both 'error' and 'errors'; use 'errors' for a sequence of errors");
            }
            if (node.has("error")) {
                errors.add(error(node.get("error"), path + ".error"));
            }
            if (node.has("errors")) {
                JsonNode list = node.get("errors");
                if (!list.isArray()) {
                    throw invalid(path + ".errors", "must be a list of {type, times, message}");
                }
                for (int i = 0; i < list.size(); i++) {
                    errors.add(error(list.get(i), path + ".errors[" + i + "]"));
                }
            }
            return new Turn(text, List.copyOf(calls), stopReason, delayMs, usage, List.copyOf(errors));
        }

        ToolCall toolCall(JsonNode node, String path) {
            if (!node.isObject()) {
                throw invalid(path, "must be a mapping with 'name' and 'input'");
            }
            fields(node, path, "name", "input");
            String toolName = node.path("name").asText("");
            if (!toolName.matches("[a-zA-Z0-9_-]{1,64}")) {
                throw invalid(path + ".name", "is required: a tool name ([a-zA-Z0-9_-]{1,64})");
            }
            JsonNode input = node.get("input");
            if (input == null || input.isNull()) {
                input = JsonNodeFactory.instance.objectNode();
            }
            if (!input.isObject()) {
                throw invalid(path + ".input", "must be a mapping (the tool's JSON arguments)");
            }
            return new ToolCall(toolName, input);
        }

        Usage usage(JsonNode node, String path) {
            if (!node.isObject()) {
                throw invalid(path, "must be a mapping of token counts");
            }
            fields(node, path, "inputTokens", "outputTokens", "cacheReadInputTokens", "cacheWriteInputTokens");
            return new Usage(count(node, "inputTokens", path), count(node, "outputTokens", path),
                    count(node, "cacheReadInputTokens", path), count(node, "cacheWriteInputTokens", path));
        }

        Long count(JsonNode node, String field, String path) {
            return node.has(field) ? (long) integer(node.get(field), path + "." + field, 0) : null;
        }

        InjectedError error(JsonNode node, String path) {
            if (!node.isObject()) {
                throw invalid(path, "must be a mapping with 'type' (and optionally 'times', 'message')");
            }
            fields(node, path, "type", "times", "message");
            String type = node.path("type").asText("");
            String code = BedrockException.canonicalCode(type);
            if (code == null) {
                throw invalid(path + ".type", "must be a Bedrock error type, one of "
                        + BedrockException.STATUS_BY_CODE.keySet() + "; was '" + type + "'");
            }
            int times = node.has("times") ? integer(node.get("times"), path + ".times", 1) : 1;
            String message = node.has("message") ? node.get("message").asText()
                    : "Injected by the local model server (scenario '" + name + "')";
            return new InjectedError(code, times, message);
        }

        int integer(JsonNode node, String path, int min) {
            if (!node.isIntegralNumber() || !node.canConvertToInt() || node.asInt() < min) {
                throw invalid(path, "must be an integer >= " + min + "; was '" + node.asText() + "'");
            }
            return node.asInt();
        }

        boolean bool(JsonNode node, String path) {
            if (!node.isBoolean()) {
                throw invalid(path, "must be true or false; was '" + node.asText() + "'");
            }
            return node.asBoolean();
        }

        void fields(JsonNode node, String path, String... allowed) {
            Set<String> valid = Set.of(allowed);
            for (String field : (Iterable<String>) node::fieldNames) {
                if (!valid.contains(field)) {
                    throw invalid(path.isEmpty() ? field : path + "." + field, "is not a field here; valid: "
                            + String.join(", ", allowed));
                }
            }
        }

        InvalidScenarioException invalid(String path, String problem) {
            return new InvalidScenarioException("scenario '" + name + "': " + (path.isEmpty() ? "the file" : path)
                    + " " + problem);
        }
    }
}
