package dev.skyloom.core.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A structural check of generated ASL, standing in for the local engine's parser (core cannot depend on it): the
 * fields each state type allows in JSONata mode, StartAt and every Next/Default/Catch target name a state of the same
 * scope, every state is reachable, every non-terminal state has Next or End, state names are unique machine-wide and
 * at most 80 characters, and every string that opens {@code {%} closes it.
 */
final class AslStructure {
    private static final Set<String> COMMON = Set.of("Type", "Comment", "QueryLanguage");
    private static final Map<String, Set<String>> FIELDS = Map.of(
            "Pass", Set.of("Next", "End", "Assign", "Output"),
            "Task", Set.of("Next", "End", "Resource", "Arguments", "Output", "Assign", "Retry", "Catch",
                    "TimeoutSeconds", "HeartbeatSeconds", "Credentials"),
            "Choice", Set.of("Choices", "Default", "Assign", "Output"),
            "Wait", Set.of("Next", "End", "Seconds", "Timestamp", "Assign", "Output"),
            "Succeed", Set.of("Output"),
            "Fail", Set.of("Error", "Cause"),
            "Parallel", Set.of("Next", "End", "Branches", "Arguments", "Output", "Assign", "Retry", "Catch"),
            "Map", Set.of("Next", "End", "ItemProcessor", "Items", "ItemSelector", "MaxConcurrency", "Output",
                    "Assign", "Retry", "Catch", "ItemReader", "ItemBatcher", "ResultWriter", "ToleratedFailureCount",
                    "ToleratedFailurePercentage", "Label"));

    private AslStructure() {
    }

    /** Every problem found; empty when the machine is well formed. */
    static List<String> problems(JsonNode machine) {
        List<String> problems = new ArrayList<>();
        for (Iterator<String> it = machine.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!Set.of("Comment", "StartAt", "States", "QueryLanguage", "TimeoutSeconds", "Version").contains(f)) {
                problems.add("top level: unknown field " + f);
            }
        }
        if (!"JSONata".equals(machine.path("QueryLanguage").asText())) {
            problems.add("top level: QueryLanguage must be JSONata");
        }
        scope("", machine, problems, new HashSet<>());
        strings("", machine, problems);
        return problems;
    }

    private static void scope(String where, JsonNode scope, List<String> problems, Set<String> allNames) {
        JsonNode states = scope.path("States");
        if (!states.isObject() || states.isEmpty()) {
            problems.add(where + ": States must be a non-empty object");
            return;
        }
        Set<String> names = new LinkedHashSet<>();
        states.fieldNames().forEachRemaining(names::add);
        String start = scope.path("StartAt").asText(null);
        if (start == null || !names.contains(start)) {
            problems.add(where + ": StartAt " + start + " names no state");
        }
        Set<String> reached = new LinkedHashSet<>();
        List<String> work = new ArrayList<>();
        if (start != null) {
            work.add(start);
        }
        for (String name : names) {
            if (!allNames.add(name)) {
                problems.add(name + ": state name used twice in the machine");
            }
            if (name.length() > 80) {
                problems.add(name + ": state name longer than 80 characters");
            }
        }
        while (!work.isEmpty()) {
            String name = work.removeLast();
            if (!names.contains(name) || !reached.add(name)) {
                continue;
            }
            JsonNode state = states.get(name);
            String type = state.path("Type").asText();
            Set<String> allowed = FIELDS.get(type);
            if (allowed == null) {
                problems.add(name + ": unknown Type " + type);
                continue;
            }
            state.fieldNames().forEachRemaining(f -> {
                if (!COMMON.contains(f) && !allowed.contains(f)) {
                    problems.add(name + ": field " + f + " is not allowed in a " + type + " state");
                }
            });
            List<String> targets = new ArrayList<>();
            boolean terminal = Set.of("Succeed", "Fail", "Choice").contains(type);
            if (!terminal) {
                boolean next = state.has("Next");
                boolean end = state.path("End").asBoolean(false);
                if (next == end) {
                    problems.add(name + ": needs exactly one of Next and End");
                }
            }
            if (state.has("Next")) {
                targets.add(state.get("Next").asText());
            }
            if (type.equals("Choice")) {
                if (!state.path("Choices").isArray() || state.path("Choices").isEmpty()) {
                    problems.add(name + ": Choices must be a non-empty list");
                }
                state.path("Choices").forEach(c -> {
                    if (!c.path("Condition").asText().startsWith("{%")) {
                        problems.add(name + ": a JSONata choice needs a Condition");
                    }
                    targets.add(c.path("Next").asText());
                });
                if (state.has("Default")) {
                    targets.add(state.get("Default").asText());
                }
            }
            state.path("Catch").forEach(c -> {
                if (!c.path("ErrorEquals").isArray() || c.path("ErrorEquals").isEmpty()) {
                    problems.add(name + ": a catcher needs ErrorEquals");
                }
                targets.add(c.path("Next").asText());
            });
            state.path("Retry").forEach(r -> {
                if (r.path("MaxAttempts").asInt(-1) < 0) {
                    problems.add(name + ": a retrier's MaxAttempts must be >= 0");
                }
            });
            if (type.equals("Task") && !state.path("Resource").asText().startsWith("arn:aws:states:::")) {
                problems.add(name + ": Resource must be a service integration");
            }
            for (String target : targets) {
                if (!names.contains(target)) {
                    problems.add(name + ": goes to " + target + ", which is not a state of this scope");
                }
                work.add(target);
            }
            if (type.equals("Parallel")) {
                int i = 0;
                for (JsonNode branch : state.path("Branches")) {
                    scope(name + ".Branches[" + i++ + "]", branch, problems, allNames);
                }
            }
            if (type.equals("Map")) {
                scope(name + ".ItemProcessor", state.path("ItemProcessor"), problems, allNames);
            }
        }
        for (String name : names) {
            if (!reached.contains(name)) {
                problems.add(name + ": unreachable from " + start);
            }
        }
    }

    private static void strings(String where, JsonNode node, List<String> problems) {
        if (node.isTextual()) {
            String text = node.asText();
            if (text.startsWith("{%") != text.endsWith("%}")) {
                problems.add(where + ": a JSONata expression must start with {% and end with %}");
            }
        } else if (node.isObject()) {
            node.fields().forEachRemaining(e -> strings(where + "/" + e.getKey(), e.getValue(), problems));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                strings(where + "/" + i, node.get(i), problems);
            }
        }
    }
}
