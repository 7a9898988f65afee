package dev.skyloom.core.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.skyloom.core.api.ApiError;
import dev.skyloom.core.api.Json;
import dev.skyloom.core.pipeline.PipelineIr.Action;
import dev.skyloom.core.pipeline.PipelineIr.AgentRef;
import dev.skyloom.core.pipeline.PipelineIr.Budget;
import dev.skyloom.core.pipeline.PipelineIr.Pipeline;
import dev.skyloom.core.pipeline.PipelineIr.Step;
import dev.skyloom.core.pipeline.PipelineIr.StepType;
import dev.skyloom.core.resources.Agent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Stage 3: what the schema cannot see. Agents exist (or are valid inline definitions); step ids are unique;
 * {@code onComplete} and {@code goto} name steps; templates name steps that have always run before; every step is
 * reachable and can reach the end; functions are registered; limits and budgets fit the tenant's. Answers the agent
 * ids steps run with.
 */
final class CrossReferences {
    private static final Pattern LAMBDA_ARN = Pattern.compile(
            "arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]{1,128})?");
    private static final int LISTED_AGENTS = 20;

    private final Pipeline pipeline;
    private final YamlTree tree;
    private final AgentDirectory directory;
    private final CompileTarget target;
    private final List<PipelineError> errors;
    private final Flow flow;
    private final Map<String, String> agentIds = new LinkedHashMap<>();
    private final List<InlineAgent> inlineAgents = new ArrayList<>();
    private final Map<String, dev.skyloom.core.swarm.SwarmSpec> swarms = new LinkedHashMap<>();
    private final Map<String, Step> all = new LinkedHashMap<>();
    private final Map<String, Step> parentOf = new LinkedHashMap<>();
    private boolean duplicates;
    private boolean dangling;

    /** What the checks resolved. */
    record Resolved(Map<String, String> agentIds, List<InlineAgent> inlineAgents, Flow flow,
                    Map<String, dev.skyloom.core.swarm.SwarmSpec> swarms) {
    }

    private CrossReferences(Pipeline pipeline, YamlTree tree, AgentDirectory directory, CompileTarget target,
                            List<PipelineError> errors) {
        this.pipeline = pipeline;
        this.tree = tree;
        this.directory = directory;
        this.target = target;
        this.errors = errors;
        this.flow = new Flow(pipeline.steps());
    }

    static Resolved check(Pipeline pipeline, YamlTree tree, AgentDirectory directory, CompileTarget target,
                          List<PipelineError> errors) {
        CrossReferences checks = new CrossReferences(pipeline, tree, directory, target, errors);
        checks.run();
        return new Resolved(Map.copyOf(checks.agentIds), List.copyOf(checks.inlineAgents), checks.flow,
                Map.copyOf(checks.swarms));
    }

    private void run() {
        uniqueIds();
        agents();
        String stepList = String.join(", ", flow.steps().stream().map(Step::id).toList());
        for (Step step : flow.steps()) {
            transitions(step, stepList);
        }
        Set<String> reachable = flow.reachable();
        // the graph is only meaningful when every step id is unique and every transition names a step
        boolean dangling = duplicates || this.dangling;
        if (!dangling) {
            graph(reachable);
        }
        Map<String, Set<String>> before = dangling ? Map.of() : flow.alwaysBefore();
        for (Step step : flow.steps()) {
            stepReferences(step, before.getOrDefault(step.id(), Set.of()), stepList, !dangling
                    && reachable.contains(step.id()));
        }
        limits();
    }

    private void uniqueIds() {
        for (Step step : flow.steps()) {
            register(step, null);
            if (step.branches() != null) {
                for (List<Step> branch : step.branches()) {
                    for (Step inner : branch) {
                        register(inner, step);
                    }
                }
            }
        }
    }

    private void register(Step step, Step parent) {
        Step first = all.putIfAbsent(step.id(), step);
        if (first != null) {
            duplicates = true;
            YamlTree.Location at = tree.at(first.path() + ".id");
            errors.add(tree.error(step.path() + ".id", "duplicate step id \"" + step.id() + "\": " + first.path()
                    + " (line " + at.line() + ") has it already; step ids must be unique"));
        } else if (parent != null) {
            parentOf.put(step.id(), parent);
        }
    }

    // ------------------------------------------------------------------------------------------------ agents

    private void agents() {
        Map<String, AgentRef> seen = new LinkedHashMap<>();
        for (AgentRef ref : pipeline.agents()) {
            AgentRef first = seen.putIfAbsent(ref.key(), ref);
            if (first != null) {
                errors.add(tree.error(ref.path(), "agent \"" + ref.key() + "\" is listed twice (also "
                        + first.path() + ")"));
                continue;
            }
            if (ref.inline() == null) {
                Optional<String> id = directory.resolve(ref.key());
                if (id.isEmpty()) {
                    errors.add(tree.error(ref.path(), "agent \"" + YamlTree.abbreviate(ref.key(), 100)
                            + "\" does not exist; " + storedAgents()));
                } else {
                    agentIds.put(ref.key(), id.get());
                }
            } else {
                inline(ref);
            }
        }
    }

    private String storedAgents() {
        List<String> names = directory.names();
        if (names.isEmpty()) {
            return "this tenant has no agents yet: create one (POST /agents) or define it inline";
        }
        return "agents are: " + String.join(", ", names.stream().limit(LISTED_AGENTS).toList())
                + (names.size() > LISTED_AGENTS ? ", ... (" + names.size() + " in all)" : "");
    }

    /**
     * An inline agent without {@code model} gets {@code defaults.model} (a Bedrock model id) with
     * {@code defaults.temperature} and {@code defaults.maxOutputTokens}; without {@code tools},
     * {@code defaults.tools}. Stored agents keep their own.
     */
    private JsonNode withDefaults(JsonNode inline) {
        PipelineIr.Defaults defaults = pipeline.defaults();
        com.fasterxml.jackson.databind.node.ObjectNode merged = inline.deepCopy();
        if (!merged.has("model") && defaults.model() != null) {
            com.fasterxml.jackson.databind.node.ObjectNode model = merged.putObject("model");
            model.put("provider", "bedrock").put("modelId", defaults.model());
            if (defaults.temperature() != null) {
                model.put("temperature", defaults.temperature());
            }
            if (defaults.maxOutputTokens() != null) {
                model.put("maxOutputTokens", defaults.maxOutputTokens());
            }
        }
        if (!merged.has("tools") && defaults.tools() != null && !defaults.tools().isEmpty()) {
            defaults.tools().forEach(merged.putArray("tools")::add);
        }
        return merged;
    }

    private void inline(AgentRef ref) {
        Agent agent;
        JsonNode definition = withDefaults(ref.inline());
        try {
            agent = Json.MAPPER.treeToValue(definition, Agent.class);
        } catch (JsonProcessingException e) {
            String field = e instanceof com.fasterxml.jackson.databind.JsonMappingException m && !m.getPath().isEmpty()
                    && m.getPath().getFirst().getFieldName() != null ? m.getPath().getFirst().getFieldName() : null;
            String at = field == null ? ref.path() : ref.path() + "." + field;
            errors.add(field != null && e instanceof com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException
                    ? tree.keyError(at, "unknown field \"" + field + "\" in an inline agent; valid fields are: name, "
                    + "role, persona, systemPrompt, model, maxTurns, tools, skills, mcpServers, memoryProfile, "
                    + "budgets")
                    : tree.error(at, "is not a valid inline agent" + (field == null ? "" : ": " + field
                    + " has the wrong type")));
            return;
        }
        try {
            agent.withDefaults().validate();
        } catch (ApiError e) {
            for (ApiError.Detail detail : e.details()) {
                String at = ref.path() + "." + detail.field();
                errors.add(tree.error(tree.at(at).line() > 0 ? at : ref.path(), "inline agent \"" + ref.key()
                        + "\": " + detail.field() + " " + detail.problem() + (detail.field().equals("model")
                        ? ": give it a model, or set defaults.model for every inline agent" : "")));
            }
            return;
        }
        String id = "agt_" + hash(pipeline.id() + "/" + ref.key());
        agentIds.put(ref.key(), id);
        inlineAgents.add(new InlineAgent(id, ref.key(), definition));
    }

    private void agentOf(Step step, String path, String name) {
        if (name == null || agentIds.containsKey(name)) {
            return;
        }
        boolean declared = pipeline.agents().stream().anyMatch(a -> a.key().equals(name));
        if (declared) {
            return; // its own problem is reported at agents[]
        }
        Optional<String> stored = directory.resolve(name);
        if (stored.isPresent()) {
            agentIds.put(name, stored.get());
            return;
        }
        Set<String> choices = new TreeSet<>(pipeline.agents().stream().map(AgentRef::key).toList());
        errors.add(tree.error(path, "step \"" + step.id() + "\" agent \"" + YamlTree.abbreviate(name, 100)
                + "\": no such agent; " + (choices.isEmpty() ? storedAgents()
                : "agents are: " + String.join(", ", choices))));
    }

    // ------------------------------------------------------------------------------------------------ flow

    private void transitions(Step step, String stepList) {
        if (step.onComplete() != null && !flow.has(step.onComplete())) {
            dangling = true;
            errors.add(tree.error(step.path() + ".onComplete", "step \"" + step.id() + "\" onComplete \""
                    + YamlTree.abbreviate(step.onComplete(), 64) + "\": no such step; steps are: " + stepList));
        }
        List<String> known = Flow.knownResults(step);
        for (Action action : step.actions().values()) {
            if (known != null && !known.contains(action.value())) {
                errors.add(tree.keyError(action.path(), "step \"" + step.id() + "\" onResult \"" + action.value()
                        + "\": " + PipelineReader.article(step.type()) + " " + step.type().yaml()
                        + " answers " + String.join(" or ", known)));
            }
            if (action.gotoStep() != null && !flow.has(action.gotoStep())) {
                dangling = true;
                Step parent = parentOf.get(action.gotoStep());
                errors.add(tree.error(action.path() + ".goto", "step \"" + step.id() + "\" onResult goto \""
                        + YamlTree.abbreviate(action.gotoStep(), 64) + "\": " + (parent != null
                        ? "it runs inside parallel step \"" + parent.id() + "\", and goto can only go to a step of "
                        + "the pipeline's own list; steps are: " : "no such step; steps are: ") + stepList));
            }
            if ((action.retry() || action.gotoStep() != null && flow.backward(step, action.gotoStep()))
                    && target(step, action) != null && target(step, action).maxRetries() == 0) {
                errors.add(tree.error(action.path(), "step \"" + step.id() + "\" onResult " + action.value()
                        + " goes back to \"" + target(step, action).id() + "\", whose maxRetries is 0: a step "
                        + "runs again at most maxRetries times, so set maxRetries to 1 or more"));
            }
        }
    }

    private Step target(Step step, Action action) {
        return action.retry() ? step : all.get(action.gotoStep());
    }

    private void graph(Set<String> reachable) {
        for (Step step : flow.steps()) {
            if (!reachable.contains(step.id())) {
                errors.add(tree.error(step.path(), "step \"" + step.id() + "\" is unreachable: no path from the "
                        + "first step (" + flow.first() + ") leads to it; go to it with onComplete or onResult "
                        + "goto, or remove it"));
            }
        }
        Set<String> finish = flow.canFinish();
        List<String> stuck = flow.steps().stream().map(Step::id)
                .filter(id -> reachable.contains(id) && !finish.contains(id)).toList();
        if (!stuck.isEmpty()) {
            Step first = all.get(stuck.getFirst());
            errors.add(tree.error(first.path(), "step" + (stuck.size() == 1 ? " \"" : "s \"")
                    + String.join("\", \"", stuck) + "\" " + (stuck.size() == 1 ? "loops" : "loop")
                    + " with no exit: no path from " + (stuck.size() == 1 ? "it" : "them") + " reaches the end "
                    + "of the pipeline; give one of them an onResult or onComplete that leads on"));
        }
    }

    // ------------------------------------------------------------------------------------------------ references

    private void stepReferences(Step step, Set<String> before, String stepList, boolean checkOrder) {
        agentOf(step, step.path() + ".agent", step.agent());
        if (step.council() != null) {
            agentOf(step, step.path() + ".council.leader", step.council().leader());
            for (int i = 0; i < step.council().members().size(); i++) {
                agentOf(step, step.path() + ".council.members[" + i + "]", step.council().members().get(i));
            }
        }
        template(step, step.path() + ".input", step.input(), before, List.of(), stepList, checkOrder, false);
        if (step.type() == StepType.SWARM && step.swarm() != null) {
            swarm(step, before, stepList, checkOrder);
        }
        if (step.loop() != null) {
            String over = step.loop().over();
            Template t = template(step, step.loop().path() + ".over", over, before, List.of(), stepList, checkOrder,
                    true);
            if (t != null && (!t.isSingleRef() || t.refs().getFirst().root().equals("loop")
                    || t.refs().getFirst().root().equals("human"))) {
                errors.add(tree.error(step.loop().path() + ".over", "step \"" + step.id() + "\" loop over: must "
                        + "be one reference to a list, such as {{run.input.items}} or {{steps.plan.outputs.files}}"));
            }
        }
        for (Action action : step.actions().values()) {
            if (action.message() != null) {
                Set<String> after = new LinkedHashSet<>(before);
                after.add(step.id());
                template(step, action.path() + ".notify", action.message(), after, List.of(), stepList, checkOrder,
                        false);
            }
        }
        parameters(step, step.path() + ".parameters", step.parameters(), before, List.of(), stepList, checkOrder);
        if (step.type() == StepType.LAMBDA) {
            function(step);
        }
        if (step.branches() != null) {
            for (List<Step> branch : step.branches()) {
                List<String> earlier = new ArrayList<>();
                for (Step inner : branch) {
                    agentOf(inner, inner.path() + ".agent", inner.agent());
                    template(inner, inner.path() + ".input", inner.input(), before, earlier, stepList, checkOrder,
                            false);
                    parameters(inner, inner.path() + ".parameters", inner.parameters(), before, earlier, stepList,
                            checkOrder);
                    if (inner.type() == StepType.LAMBDA) {
                        function(inner);
                    }
                    earlier.add(inner.id());
                }
            }
        }
    }

    private void parameters(Step step, String path, JsonNode node, Set<String> before, List<String> earlier,
                            String stepList, boolean checkOrder) {
        if (node == null) {
            return;
        }
        if (node.isTextual()) {
            template(step, path, node.asText(), before, earlier, stepList, checkOrder, false);
        } else if (node.isObject()) {
            node.properties().forEach(e -> parameters(step, path + "." + e.getKey(), e.getValue(), before,
                    earlier, stepList, checkOrder));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                parameters(step, path + "[" + i + "]", node.get(i), before, earlier, stepList, checkOrder);
            }
        }
    }

    private Template template(Step step, String path, String text, Set<String> before, List<String> earlier,
                              String stepList, boolean checkOrder, boolean loopOver) {
        if (text == null) {
            return null;
        }
        List<String> problems = new ArrayList<>();
        Template template = Template.parse(text, problems);
        String field = path.startsWith(step.path() + ".") ? path.substring(step.path().length() + 1) : path;
        String where = "step \"" + step.id() + "\" " + (field.startsWith("loop.") ? "loop over"
                : field.startsWith("onResult.") ? field.replace('.', ' ') : field) + ": ";
        for (String problem : problems) {
            errors.add(tree.error(path, where + problem));
        }
        for (Template.Ref ref : template.refs()) {
            switch (ref.root()) {
                case "steps" -> {
                    Step target = all.get(ref.step());
                    if (target == null) {
                        errors.add(tree.error(path, where + ref.raw() + ": no such step; steps are: "
                                + String.join(", ", all.keySet())));
                    } else if (ref.path().getFirst().equals("outputs") && unstructured(target)) {
                        errors.add(tree.error(path, where + ref.raw() + ": step \"" + target.id() + "\" has no "
                                + "structured output; give it outputs: [<field>, ...] or an outputSchema, or use "
                                + "{{steps." + target.id() + ".output}}"));
                    } else if (checkOrder && !ranBefore(ref.step(), before, earlier)) {
                        Set<String> always = new LinkedHashSet<>();
                        for (Step s : flow.steps()) {
                            if (before.contains(s.id())) {
                                always.add(s.id());
                            }
                        }
                        always.addAll(earlier);
                        errors.add(tree.error(path, where + ref.raw() + " refers to step \"" + ref.step()
                                + "\", which has not always run before \"" + step.id() + "\"; steps that always run "
                                + "before it: " + (always.isEmpty() ? "none" : String.join(", ", always))));
                    }
                }
                case "loop" -> {
                    if (step.loop() == null || loopOver) {
                        errors.add(tree.error(path, where + ref.raw() + " is only available in the input of a "
                                + "step with loop"));
                    }
                }
                case "human" -> {
                    if (all.values().stream().noneMatch(s -> s.type() == StepType.APPROVAL)) {
                        errors.add(tree.error(path, where + ref.raw() + " needs an approval step in the pipeline"));
                    }
                }
                default -> {
                }
            }
        }
        return template;
    }

    /** An agent, gate or council step with neither {@code outputs} nor {@code outputSchema}: it answers text. */
    private static boolean unstructured(Step step) {
        return (step.type() == StepType.AGENT || step.type() == StepType.GATE || step.type() == StepType.COUNCIL)
                && step.effectiveOutputSchema() == null;
    }

    private boolean ranBefore(String referenced, Set<String> before, List<String> earlier) {
        if (before.contains(referenced) || earlier.contains(referenced)) {
            return true;
        }
        Step parent = parentOf.get(referenced);
        return parent != null && before.contains(parent.id());
    }

    /**
     * A swarm step's {@code swarm} mapping is a swarm request ({@link dev.skyloom.core.swarm.SwarmValidator}, as
     * {@code POST /swarms} takes it), its agents the pipeline's own (listed or inline) or the tenant's stored ones.
     * Task prompts may hold the pipeline's templates besides the swarm's {@code {{deps.<key>.<field>}}}.
     */
    private void swarm(Step step, Set<String> before, String stepList, boolean checkOrder) {
        String at = step.path() + ".swarm";
        if (step.swarm().has("goal") || step.swarm().has("planner")) {
            errors.add(tree.keyError(at + (step.swarm().has("goal") ? ".goal" : ".planner"), "step \"" + step.id()
                    + "\" swarm: a pipeline's swarm step gives its tasks (tasks: [{key, title, prompt, agent, "
                    + "dependencies}]); a planned swarm (goal, planner) is started through the swarms API"));
            return;
        }
        AgentDirectory pipelineFirst = new AgentDirectory() {
            @Override
            public java.util.Optional<String> resolve(String idOrName) {
                String id = agentIds.get(idOrName);
                return id != null ? java.util.Optional.of(id) : directory.resolve(idOrName);
            }

            @Override
            public List<String> names() {
                Set<String> names = new TreeSet<>(agentIds.keySet());
                names.addAll(directory.names());
                return List.copyOf(names);
            }
        };
        try {
            swarms.put(step.id(), new dev.skyloom.core.swarm.SwarmValidator(pipelineFirst).validate(step.swarm()));
        } catch (ApiError e) {
            for (ApiError.Detail detail : e.details()) {
                String field = at + "." + detail.field();
                String located = field;
                while (tree.keyAt(located).line() <= 0 && located.length() > at.length()) {
                    located = located.endsWith("]") ? located.substring(0, located.lastIndexOf('['))
                            : located.substring(0, Math.max(at.length(), located.lastIndexOf('.')));
                }
                YamlTree.Location where = tree.keyAt(located);
                errors.add(new PipelineError(field, where.line(), where.column(), "step \"" + step.id() + "\" swarm."
                        + detail.field() + " " + detail.problem()));
            }
        }
        JsonNode tasks = step.swarm().path("tasks");
        for (int i = 0; i < tasks.size(); i++) {
            String prompt = tasks.get(i).path("prompt").asText("");
            template(step, at + ".tasks[" + i + "].prompt", withoutDeps(prompt), before, List.of(), stepList,
                    checkOrder, false);
        }
    }

    /** The prompt with the swarm's own {@code {{deps.<key>.<field>}}} references taken out (the runtime fills them). */
    static String withoutDeps(String prompt) {
        return DEPS_REF.matcher(prompt).replaceAll("");
    }

    static final Pattern DEPS_REF = Pattern.compile("\\{\\{\\s*deps\\.[^}]*}}");

    private void function(Step step) {
        String function = step.function();
        if (function == null || target.functions().containsKey(function) || LAMBDA_ARN.matcher(function).matches()) {
            return;
        }
        errors.add(tree.error(step.path() + ".function", "step \"" + step.id() + "\" function \""
                + YamlTree.abbreviate(function, 100) + "\": not a registered function; functions are: "
                + String.join(", ", new TreeSet<>(target.functions().keySet())) + " (or a Lambda function ARN)"));
    }

    // ------------------------------------------------------------------------------------------------ limits

    private void limits() {
        CompileTarget.Limits limits = target.limits();
        if (all.size() > limits.maxStepsPerPipeline()) {
            errors.add(tree.error("steps", "has " + all.size() + " steps, over the tenant's limit of "
                    + limits.maxStepsPerPipeline()));
        }
        double dollars = 0;
        long tokens = 0;
        for (Step step : all.values()) {
            over(step.path() + ".maxTurns", step.maxTurns(), limits.maxTurnsPerStep(), "turns per step");
            over(step.path() + ".timeoutSeconds", step.timeoutSeconds(), limits.maxTimeoutSeconds(),
                    "seconds per step");
            if (tree.at(step.path() + ".maxRetries").line() > 0) {
                over(step.path() + ".maxRetries", step.maxRetries(), limits.maxRetries(), "retries per step");
            }
            if (step.loop() != null) {
                over(step.loop().path() + ".maxConcurrency", step.loop().maxConcurrency(), limits.maxConcurrency(),
                        "concurrent iterations");
            }
            if (step.council() != null) {
                over(step.path() + ".council.members", step.council().members().size(), limits.maxConcurrency(),
                        "concurrent members");
            }
            if (step.branches() != null) {
                over(step.path() + ".branches", step.branches().size(), limits.maxConcurrency(),
                        "concurrent branches");
            }
            Budget budget = step.budget();
            if (budget != null) {
                budget(step.path() + ".budget", budget, limits);
                dollars += budget.maxDollars() == null ? 0 : budget.maxDollars();
                tokens += budget.maxTokens() == null ? 0 : budget.maxTokens();
            }
        }
        if (tree.at("defaults.maxRetries").line() > 0) {
            over("defaults.maxRetries", pipeline.defaults().maxRetries(), limits.maxRetries(), "retries per step");
        }
        if (pipeline.budget() != null) {
            budget("budget", pipeline.budget(), limits);
        }
        double runDollars = pipeline.budget() != null && pipeline.budget().maxDollars() != null
                ? pipeline.budget().maxDollars() : limits.maxDollarsPerRun();
        boolean stepOverLimit = errors.stream().anyMatch(e -> e.field().endsWith(".budget.maxDollars"));
        if (dollars > runDollars + 1e-9 && !stepOverLimit) {
            errors.add(tree.error("steps", "the steps' budgets add up to $" + money(dollars) + ", over the "
                    + (pipeline.budget() != null && pipeline.budget().maxDollars() != null ? "pipeline's budget"
                    : "tenant's limit") + " of $" + money(runDollars) + " per run"));
        }
        long runTokens = pipeline.budget() != null && pipeline.budget().maxTokens() != null
                ? pipeline.budget().maxTokens() : limits.maxTokensPerRun();
        boolean stepOverTokens = errors.stream().anyMatch(e -> e.field().endsWith(".budget.maxTokens"));
        if (tokens > runTokens && !stepOverTokens) {
            errors.add(tree.error("steps", "the steps' token budgets add up to " + tokens + ", over the "
                    + (pipeline.budget() != null && pipeline.budget().maxTokens() != null ? "pipeline's budget"
                    : "tenant's limit") + " of " + runTokens + " per run"));
        }
    }

    private void budget(String path, Budget budget, CompileTarget.Limits limits) {
        if (budget.maxDollars() != null && budget.maxDollars() > limits.maxDollarsPerRun()) {
            errors.add(tree.error(path + ".maxDollars", "$" + money(budget.maxDollars()) + " is over the tenant's "
                    + "limit of $" + money(limits.maxDollarsPerRun()) + " per run"));
        }
        if (budget.maxTokens() != null && budget.maxTokens() > limits.maxTokensPerRun()) {
            errors.add(tree.error(path + ".maxTokens", budget.maxTokens() + " tokens is over the tenant's limit of "
                    + limits.maxTokensPerRun() + " per run"));
        }
    }

    private void over(String path, Integer value, int limit, String what) {
        if (value != null && value > limit) {
            errors.add(tree.error(path, value + " is over the tenant's limit of " + limit + " " + what));
        }
    }

    private static String money(double value) {
        return java.math.BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }

    static String hash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
