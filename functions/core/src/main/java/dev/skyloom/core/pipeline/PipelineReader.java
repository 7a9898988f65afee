package dev.skyloom.core.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.skyloom.core.pipeline.PipelineIr.Action;
import dev.skyloom.core.pipeline.PipelineIr.AgentRef;
import dev.skyloom.core.pipeline.PipelineIr.Budget;
import dev.skyloom.core.pipeline.PipelineIr.Council;
import dev.skyloom.core.pipeline.PipelineIr.Defaults;
import dev.skyloom.core.pipeline.PipelineIr.Loop;
import dev.skyloom.core.pipeline.PipelineIr.Step;
import dev.skyloom.core.pipeline.PipelineIr.StepType;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Stage 2: the schema check. Every mapping's fields are checked against what its kind allows (unknown fields list the
 * valid ones), every value's type and range, and the tree becomes the {@link PipelineIr} with defaults applied.
 * Problems are collected, never thrown; a part that is wrong is left out of the IR.
 */
final class PipelineReader {
    static final Pattern STEP_ID = Pattern.compile("[a-z][a-z0-9_-]{0,31}");
    static final Pattern RESULT_VALUE = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,63}");
    static final Pattern PIPELINE_ID = dev.skyloom.core.resources.Check.SLUG;
    private static final Pattern VERSION_LABEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,39}");
    private static final List<String> TOP = List.of("id", "name", "version", "description", "defaults", "agents",
            "steps", "budget");
    private static final List<String> DEFAULTS = List.of("model", "tools", "maxRetries", "timeoutSeconds",
            "maxTurns", "maxOutputTokens", "temperature");
    private static final List<String> AGENT_STEP = List.of("id", "type", "description", "agent", "input", "outputs",
            "outputSchema", "onComplete", "onResult", "loop", "maxRetries", "timeoutSeconds", "maxTurns",
            "maxOutputTokens", "budget");
    private static final List<String> GATE_STEP = List.of("id", "type", "description", "agent", "input",
            "onComplete", "onResult", "maxRetries", "timeoutSeconds", "maxTurns", "maxOutputTokens", "budget");
    private static final List<String> APPROVAL_STEP = List.of("id", "type", "description", "input", "onComplete",
            "onResult", "timeoutSeconds", "heartbeatSeconds", "escalateTo");
    private static final List<String> COUNCIL_STEP = List.of("id", "type", "description", "council", "input",
            "outputs", "outputSchema", "onComplete", "onResult", "maxRetries", "timeoutSeconds", "maxTurns",
            "maxOutputTokens", "budget");
    private static final List<String> PARALLEL_STEP = List.of("id", "type", "description", "branches", "onComplete");
    private static final List<String> LAMBDA_STEP = List.of("id", "type", "description", "function", "input",
            "parameters", "onComplete", "onResult", "maxRetries", "timeoutSeconds");
    private static final List<String> SWARM_STEP = List.of("id", "type", "description", "swarm", "onComplete",
            "timeoutSeconds");
    private static final List<String> BRANCH_STEP_TYPES = List.of("agent", "lambda");
    static final List<String> STRATEGIES = List.of("broadcast", "vote", "decompose");
    private static final List<String> ACTIONS = List.of("goto", "retry", "fail", "notify");

    private final YamlTree tree;
    private final List<PipelineError> errors;
    private Defaults defaults;

    private PipelineReader(YamlTree tree, List<PipelineError> errors) {
        this.tree = tree;
        this.errors = errors;
    }

    /** The IR, or null when the document is not even a mapping. */
    static PipelineIr.Pipeline read(YamlTree tree, List<PipelineError> errors) {
        return new PipelineReader(tree, errors).pipeline();
    }

    private PipelineIr.Pipeline pipeline() {
        JsonNode root = tree.root();
        if (!root.isObject()) {
            errors.add(tree.error("", "must be a mapping with id, name and steps (was " + kind(root) + ")"));
            return null;
        }
        fields("", root, TOP, "the pipeline");
        String id = text("id", root.get("id"), true);
        if (id != null && !PIPELINE_ID.matcher(id).matches()) {
            errors.add(tree.error("id", "\"" + YamlTree.abbreviate(id, 80)
                    + "\" is not a valid pipeline id: 1-64 characters of a-z, 0-9, '_' and '-', starting with a "
                    + "letter or digit"));
        }
        String name = text("name", root.get("name"), true);
        if (name != null && (name.isBlank() || name.length() > 200)) {
            errors.add(tree.error("name", "must be 1-200 characters"));
        }
        String version = version(root.get("version"));
        String description = text("description", root.get("description"), false);
        defaults = defaults(root.get("defaults"));
        List<AgentRef> agents = agents(root.get("agents"));
        Budget budget = budget("budget", root.get("budget"));
        List<Step> steps = new ArrayList<>();
        JsonNode stepsNode = root.get("steps");
        if (stepsNode == null || stepsNode.isNull()) {
            errors.add(tree.error("", "has no steps: add \"steps:\", a list of at least one step"));
        } else if (!stepsNode.isArray()) {
            errors.add(tree.error("steps", "must be a list of steps (was " + kind(stepsNode) + ")"));
        } else if (stepsNode.isEmpty()) {
            errors.add(tree.error("steps", "must have at least one step"));
        } else {
            for (int i = 0; i < stepsNode.size(); i++) {
                Step step = step("steps[" + i + "]", stepsNode.get(i), false);
                if (step != null) {
                    steps.add(step);
                }
            }
        }
        return new PipelineIr.Pipeline(id, name, version == null ? "1" : version, description, defaults, agents,
                steps, budget);
    }

    /** An integer from 1, or a label such as "1.2.0" (informative: the API numbers stored versions itself). */
    private String version(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual() && VERSION_LABEL.matcher(node.asText()).matches()) {
            return node.asText();
        }
        if (node.isIntegralNumber() && node.canConvertToLong() && node.asLong() >= 1) {
            return Long.toString(node.asLong());
        }
        errors.add(tree.error("version", "must be an integer from 1 or a label of 1-40 letters, digits, '.', '_' "
                + "and '-' such as 1.2.0 (was " + (node.isTextual() ? "\"" + YamlTree.abbreviate(node.asText(), 40)
                + "\"" : node.isNumber() ? node.asText() : kind(node)) + ")"));
        return null;
    }

    private Defaults defaults(JsonNode node) {
        if (node == null || node.isNull()) {
            return new Defaults(null, List.of(), Defaults.MAX_RETRIES, null, null, null, null);
        }
        if (!mapping("defaults", node)) {
            return new Defaults(null, List.of(), Defaults.MAX_RETRIES, null, null, null, null);
        }
        fields("defaults", node, DEFAULTS, "defaults");
        Long maxRetries = integer("defaults.maxRetries", node.get("maxRetries"), 0, 100);
        Double temperature = number("defaults.temperature", node.get("temperature"), 0, 2);
        Long timeout = integer("defaults.timeoutSeconds", node.get("timeoutSeconds"), 1, 7 * 24 * 3600);
        Long maxTurns = integer("defaults.maxTurns", node.get("maxTurns"), 1, 500);
        Long maxOutputTokens = integer("defaults.maxOutputTokens", node.get("maxOutputTokens"), 1, 200_000);
        List<String> tools = strings("defaults.tools", node.get("tools"));
        return new Defaults(text("defaults.model", node.get("model"), false), tools == null ? List.of() : tools,
                maxRetries == null ? Defaults.MAX_RETRIES : maxRetries.intValue(), toInt(timeout), toInt(maxTurns),
                toInt(maxOutputTokens), temperature);
    }

    private List<AgentRef> agents(JsonNode node) {
        List<AgentRef> agents = new ArrayList<>();
        if (node == null || node.isNull()) {
            return agents;
        }
        if (!node.isArray()) {
            errors.add(tree.error("agents", "must be a list of agents: a stored agent's id or name, or an inline "
                    + "definition (a mapping with name, model, ...) (was " + kind(node) + ")"));
            return agents;
        }
        for (int i = 0; i < node.size(); i++) {
            String path = "agents[" + i + "]";
            JsonNode entry = node.get(i);
            if (entry.isTextual() && !entry.asText().isBlank()) {
                agents.add(new AgentRef(entry.asText(), path, null));
            } else if (entry.isObject()) {
                JsonNode name = entry.get("name");
                if (name == null || !name.isTextual() || name.asText().isBlank()) {
                    errors.add(tree.error(path, "an inline agent needs a name (steps refer to it by name)"));
                    continue;
                }
                agents.add(new AgentRef(name.asText(), path, entry));
            } else {
                errors.add(tree.error(path, "must be a stored agent's id or name, or an inline definition (was "
                        + kind(entry) + ")"));
            }
        }
        return agents;
    }

    private Step step(String path, JsonNode node, boolean inBranch) {
        if (!mapping(path, node)) {
            return null;
        }
        String id = text(path + ".id", node.get("id"), true);
        if (id != null && !STEP_ID.matcher(id).matches()) {
            errors.add(tree.error(path + ".id", "\"" + YamlTree.abbreviate(id, 80) + "\" is not a valid step id: "
                    + "1-32 characters of a-z, 0-9, '_' and '-', starting with a letter (state names are built from "
                    + "it)"));
            id = null;
        }
        String typeName = text(path + ".type", node.get("type"), false);
        StepType type = StepType.AGENT;
        if (typeName != null) {
            try {
                type = StepType.valueOf(typeName.toUpperCase(Locale.ROOT));
                if (!typeName.equals(type.yaml())) {
                    throw new IllegalArgumentException();
                }
            } catch (IllegalArgumentException e) {
                errors.add(tree.error(path + ".type", "\"" + YamlTree.abbreviate(typeName, 40)
                        + "\" is not a step type; types are: agent, gate, approval, council, parallel, lambda, "
                        + "swarm"));
                return null;
            }
        }
        if (inBranch && !BRANCH_STEP_TYPES.contains(type.yaml())) {
            errors.add(tree.error(path + ".type", article(type) + " " + type.yaml() + " step cannot run inside a "
                    + "parallel branch; "
                    + "branches hold agent and lambda steps"));
            return null;
        }
        String label = article(type) + " " + type.yaml() + " step";
        List<String> allowed = switch (type) {
            case AGENT -> inBranch ? AGENT_STEP.stream().filter(f -> !Set.of("onComplete", "onResult", "loop")
                    .contains(f)).toList() : AGENT_STEP;
            case GATE -> GATE_STEP;
            case APPROVAL -> APPROVAL_STEP;
            case COUNCIL -> COUNCIL_STEP;
            case PARALLEL -> PARALLEL_STEP;
            case LAMBDA -> inBranch ? LAMBDA_STEP.stream().filter(f -> !Set.of("onComplete", "onResult")
                    .contains(f)).toList() : LAMBDA_STEP;
            case SWARM -> SWARM_STEP;
        };
        fields(path, node, allowed, inBranch ? label + " inside a parallel branch" : label);

        String agent = text(path + ".agent", node.get("agent"), type == StepType.AGENT || type == StepType.GATE);
        String input = text(path + ".input", node.get("input"), type == StepType.AGENT || type == StepType.GATE);
        List<String> outputs = strings(path + ".outputs", node.get("outputs"));
        JsonNode outputSchema = node.get("outputSchema");
        if (outputSchema != null && !outputSchema.isObject()) {
            errors.add(tree.error(path + ".outputSchema", "must be a JSON Schema mapping (was "
                    + kind(outputSchema) + ")"));
            outputSchema = null;
        }
        if (outputSchema != null && outputs != null && !outputs.isEmpty()) {
            errors.add(tree.keyError(path + ".outputs", "give either outputs or outputSchema, not both"));
        }
        String onComplete = text(path + ".onComplete", node.get("onComplete"), false);
        List<Action> onResult = onResult(path + ".onResult", node.get("onResult"));
        Loop loop = loop(path + ".loop", node.get("loop"));
        Long maxRetries = integer(path + ".maxRetries", node.get("maxRetries"), 0, 100);
        Long timeout = integer(path + ".timeoutSeconds", node.get("timeoutSeconds"), 1, 7 * 24 * 3600);
        Long maxTurns = integer(path + ".maxTurns", node.get("maxTurns"), 1, 500);
        Long maxOutputTokens = integer(path + ".maxOutputTokens", node.get("maxOutputTokens"), 1, 200_000);
        Budget budget = budget(path + ".budget", node.get("budget"));
        String escalateTo = text(path + ".escalateTo", node.get("escalateTo"), false);
        Long heartbeat = integer(path + ".heartbeatSeconds", node.get("heartbeatSeconds"), 1, 7 * 24 * 3600);
        Council council = type == StepType.COUNCIL ? council(path + ".council", node.get("council")) : null;
        List<List<Step>> branches = type == StepType.PARALLEL ? branches(path + ".branches", node.get("branches"))
                : null;
        String function = text(path + ".function", node.get("function"), type == StepType.LAMBDA);
        JsonNode parameters = node.get("parameters");
        if (parameters != null && !parameters.isObject()) {
            errors.add(tree.error(path + ".parameters", "must be a mapping (was " + kind(parameters) + ")"));
            parameters = null;
        }
        JsonNode swarm = node.get("swarm");
        if (type == StepType.SWARM && (swarm == null || !swarm.isObject())) {
            errors.add(swarm == null ? tree.error(path, "a swarm step needs swarm: {tasks, maxConcurrent}")
                    : tree.error(path + ".swarm", "must be a mapping with tasks and maxConcurrent (was "
                    + kind(swarm) + ")"));
        }
        if (type == StepType.APPROVAL && timeout == null) {
            errors.add(tree.error(path, "an approval step needs timeoutSeconds: how long it waits for a decision"));
        }
        if (heartbeat != null && timeout != null && heartbeat >= timeout) {
            errors.add(tree.error(path + ".heartbeatSeconds", "must be less than timeoutSeconds (" + timeout + ")"));
        }
        if (id == null) {
            return null;
        }
        Integer timeoutSeconds = timeout != null ? toInt(timeout)
                : type == StepType.APPROVAL ? null : defaults.timeoutSeconds();
        return new Step(id, type, path, agent, input, outputs, outputSchema, onComplete, onResult, loop,
                maxRetries != null ? maxRetries.intValue() : defaults.maxRetries(), timeoutSeconds,
                maxTurns != null ? toInt(maxTurns) : defaults.maxTurns(),
                maxOutputTokens != null ? toInt(maxOutputTokens) : defaults.maxOutputTokens(), budget, escalateTo,
                toInt(heartbeat), council, branches, function, parameters, swarm);
    }

    private List<Action> onResult(String path, JsonNode node) {
        if (node == null || node.isNull() || !mapping(path, node)) {
            return null;
        }
        List<Action> actions = new ArrayList<>();
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            String value = entry.getKey();
            String at = path + "." + value;
            if (!RESULT_VALUE.matcher(value).matches()) {
                errors.add(tree.keyError(at, "\"" + YamlTree.abbreviate(value, 64) + "\" is not a result value: "
                        + "a letter, then up to 63 letters, digits, '_' or '-' (such as PASS, FAIL, NEEDS_WORK)"));
                continue;
            }
            JsonNode action = entry.getValue();
            if (!mapping(at, action)) {
                continue;
            }
            fields(at, action, ACTIONS, "an onResult action");
            Set<String> given = new LinkedHashSet<>();
            action.fieldNames().forEachRemaining(f -> {
                if (ACTIONS.contains(f)) {
                    given.add(f);
                }
            });
            if (given.size() != 1) {
                errors.add(tree.error(at, "must have exactly one of goto, retry, fail, notify (had "
                        + (given.isEmpty() ? "none" : String.join(", ", given)) + ")"));
                continue;
            }
            String gotoStep = text(at + ".goto", action.get("goto"), false);
            boolean retry = false;
            if (action.has("retry")) {
                if (!action.get("retry").isBoolean() || !action.get("retry").asBoolean()) {
                    errors.add(tree.error(at + ".retry", "must be true (retry runs this step again, up to its "
                            + "maxRetries)"));
                    continue;
                }
                retry = true;
            }
            String fail = null;
            if (action.has("fail")) {
                JsonNode f = action.get("fail");
                if (f.isBoolean() && f.asBoolean()) {
                    fail = "";
                } else {
                    fail = text(at + ".fail", f, true);
                    if (fail == null) {
                        continue;
                    }
                }
            }
            String notify = text(at + ".notify", action.get("notify"), false);
            if (action.has("goto") && gotoStep == null || action.has("notify") && notify == null) {
                continue;
            }
            actions.add(new Action(value, at, gotoStep, retry, fail, notify));
        }
        return actions;
    }

    private Loop loop(String path, JsonNode node) {
        if (node == null || node.isNull() || !mapping(path, node)) {
            return null;
        }
        fields(path, node, List.of("over", "maxConcurrency"), "loop");
        String over = text(path + ".over", node.get("over"), true);
        Long concurrency = integer(path + ".maxConcurrency", node.get("maxConcurrency"), 1, 1000);
        return over == null ? null : new Loop(over, concurrency == null ? 1 : concurrency.intValue(), path);
    }

    private Council council(String path, JsonNode node) {
        if (node == null) {
            errors.add(tree.error(path.substring(0, path.lastIndexOf('.')), "a council step needs council: "
                    + "{leader, members, strategy}"));
            return null;
        }
        if (!mapping(path, node)) {
            return null;
        }
        fields(path, node, List.of("leader", "members", "strategy"), "council");
        String leader = text(path + ".leader", node.get("leader"), true);
        List<String> members = strings(path + ".members", node.get("members"));
        if (members == null) {
            errors.add(tree.error(path, "needs members: a list of at least 2 agents"));
        } else if (members.size() < 2) {
            errors.add(tree.error(path + ".members", "must have at least 2 agents (had " + members.size() + ")"));
        }
        String strategy = text(path + ".strategy", node.get("strategy"), false);
        if (strategy != null && !STRATEGIES.contains(strategy)) {
            errors.add(tree.error(path + ".strategy", "\"" + YamlTree.abbreviate(strategy, 40)
                    + "\" is not a strategy; strategies are: " + String.join(", ", STRATEGIES)));
            strategy = null;
        }
        return leader == null || members == null || members.size() < 2 ? null
                : new Council(leader, members, strategy == null ? "broadcast" : strategy);
    }

    private List<List<Step>> branches(String path, JsonNode node) {
        if (node == null) {
            errors.add(tree.error(path.substring(0, path.lastIndexOf('.')), "a parallel step needs branches: a "
                    + "list of at least 2 branches, each {steps: [...]}"));
            return null;
        }
        if (!node.isArray() || node.size() < 2) {
            errors.add(tree.error(path, "must be a list of at least 2 branches, each {steps: [...]} (was "
                    + (node.isArray() ? node.size() + " branch" + (node.size() == 1 ? "" : "es") : kind(node))
                    + ")"));
            return null;
        }
        List<List<Step>> branches = new ArrayList<>();
        for (int b = 0; b < node.size(); b++) {
            String at = path + "[" + b + "]";
            JsonNode branch = node.get(b);
            if (!mapping(at, branch)) {
                continue;
            }
            fields(at, branch, List.of("steps"), "a branch");
            JsonNode steps = branch.get("steps");
            if (steps == null || !steps.isArray() || steps.isEmpty()) {
                errors.add(tree.error(steps == null ? at : at + ".steps", "must be a list of at least one step"));
                continue;
            }
            List<Step> list = new ArrayList<>();
            for (int i = 0; i < steps.size(); i++) {
                Step step = step(at + ".steps[" + i + "]", steps.get(i), true);
                if (step != null) {
                    list.add(step);
                }
            }
            branches.add(list);
        }
        return branches;
    }

    private Budget budget(String path, JsonNode node) {
        if (node == null || node.isNull() || !mapping(path, node)) {
            return null;
        }
        fields(path, node, List.of("maxTokens", "maxDollars"), "budget");
        Long tokens = integer(path + ".maxTokens", node.get("maxTokens"), 1, 10_000_000_000L);
        Double dollars = number(path + ".maxDollars", node.get("maxDollars"), 0, 1_000_000);
        return new Budget(tokens, dollars);
    }

    // ------------------------------------------------------------------------------------------------ primitives

    private void fields(String path, JsonNode node, List<String> allowed, String what) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!allowed.contains(field)) {
                String at = path.isEmpty() ? field : path + "." + field;
                errors.add(tree.keyError(at, "unknown field \"" + YamlTree.abbreviate(field, 64) + "\" in " + what
                        + "; valid fields are: " + String.join(", ", allowed)));
            }
        }
    }

    private boolean mapping(String path, JsonNode node) {
        if (node == null || !node.isObject()) {
            errors.add(tree.error(path, "must be a mapping (was " + kind(node) + ")"));
            return false;
        }
        return true;
    }

    private String text(String path, JsonNode node, boolean required) {
        if (node == null || node.isNull()) {
            if (required) {
                // the field is named by its path; the place is the mapping that lacks it
                int dot = path.lastIndexOf('.');
                YamlTree.Location where = tree.at(dot < 0 ? "" : path.substring(0, dot));
                errors.add(new PipelineError(path, where.line(), where.column(), "is required"
                        + (node == null ? "" : " (was null)")));
            }
            return null;
        }
        if (!node.isTextual()) {
            errors.add(tree.error(path, "must be a string (was " + kind(node) + ")"));
            return null;
        }
        if (required && node.asText().isBlank()) {
            errors.add(tree.error(path, "must not be blank"));
            return null;
        }
        return node.asText();
    }

    private Long integer(String path, JsonNode node, long min, long max) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            errors.add(tree.error(path, "must be an integer between " + min + " and " + max + " (was "
                    + kind(node) + ")"));
            return null;
        }
        long value = node.asLong();
        if (value < min || value > max) {
            errors.add(tree.error(path, "must be between " + min + " and " + max + " (was " + value + ")"));
            return null;
        }
        return value;
    }

    private Double number(String path, JsonNode node, double min, double max) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isNumber()) {
            errors.add(tree.error(path, "must be a number (was " + kind(node) + ")"));
            return null;
        }
        double value = node.asDouble();
        if (value < min || value > max) {
            errors.add(tree.error(path, "must be between " + trim(min) + " and " + trim(max) + " (was "
                    + node.asText() + ")"));
            return null;
        }
        return value;
    }

    private List<String> strings(String path, JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isArray()) {
            errors.add(tree.error(path, "must be a list of strings (was " + kind(node) + ")"));
            return null;
        }
        List<String> values = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            String value = text(path + "[" + i + "]", node.get(i), true);
            if (value != null) {
                values.add(value);
            }
        }
        return values;
    }

    static String article(StepType type) {
        return type == StepType.AGENT || type == StepType.APPROVAL ? "an" : "a";
    }

    private static Integer toInt(Long value) {
        return value == null ? null : value.intValue();
    }

    private static String trim(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }

    static String kind(JsonNode node) {
        if (node == null || node.isNull()) {
            return "nothing";
        }
        if (node.isObject()) {
            return "a mapping";
        }
        if (node.isArray()) {
            return "a list";
        }
        if (node.isTextual()) {
            return "a string";
        }
        if (node.isIntegralNumber()) {
            return "an integer";
        }
        if (node.isNumber()) {
            return "a number";
        }
        if (node.isBoolean()) {
            return "true/false";
        }
        return "something else";
    }
}
