package dev.skyloom.core.swarm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.skyloom.core.agent.StepSpec;
import dev.skyloom.core.api.ApiError;
import dev.skyloom.core.pipeline.AgentDirectory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Validates a swarm request before anything runs. Every problem found is reported (one {@link ApiError.Detail} per
 * problem, the message names the first and how many more), each saying what is wrong and what would be valid.
 * Graph checks (unknown dependencies, self-dependencies, cycles) run once every task is well formed; a cycle is
 * named along its edges, dependency first, starting at its smallest key: {@code a -> b -> c -> a} means b depends on
 * a, c on b and a on c.
 */
public final class SwarmValidator {
    /** The default limit of tasks per swarm when the tenant has none of its own. */
    public static final int DEFAULT_MAX_TASKS = 1000;
    public static final int MAX_CONCURRENT_LIMIT = 1000;
    public static final int MAX_TIMEOUT_SECONDS = 604_800;
    public static final int MAX_PROMPT_CHARS = 100_000;
    private static final Pattern KEY = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
    private static final Pattern DEP_REF = Pattern.compile("\\{\\{\\s*deps\\.([^.}\\s]+)\\.(\\w+)\\s*}}");
    private static final Set<String> DEP_FIELDS = Set.of("output", "text", "result", "status");
    private static final List<String> TOP_FIELDS = List.of("tasks", "goal", "planner", "maxConcurrent",
            "failurePolicy", "globalTimeoutSeconds", "budget", "name", "maxRetries");
    private static final List<String> TASK_FIELDS = List.of("key", "title", "prompt", "agent", "dependencies",
            "timeoutSeconds", "model", "maxRetries");
    private static final List<String> BUDGET_FIELDS = List.of("maxDollars", "maxTokens");

    private final AgentDirectory agents;
    private final int maxTasks;

    public SwarmValidator(AgentDirectory agents, int maxTasks) {
        if (maxTasks < 1) {
            throw new IllegalArgumentException("maxTasks must be at least 1");
        }
        this.agents = agents;
        this.maxTasks = maxTasks;
    }

    public SwarmValidator(AgentDirectory agents) {
        this(agents, DEFAULT_MAX_TASKS);
    }

    /** The validated swarm, or a 400 naming every problem. */
    public SwarmSpec validate(JsonNode body) {
        List<ApiError.Detail> problems = new ArrayList<>();
        if (body == null || !body.isObject()) {
            throw toError(List.of(new ApiError.Detail("body", "must be a JSON object with 'tasks' or 'goal'")));
        }
        unknownFields(body, TOP_FIELDS, "", problems);

        int maxConcurrent = intField(body, "maxConcurrent", SwarmSpec.DEFAULT_MAX_CONCURRENT, 1,
                MAX_CONCURRENT_LIMIT, problems);
        FailurePolicy policy = FailurePolicy.SKIP_DEPENDENTS;
        JsonNode fp = body.get("failurePolicy");
        if (fp != null && !fp.isNull()) {
            Optional<FailurePolicy> parsed = fp.isTextual() ? FailurePolicy.fromWire(fp.asText()) : Optional.empty();
            if (parsed.isEmpty()) {
                problems.add(new ApiError.Detail("failurePolicy", "is " + describe(fp) + "; valid: "
                        + String.join(", ", FailurePolicy.wireNames())));
            } else {
                policy = parsed.get();
            }
        }
        int globalTimeout = intField(body, "globalTimeoutSeconds", SwarmSpec.DEFAULT_GLOBAL_TIMEOUT_SECONDS, 1,
                MAX_TIMEOUT_SECONDS, problems);
        SwarmSpec.Budget budget = budget(body.get("budget"), problems);
        int maxRetries = intField(body, "maxRetries", SwarmSpec.DEFAULT_MAX_RETRIES, 0, SwarmSpec.MAX_RETRIES_LIMIT,
                problems);

        JsonNode tasksNode = body.get("tasks");
        JsonNode goalNode = body.get("goal");
        boolean hasTasks = tasksNode != null && !tasksNode.isNull();
        boolean hasGoal = goalNode != null && !goalNode.isNull();
        List<SwarmTask> tasks = List.of();
        String goal = null;
        String planner = null;
        if (hasTasks && hasGoal) {
            problems.add(new ApiError.Detail("goal", "cannot be given with 'tasks'; give either 'tasks' (a DAG) or "
                    + "'goal' and 'planner' (an agent plans the tasks)"));
        } else if (!hasTasks && !hasGoal) {
            problems.add(new ApiError.Detail("tasks", "is required (or 'goal' and 'planner'): a non-empty array of "
                    + "{key, title, prompt, agent, dependencies, timeoutSeconds, model, maxRetries}"));
        } else if (hasGoal) {
            if (!goalNode.isTextual() || goalNode.asText().isBlank()) {
                problems.add(new ApiError.Detail("goal", "is " + describe(goalNode) + "; must be a non-empty string"));
            } else {
                goal = goalNode.asText();
            }
            JsonNode p = body.get("planner");
            if (p == null || p.isNull()) {
                problems.add(new ApiError.Detail("planner", "is required with 'goal': the agent (id or name) that "
                        + "decomposes the goal into tasks"));
            } else {
                planner = agent(p, "planner", problems);
            }
        } else {
            if (body.has("planner")) {
                problems.add(new ApiError.Detail("planner", "is only valid with 'goal'"));
            }
            tasks = tasks(tasksNode, problems);
        }
        if (!problems.isEmpty()) {
            throw toError(problems);
        }
        return new SwarmSpec(tasks, goal, planner, maxConcurrent, policy, globalTimeout, budget, maxRetries);
    }

    /**
     * Validates a planner's task list (the {@code submit_plan} tool's input) against the same rules, for a swarm
     * whose other settings are already valid.
     */
    public List<SwarmTask> validatePlan(JsonNode tasksNode) {
        List<ApiError.Detail> problems = new ArrayList<>();
        List<SwarmTask> tasks = tasks(tasksNode, problems);
        if (!problems.isEmpty()) {
            throw toError(problems);
        }
        return tasks;
    }

    private List<SwarmTask> tasks(JsonNode node, List<ApiError.Detail> problems) {
        if (!node.isArray()) {
            problems.add(new ApiError.Detail("tasks", "is " + describe(node) + "; must be an array of tasks"));
            return List.of();
        }
        if (node.isEmpty()) {
            problems.add(new ApiError.Detail("tasks", "is empty; a swarm needs at least one task"));
            return List.of();
        }
        if (node.size() > maxTasks) {
            problems.add(new ApiError.Detail("tasks", "has " + node.size() + " tasks; this tenant's limit is "
                    + maxTasks));
            return List.of();
        }
        int before = problems.size();
        List<SwarmTask> tasks = new ArrayList<>();
        Map<String, Integer> firstIndex = new HashMap<>();
        for (int i = 0; i < node.size(); i++) {
            SwarmTask t = task(node.get(i), "tasks[" + i + "]", problems);
            if (t == null) {
                continue;
            }
            Integer seen = firstIndex.putIfAbsent(t.key(), i);
            if (seen != null) {
                problems.add(new ApiError.Detail("tasks[" + i + "].key", "'" + t.key() + "' is a duplicate of "
                        + "tasks[" + seen + "].key; keys must be unique"));
                continue;
            }
            tasks.add(t);
        }
        if (problems.size() > before) {
            return List.of();
        }
        // Graph checks, now that every task is well formed.
        for (int i = 0; i < tasks.size(); i++) {
            SwarmTask t = tasks.get(i);
            for (int d = 0; d < t.dependencies().size(); d++) {
                String dep = t.dependencies().get(d);
                String field = "tasks[" + i + "].dependencies[" + d + "]";
                if (dep.equals(t.key())) {
                    problems.add(new ApiError.Detail(field, "'" + dep + "' is the task itself; a task cannot "
                            + "depend on itself"));
                } else if (!firstIndex.containsKey(dep)) {
                    problems.add(new ApiError.Detail(field, "'" + dep + "' is not a task of this swarm; valid: "
                            + sample(firstIndex.keySet().stream().filter(k -> !k.equals(t.key())).sorted()
                                    .toList())));
                }
            }
            Matcher m = DEP_REF.matcher(t.prompt());
            while (m.find()) {
                String ref = m.group(1);
                if (!t.dependencies().contains(ref)) {
                    problems.add(new ApiError.Detail("tasks[" + i + "].prompt", "uses {{deps." + ref + "."
                            + m.group(2) + "}} but '" + ref + "' is not one of its dependencies"
                            + (t.dependencies().isEmpty() ? " (it has none)"
                                    : " (" + String.join(", ", t.dependencies()) + ")")));
                } else if (!DEP_FIELDS.contains(m.group(2))) {
                    problems.add(new ApiError.Detail("tasks[" + i + "].prompt", "uses {{deps." + ref + "."
                            + m.group(2) + "}}; valid fields: output, result, status, text"));
                }
            }
        }
        if (problems.size() > before) {
            return List.of();
        }
        List<String> cycle = Dag.of(tasks).findCycle();
        if (!cycle.isEmpty()) {
            problems.add(new ApiError.Detail("tasks", "have a dependency cycle: " + String.join(" -> ", cycle)
                    + "; dependencies must form a DAG"));
            return List.of();
        }
        return tasks;
    }

    private SwarmTask task(JsonNode node, String at, List<ApiError.Detail> problems) {
        if (node == null || !node.isObject()) {
            problems.add(new ApiError.Detail(at, "is " + describe(node) + "; must be an object {key, title, "
                    + "prompt, agent, dependencies, timeoutSeconds, model, maxRetries}"));
            return null;
        }
        int before = problems.size();
        unknownFields(node, TASK_FIELDS, at + ".", problems);
        String key = null;
        JsonNode k = node.get("key");
        if (k == null || k.isNull()) {
            problems.add(new ApiError.Detail(at + ".key", "is required: 1-64 of a-z, 0-9, '_', '-', starting with "
                    + "a letter or digit"));
        } else if (!k.isTextual() || !KEY.matcher(k.asText()).matches()) {
            problems.add(new ApiError.Detail(at + ".key", "is " + describe(k) + "; must be 1-64 of a-z, 0-9, "
                    + "'_', '-', starting with a letter or digit"));
        } else {
            key = k.asText();
        }
        String title = key;
        JsonNode tn = node.get("title");
        if (tn != null && !tn.isNull()) {
            if (!tn.isTextual() || tn.asText().isBlank() || tn.asText().length() > 200) {
                problems.add(new ApiError.Detail(at + ".title", "is " + describe(tn) + "; must be a non-empty "
                        + "string of at most 200 characters"));
            } else {
                title = tn.asText();
            }
        }
        String prompt = null;
        JsonNode pn = node.get("prompt");
        if (pn == null || pn.isNull()) {
            problems.add(new ApiError.Detail(at + ".prompt", "is required: the task for the agent"));
        } else if (!pn.isTextual() || pn.asText().isBlank() || pn.asText().length() > MAX_PROMPT_CHARS) {
            problems.add(new ApiError.Detail(at + ".prompt", "is " + describe(pn) + "; must be a non-empty string "
                    + "of at most " + MAX_PROMPT_CHARS + " characters"));
        } else {
            prompt = pn.asText();
        }
        String agentId = null;
        JsonNode an = node.get("agent");
        if (an == null || an.isNull()) {
            problems.add(new ApiError.Detail(at + ".agent", "is required: an agent id or name" + knownAgents()));
        } else {
            agentId = agent(an, at + ".agent", problems);
        }
        List<String> deps = new ArrayList<>();
        JsonNode dn = node.get("dependencies");
        if (dn != null && !dn.isNull()) {
            if (!dn.isArray()) {
                problems.add(new ApiError.Detail(at + ".dependencies", "is " + describe(dn) + "; must be an array "
                        + "of task keys"));
            } else {
                Set<String> seen = new HashSet<>();
                for (int d = 0; d < dn.size(); d++) {
                    JsonNode dep = dn.get(d);
                    if (!dep.isTextual()) {
                        problems.add(new ApiError.Detail(at + ".dependencies[" + d + "]", "is " + describe(dep)
                                + "; must be a task key"));
                    } else if (!seen.add(dep.asText())) {
                        problems.add(new ApiError.Detail(at + ".dependencies[" + d + "]", "'" + dep.asText()
                                + "' is listed twice"));
                    } else {
                        deps.add(dep.asText());
                    }
                }
            }
        }
        int timeout = intField(node, "timeoutSeconds", SwarmSpec.DEFAULT_TASK_TIMEOUT_SECONDS, 1,
                MAX_TIMEOUT_SECONDS, at + ".", problems);
        String model = null;
        JsonNode mn = node.get("model");
        if (mn != null && !mn.isNull()) {
            if (!mn.isTextual() || !StepSpec.MODEL_ID.matcher(mn.asText()).matches()) {
                problems.add(new ApiError.Detail(at + ".model", "is " + describe(mn) + "; must be "
                        + StepSpec.MODEL_ID_RULE + " or 'skyloom.local'"));
            } else {
                model = mn.asText();
            }
        }
        Integer maxRetries = null;
        if (node.hasNonNull("maxRetries")) {
            maxRetries = intField(node, "maxRetries", 0, 0, SwarmSpec.MAX_RETRIES_LIMIT, at + ".", problems);
        }
        if (problems.size() > before) {
            return null;
        }
        return new SwarmTask(key, title, prompt, agentId, deps, timeout, model, maxRetries);
    }

    private String agent(JsonNode node, String field, List<ApiError.Detail> problems) {
        if (!node.isTextual() || node.asText().isBlank()) {
            problems.add(new ApiError.Detail(field, "is " + describe(node) + "; must be an agent id or name"
                    + knownAgents()));
            return null;
        }
        Optional<String> id = agents.resolve(node.asText());
        if (id.isEmpty()) {
            problems.add(new ApiError.Detail(field, "'" + node.asText() + "' is not an agent of this tenant"
                    + knownAgents()));
            return null;
        }
        return id.get();
    }

    private String knownAgents() {
        List<String> names = agents.names();
        return names.isEmpty() ? " (this tenant has no agents yet)" : "; known: " + sample(names);
    }

    private static SwarmSpec.Budget budget(JsonNode node, List<ApiError.Detail> problems) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            problems.add(new ApiError.Detail("budget", "is " + describe(node) + "; must be an object {maxDollars, "
                    + "maxTokens}"));
            return null;
        }
        unknownFields(node, BUDGET_FIELDS, "budget.", problems);
        Double dollars = null;
        JsonNode d = node.get("maxDollars");
        if (d != null && !d.isNull()) {
            if (!d.isNumber() || !(d.asDouble() > 0) || d.asDouble() > 100_000) {
                problems.add(new ApiError.Detail("budget.maxDollars", "is " + describe(d) + "; must be a number "
                        + "greater than 0 and at most 100000"));
            } else {
                dollars = d.asDouble();
            }
        }
        Long tokens = null;
        JsonNode t = node.get("maxTokens");
        if (t != null && !t.isNull()) {
            if (!t.isIntegralNumber() || t.asLong() < 1) {
                problems.add(new ApiError.Detail("budget.maxTokens", "is " + describe(t) + "; must be a whole "
                        + "number of at least 1"));
            } else {
                tokens = t.asLong();
            }
        }
        if (dollars == null && tokens == null && node.isEmpty()) {
            problems.add(new ApiError.Detail("budget", "is empty; give maxDollars, maxTokens or both"));
        }
        return new SwarmSpec.Budget(dollars, tokens);
    }

    private static int intField(JsonNode obj, String name, int dflt, int min, int max,
            List<ApiError.Detail> problems) {
        return intField(obj, name, dflt, min, max, "", problems);
    }

    private static int intField(JsonNode obj, String name, int dflt, int min, int max, String prefix,
            List<ApiError.Detail> problems) {
        JsonNode n = obj.get(name);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < min || n.asInt() > max) {
            problems.add(new ApiError.Detail(prefix + name, "is " + describe(n) + "; must be a whole number from "
                    + min + " to " + max));
            return dflt;
        }
        return n.asInt();
    }

    private static void unknownFields(JsonNode obj, List<String> valid, String prefix,
            List<ApiError.Detail> problems) {
        for (Iterator<String> it = obj.fieldNames(); it.hasNext();) {
            String f = it.next();
            if (!valid.contains(f)) {
                problems.add(new ApiError.Detail(prefix + f, "is not a known field; valid: "
                        + String.join(", ", valid)));
            }
        }
    }

    private static String sample(List<String> names) {
        if (names.isEmpty()) {
            return "(none)";
        }
        if (names.size() <= 10) {
            return String.join(", ", names);
        }
        return String.join(", ", names.subList(0, 10)) + ", ... (" + names.size() + " in all)";
    }

    static String describe(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return "null";
        }
        if (n.isTextual()) {
            String s = n.asText();
            return s.isEmpty() ? "an empty string" : "'" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "'";
        }
        if (n.isArray()) {
            return "an array";
        }
        if (n.isObject()) {
            return "an object";
        }
        if (n.isBoolean()) {
            return n.asText();
        }
        return n.toString();
    }

    private static ApiError toError(List<ApiError.Detail> problems) {
        ApiError.Detail first = problems.getFirst();
        String more = problems.size() > 1 ? " (and " + (problems.size() - 1) + " more problem"
                + (problems.size() > 2 ? "s" : "") + ")" : "";
        return ApiError.badRequest("Invalid swarm: " + first.field() + " " + first.problem() + more, problems);
    }
}
