package dev.skyloom.core.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.core.pipeline.PipelineIr.Action;
import dev.skyloom.core.pipeline.PipelineIr.Pipeline;
import dev.skyloom.core.pipeline.PipelineIr.Step;
import dev.skyloom.core.pipeline.PipelineIr.StepType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Stage 4: the IR as one JSONata state machine. Step results live in workflow variables ({@code $steps},
 * {@code $attempts}, {@code $feedback}, {@code $human}, {@code $failure}, {@code $run}), so no state threads data
 * through its input and output. Every name and every key order is fixed by the IR: the same pipeline gives
 * byte-identical ASL. The mapping is documented in {@code docs/pipelines.md}.
 */
final class AslWriter {
    static final String START = "Start";
    static final String RESUME = "Resume";
    static final String RUN_COMPLETE = "RunComplete";
    static final String SUCCEEDED = "Succeeded";
    static final String RUN_FAILED = "RunFailed";
    static final String FAILED = "Failed";
    static final String SOURCE = "skyloom.pipeline";
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectMapper PLAIN = new ObjectMapper();
    /** Grace over a step's own timeoutSeconds (enforced by agent-step) before the task itself times out. */
    static final int TIMEOUT_GRACE_SECONDS = 300;

    private final Pipeline pipeline;
    private final CrossReferences.Resolved resolved;
    private final CompileTarget target;
    private final Flow flow;
    private final Set<String> retryTargets;
    private final ObjectNode states = NODES.objectNode();
    private final Map<String, ObjectNode> deferred = new LinkedHashMap<>();

    private AslWriter(Pipeline pipeline, CrossReferences.Resolved resolved, CompileTarget target) {
        this.pipeline = pipeline;
        this.resolved = resolved;
        this.target = target;
        this.flow = resolved.flow();
        this.retryTargets = flow.retryTargets();
    }

    static ObjectNode write(Pipeline pipeline, CrossReferences.Resolved resolved, CompileTarget target) {
        return new AslWriter(pipeline, resolved, target).machine();
    }

    /** Pretty-printed with two spaces and {@code \n}, ending with a newline, on every platform. */
    static String print(JsonNode asl) {
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter(Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER).withObjectEmptySeparator("")
                .withArrayEmptySeparator(""))
                .withObjectIndenter(new DefaultIndenter("  ", "\n"))
                .withArrayIndenter(new DefaultIndenter("  ", "\n"));
        try {
            return PLAIN.writer(printer).writeValueAsString(asl) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot print ASL", e);
        }
    }

    private ObjectNode machine() {
        ObjectNode machine = NODES.objectNode();
        machine.put("Comment", "Pipeline " + pipeline.id() + " version " + pipeline.version() + " (" + pipeline.name()
                + "), compiled by Skyloom's pipeline compiler: do not edit, change the YAML.");
        machine.put("QueryLanguage", "JSONata");
        machine.put("StartAt", START);
        start();
        for (Step step : flow.steps()) {
            step(step);
        }
        deferred.forEach(states::set);
        end();
        machine.set("States", states);
        return machine;
    }

    // ------------------------------------------------------------------------------------------------ fixed states

    /**
     * {@code Start} assigns the variables, restoring them from {@code resume.variables} when the execution resumes a
     * failed run; {@code Resume} then goes to {@code resume.from} (a top-level step), else to the first step.
     */
    private void start() {
        ObjectNode start = state("Pass", "The run's context: the execution input is {tenantId, runId, projectId, "
                + "input, scenario, scenarios, resume}; step results accumulate in $steps.");
        ObjectNode assign = start.putObject("Assign");
        assign.put("run", jsonata("$merge([{'projectId': null, 'scenario': null, 'scenarios': {}, 'input': {}}, "
                + "$states.input])"));
        assign.put("steps", jsonata(restored("steps", "{}")));
        if (!retryTargets.isEmpty()) {
            List<String> zeros = new ArrayList<>();
            List<String> blanks = new ArrayList<>();
            for (String id : retryTargets) {
                zeros.add(quote(id) + ": 0");
                blanks.add(quote(id) + ": ''");
            }
            assign.put("attempts", jsonata(restored("attempts", "{" + String.join(", ", zeros) + "}")));
            assign.put("feedback", jsonata(restored("feedback", "{" + String.join(", ", blanks) + "}")));
        }
        if (hasApproval()) {
            assign.put("human", jsonata(restored("human", "{'decision': null, 'feedback': ''}")));
        }
        ObjectNode failure = assign.putObject("failure");
        failure.putNull("stepId");
        failure.put("error", "RUN_FAILED");
        failure.put("cause", "");
        start.put("Next", RESUME);
        states.set(START, start);

        ObjectNode resume = state("Choice", "A run resumed after a failure (POST /runs/{id}/retry) starts again at "
                + "the step that failed, with the results of the steps before it.");
        ArrayNode choices = resume.putArray("Choices");
        for (Step step : flow.steps()) {
            choices.addObject().put("Condition", jsonata("$run.resume.from = " + quote(step.id())))
                    .put("Next", step.id());
        }
        resume.put("Default", flow.first());
        states.set(RESUME, resume);
    }

    /** The variable's value in {@code resume.variables} merged over its initial value. */
    private static String restored(String variable, String initial) {
        return "$merge([" + initial + ", $states.input.resume.variables." + variable + "])";
    }

    private void end() {
        ObjectNode complete = event("RUN_COMPLETE", "Tells the run's followers it completed.", detail -> {
        });
        complete.set("Retry", NODES.arrayNode().add(retrier(List.of("States.ALL"), 1, 3)));
        complete.set("Catch", NODES.arrayNode().add(NODES.objectNode().set("ErrorEquals",
                NODES.arrayNode().add("States.ALL"))));
        ((ObjectNode) complete.get("Catch").get(0)).put("Next", SUCCEEDED);
        complete.put("Next", SUCCEEDED);
        states.set(RUN_COMPLETE, complete);
        ObjectNode succeeded = state("Succeed", null);
        succeeded.put("Output", jsonata("{'steps': $steps}"));
        states.set(SUCCEEDED, succeeded);

        ObjectNode failed = event("RUN_FAILED", "Tells the run's followers which step failed and why, then fails.",
                detail -> {
                    detail.put("stepId", jsonata("$failure.stepId"));
                    detail.put("error", jsonata("$failure.error"));
                    detail.put("cause", jsonata("$failure.cause"));
                });
        failed.set("Retry", NODES.arrayNode().add(retrier(List.of("States.ALL"), 1, 3)));
        failed.set("Catch", NODES.arrayNode().add(NODES.objectNode().set("ErrorEquals",
                NODES.arrayNode().add("States.ALL"))));
        ((ObjectNode) failed.get("Catch").get(0)).put("Next", FAILED);
        failed.put("Next", FAILED);
        states.set(RUN_FAILED, failed);
        ObjectNode fail = state("Fail", null);
        fail.put("Error", jsonata("$string($failure.error)"));
        fail.put("Cause", jsonata("$string($failure.cause)"));
        states.set(FAILED, fail);
    }

    private ObjectNode event(String type, String comment, java.util.function.Consumer<ObjectNode> details) {
        ObjectNode state = state("Task", comment);
        state.put("Resource", "arn:aws:states:::events:putEvents");
        ObjectNode entry = state.putObject("Arguments").putArray("Entries").addObject();
        entry.put("EventBusName", target.eventBusName());
        entry.put("Source", SOURCE);
        entry.put("DetailType", type);
        ObjectNode detail = entry.putObject("Detail");
        detail.put("tenantId", jsonata("$run.tenantId"));
        detail.put("runId", jsonata("$run.runId"));
        detail.put("pipelineId", pipeline.id());
        if (pipeline.version().chars().allMatch(Character::isDigit)) {
            detail.put("pipelineVersion", Long.parseLong(pipeline.version()));
        } else {
            detail.put("pipelineVersion", pipeline.version());
        }
        details.accept(detail);
        return state;
    }

    // ------------------------------------------------------------------------------------------------ steps

    private void step(Step step) {
        ObjectNode last;
        if (step.type() == StepType.COUNCIL) {
            last = council(step);
        } else {
            last = switch (step.type()) {
                case AGENT, GATE -> step.loop() != null ? loop(step) : agentTask(step, Scope.TOP, false);
                case APPROVAL -> approval(step);
                case PARALLEL -> parallel(step);
                case LAMBDA -> lambdaTask(step, Scope.TOP, false);
                case SWARM -> swarm(step);
                case COUNCIL -> throw new IllegalStateException();
            };
            states.set(step.id(), last);
        }
        if (step.type() != StepType.APPROVAL) {
            catchAll(last, step.id());
        }
        boolean routes = !step.actions().isEmpty() || Flow.implicitFailure(step) != null;
        last.put("Next", routes ? step.id() + ".Route" : transition(step, flow.defaultNext(step)));
        if (routes) {
            route(step);
        }
    }

    /** A Task starting agent-step for an agent, gate or council member. */
    private ObjectNode agentTask(Step step, Scope scope, boolean inner) {
        String stepType = step.type() == StepType.GATE ? "gate" : "agent";
        ObjectNode state = state("Task", step.type().yaml() + " step \"" + step.id() + "\": agent " + step.agent()
                + " runs as a child execution of agent-step");
        state.put("Resource", "arn:aws:states:::states:startExecution.sync:2");
        ObjectNode arguments = state.putObject("Arguments");
        arguments.put("StateMachineArn", target.agentStepArn());
        arguments.set("Input", stepSpec(step, step.id(), resolved.agentIds().get(step.agent()), stepType,
                prompt(step, scope), scope.loop() ? jsonata("{'item': $states.input.item, 'index': "
                        + "$states.input.index}") : null));
        timeout(state, step.timeoutSeconds() == null ? null : step.timeoutSeconds() + TIMEOUT_GRACE_SECONDS);
        retry(state, List.of("States.TaskFailed"), step.maxRetries());
        if (inner) {
            state.put("Output", jsonata(scope.branch() ? "$merge([$states.input, {" + quote(step.id()) + ": ("
                    + "$o := $states.result.Output; " + record("$o") + ")}])" : "$states.result.Output"));
        } else {
            state.set("Assign", NODES.objectNode().put("steps", jsonata("$merge([$steps, {" + quote(step.id())
                    + ": ($o := $states.result.Output; " + record("$o") + ")}])")));
        }
        return state;
    }

    private ObjectNode stepSpec(Step step, String stepId, String agentId, String stepType, String prompt,
                                String context) {
        ObjectNode input = NODES.objectNode();
        input.put("tenantId", jsonata("$run.tenantId"));
        input.put("runId", jsonata("$run.runId"));
        input.put("stepId", stepId);
        input.put("agentId", agentId);
        input.put("projectId", jsonata("$run.projectId"));
        input.put("stepType", stepType);
        input.put("prompt", prompt);
        if (context != null) {
            input.put("context", context);
        }
        JsonNode schema = step.effectiveOutputSchema();
        if (schema != null && step.type() != StepType.GATE) {
            input.set("outputSchema", schema);
        }
        ObjectNode limits = NODES.objectNode();
        if (step.maxTurns() != null) {
            limits.put("maxTurns", step.maxTurns());
        }
        if (step.maxOutputTokens() != null) {
            limits.put("maxOutputTokens", step.maxOutputTokens());
        }
        if (step.timeoutSeconds() != null) {
            limits.put("timeoutSeconds", step.timeoutSeconds());
        }
        if (step.budget() != null && step.budget().maxTokens() != null) {
            limits.put("maxTokens", step.budget().maxTokens());
        }
        if (step.budget() != null && step.budget().maxDollars() != null) {
            limits.put("maxDollars", step.budget().maxDollars());
        }
        if (!limits.isEmpty()) {
            input.set("limits", limits);
        }
        String scenarios = "$run.scenarios" + field(step.id());
        input.put("scenario", jsonata("$exists(" + scenarios + ") ? " + scenarios + " : $run.scenario"));
        return input;
    }

    private String prompt(Step step, Scope scope) {
        String prompt = step.input() == null ? "''" : render(step.input(), scope, true);
        if (retryTargets.contains(step.id())) {
            prompt = prompt + " & $feedback" + field(step.id());
        }
        return jsonata(prompt);
    }

    /** How a step's result is kept in $steps: output (structured, else the text), outputs, result, text, usage. */
    private static String record(String o) {
        return "{'output': (" + o + ".output != null ? " + o + ".output : " + o + ".text), 'outputs': " + o
                + ".output, 'result': " + o + ".result, 'text': " + o + ".text, 'usage': " + o
                + ".usage, 'costMicroUsd': " + o + ".costMicroUsd}";
    }

    private ObjectNode loop(Step step) {
        ObjectNode map = state("Map", step.type().yaml() + " step \"" + step.id() + "\" once per item of "
                + step.loop().over() + ", at most " + step.loop().maxConcurrency() + " at a time");
        map.put("Items", jsonata(render(step.loop().over(), Scope.TOP, false)));
        ObjectNode selector = map.putObject("ItemSelector");
        selector.put("item", jsonata("$states.context.Map.Item.Value"));
        selector.put("index", jsonata("$states.context.Map.Item.Index"));
        map.put("MaxConcurrency", step.loop().maxConcurrency());
        ObjectNode processor = map.putObject("ItemProcessor");
        processor.putObject("ProcessorConfig").put("Mode", "INLINE");
        String item = step.id() + ".Item";
        processor.put("StartAt", item);
        ObjectNode task = agentTask(step, Scope.LOOP, true);
        ObjectNode itemStates = processor.putObject("States");
        innerFailure(item, task, quote("step \"" + step.id() + "\" item ") + " & $states.input.index");
        // the item's result keeps its index: LOOP_ITEM_COMPLETE tells it, and steps.<id>.items holds it
        task.put("Output", jsonata("$merge([$states.result.Output, {'index': $states.input.index}])"));
        String done = step.id() + ".ItemDone";
        String kept = step.id() + ".ItemKept";
        task.put("Next", done);
        itemStates.set(item, task);
        itemStates.set(item + ".Failed", failState());
        ObjectNode event = event("LOOP_ITEM_COMPLETE", "tells the run's followers that an item of \"" + step.id()
                + "\" completed; an event that cannot be put never fails the item", detail -> {
                    detail.put("stepId", step.id());
                    detail.put("index", jsonata("$states.input.index"));
                    detail.put("result", jsonata("$states.input.result"));
                });
        event.put("Output", jsonata("$states.input"));
        event.set("Retry", NODES.arrayNode().add(retrier(List.of("States.ALL"), 1, 3)));
        ObjectNode catcher = event.putArray("Catch").addObject();
        catcher.putArray("ErrorEquals").add("States.ALL");
        catcher.put("Output", jsonata("$states.input"));
        catcher.put("Next", kept);
        event.put("End", true);
        itemStates.set(done, event);
        ObjectNode pass = state("Pass", "the item's result, without its event");
        pass.put("End", true);
        itemStates.set(kept, pass);
        map.set("Assign", NODES.objectNode().put("steps", jsonata("$merge([$steps, {" + quote(step.id())
                + ": {'output': [$map($states.result, function($o) {($o.output != null ? $o.output : $o.text)})], "
                + "'items': [$states.result]}}])")));
        return map;
    }

    private ObjectNode approval(Step step) {
        ObjectNode state = state("Task", "approval step \"" + step.id() + "\": waits for a person's decision "
                + "(POST /runs/{id}/approvals/" + step.id() + ") on a task token");
        state.put("Resource", "arn:aws:states:::events:putEvents.waitForTaskToken");
        ObjectNode entry = state.putObject("Arguments").putArray("Entries").addObject();
        entry.put("EventBusName", target.eventBusName());
        entry.put("Source", SOURCE);
        entry.put("DetailType", "APPROVAL_REQUIRED");
        ObjectNode detail = entry.putObject("Detail");
        detail.put("tenantId", jsonata("$run.tenantId"));
        detail.put("runId", jsonata("$run.runId"));
        detail.put("pipelineId", pipeline.id());
        detail.put("stepId", step.id());
        detail.put("taskToken", jsonata("$states.context.Task.Token"));
        detail.put("message", step.input() == null ? "" : jsonata(render(step.input(), Scope.TOP, true)));
        if (step.escalateTo() != null) {
            detail.put("escalateTo", step.escalateTo());
        }
        detail.put("timeoutSeconds", step.timeoutSeconds());
        state.put("TimeoutSeconds", step.timeoutSeconds());
        if (step.heartbeatSeconds() != null) {
            state.put("HeartbeatSeconds", step.heartbeatSeconds());
        }
        ObjectNode assign = state.putObject("Assign");
        assign.put("human", jsonata("{'decision': $states.result.decision, 'feedback': ($exists($states.result"
                + ".comment) ? $string($states.result.comment) : ''), 'by': $states.result.by}"));
        assign.put("steps", jsonata("$merge([$steps, {" + quote(step.id()) + ": {'output': $states.result.comment, "
                + "'result': ($states.result.decision = 'approve' ? 'APPROVED' : 'REJECTED'), 'text': "
                + "$states.result.comment, 'by': $states.result.by}}])"));
        ArrayNode catches = state.putArray("Catch");
        ObjectNode timeout = catches.addObject();
        timeout.putArray("ErrorEquals").add("States.Timeout").add("States.HeartbeatTimeout");
        timeout.putObject("Assign").put("failure", jsonata("{'stepId': " + quote(step.id()) + ", 'error': "
                + "'APPROVAL_TIMEOUT', 'cause': " + quote("no decision within " + step.timeoutSeconds()
                + " seconds" + (step.escalateTo() == null ? "" : "; escalated to " + step.escalateTo())) + "}"));
        timeout.put("Next", RUN_FAILED);
        catchAll(state, step.id());
        return state;
    }

    /**
     * A council registers its states itself and answers the last one: vote → {@code id} (Parallel of members);
     * broadcast → {@code id} (members), {@code id.Leader}; decompose → {@code id} (the leader splits the task),
     * {@code id.Members}, {@code id.Leader}.
     */
    private ObjectNode council(Step step) {
        PipelineIr.Council council = step.council();
        String strategy = council.strategy();
        int n = council.members().size();
        String input = step.input() == null ? "''" : render(step.input(), Scope.TOP, true);
        String membersName = strategy.equals("decompose") ? step.id() + ".Members" : step.id();
        if (strategy.equals("decompose")) {
            ObjectNode plan = councilTask(step, council.leader(), step.id() + "-plan", jsonata(input + " & "
                    + quote("\n\nSplit this task into exactly " + n + " independent parts, one per council member, "
                    + "and call complete_step with output {\"parts\": [" + n + " strings]}.")), planSchema(n));
            plan.put("Comment", "council \"" + step.id() + "\" (decompose): leader " + council.leader()
                    + " splits the task into " + n + " parts");
            plan.set("Assign", NODES.objectNode().put("steps", jsonata("$merge([$steps, {" + quote(step.id())
                    + ": {'plan': $states.result.Output.output}}])")));
            catchAll(plan, step.id());
            plan.put("Next", membersName);
            states.set(step.id(), plan);
        }
        ObjectNode parallel = state("Parallel", "council \"" + step.id() + "\" (" + strategy + "): members "
                + String.join(", ", council.members()) + " answer at once; " + (strategy.equals("vote")
                ? "the majority of their results decides (a tie goes to the value first in alphabetical order)"
                : "then leader " + council.leader() + " synthesises"));
        ArrayNode branches = parallel.putArray("Branches");
        for (int i = 0; i < n; i++) {
            String member = council.members().get(i);
            String name = step.id() + ".Member" + (i + 1);
            String prompt = input;
            if (strategy.equals("decompose")) {
                prompt += " & " + quote("\n\nYour part: ") + " & $string($steps" + field(step.id()) + ".plan.parts["
                        + i + "])";
            } else if (strategy.equals("vote")) {
                prompt += " & " + quote("\n\nCast your vote: call complete_step with your choice as result (one "
                        + "word, such as APPROVE or REJECT) and your reasons as text.");
            }
            ObjectNode task = councilTask(step, member, step.id() + "-" + (i + 1), jsonata(prompt),
                    strategy.equals("vote") ? null : step.effectiveOutputSchema());
            task.put("Output", jsonata("$merge([{'agent': " + quote(member) + "}, $states.result.Output])"));
            ObjectNode branch = branches.addObject();
            branch.put("StartAt", name);
            ObjectNode memberStates = branch.putObject("States");
            innerFailure(name, task, quote("council \"" + step.id() + "\" member " + member));
            task.put("End", true);
            memberStates.set(name, task);
            memberStates.set(name + ".Failed", failState());
        }
        states.set(membersName, parallel);
        if (strategy.equals("vote")) {
            parallel.set("Assign", NODES.objectNode().put("steps", jsonata("($v := $map($states.result, "
                    + "function($m) {$string($m.result)}); $counts := $map($distinct($v), function($x) {{'vote': $x, "
                    + "'n': $count($filter($v, function($y) {$y = $x}))}}); $top := $sort($counts, function($a, $b) "
                    + "{$a.n < $b.n or ($a.n = $b.n and $a.vote > $b.vote)})[0]; $merge([$steps, {"
                    + quote(step.id()) + ": {'output': $top.vote, 'result': $top.vote, 'text': $join($map("
                    + "$states.result, function($m) {$m.agent & ': ' & $string($m.result) & ' - ' & "
                    + "$string($m.text)}), '\\n'), 'votes': $states.result}}]))")));
            return parallel;
        }
        parallel.set("Assign", NODES.objectNode().put("steps", jsonata("$merge([$steps, {" + quote(step.id())
                + ": $merge([$lookup($steps, " + quote(step.id()) + "), {'members': $states.result}])}])")));
        catchAll(parallel, step.id());
        String leaderName = step.id() + ".Leader";
        parallel.put("Next", leaderName);
        ObjectNode leader = councilTask(step, council.leader(), step.id(), jsonata(input + " & "
                + quote("\n\nThe council members answered:\n") + " & $join($map($steps" + field(step.id())
                + ".members, function($m) {'## ' & $m.agent & '\\n' & $string($m.output != null ? $m.output : "
                + "$m.text)}), '\\n\\n') & " + quote("\n\nSynthesise one answer from theirs.")),
                step.effectiveOutputSchema());
        leader.put("Comment", "council \"" + step.id() + "\": leader " + council.leader()
                + " synthesises the members' answers");
        leader.set("Assign", NODES.objectNode().put("steps", jsonata("$merge([$steps, {" + quote(step.id())
                + ": ($o := $states.result.Output; $merge([" + record("$o") + ", {'members': $steps"
                + field(step.id()) + ".members}]))}])")));
        states.set(leaderName, leader);
        return leader;
    }

    private ObjectNode councilTask(Step step, String agent, String stepId, String prompt, JsonNode schema) {
        ObjectNode state = state("Task", null);
        state.put("Resource", "arn:aws:states:::states:startExecution.sync:2");
        ObjectNode arguments = state.putObject("Arguments");
        arguments.put("StateMachineArn", target.agentStepArn());
        Step shaped = new Step(step.id(), StepType.COUNCIL, step.path(), agent, step.input(), null, schema, null,
                null, null, step.maxRetries(), step.timeoutSeconds(), step.maxTurns(), step.maxOutputTokens(),
                step.budget(), null, null, null, null, null, null, null);
        arguments.set("Input", stepSpec(shaped, stepId, resolved.agentIds().get(agent), "council", prompt, null));
        timeout(state, step.timeoutSeconds() == null ? null : step.timeoutSeconds() + TIMEOUT_GRACE_SECONDS);
        retry(state, List.of("States.TaskFailed"), step.maxRetries());
        return state;
    }

    private static ObjectNode planSchema(int parts) {
        ObjectNode schema = NODES.objectNode().put("type", "object");
        schema.putArray("required").add("parts");
        ObjectNode array = schema.putObject("properties").putObject("parts");
        array.put("type", "array").put("minItems", parts).put("maxItems", parts);
        array.putObject("items").put("type", "string");
        return schema;
    }

    private ObjectNode parallel(Step step) {
        ObjectNode parallel = state("Parallel", "parallel step \"" + step.id() + "\": " + step.branches().size()
                + " branches at once; each branch's step results are merged into $steps");
        parallel.putObject("Arguments");
        ArrayNode branches = parallel.putArray("Branches");
        for (List<Step> branch : step.branches()) {
            ObjectNode b = branches.addObject();
            b.put("StartAt", branch.getFirst().id());
            ObjectNode inner = b.putObject("States");
            List<String> earlier = new ArrayList<>();
            for (int i = 0; i < branch.size(); i++) {
                Step s = branch.get(i);
                Scope scope = new Scope(false, true, Set.copyOf(earlier));
                ObjectNode task = s.type() == StepType.LAMBDA ? lambdaTask(s, scope, true) : agentTask(s, scope, true);
                innerFailure(s.id(), task, quote("step \"" + s.id() + "\""));
                if (i + 1 < branch.size()) {
                    task.put("Next", branch.get(i + 1).id());
                } else {
                    task.put("End", true);
                }
                inner.set(s.id(), task);
                earlier.add(s.id());
            }
            for (Step s : branch) {
                inner.set(s.id() + ".Failed", failState());
            }
        }
        parallel.set("Assign", NODES.objectNode().put("steps", jsonata("$merge($append($append([$steps], "
                + "$states.result), [{" + quote(step.id()) + ": {'output': $merge($states.result)}}]))")));
        return parallel;
    }

    private ObjectNode lambdaTask(Step step, Scope scope, boolean inner) {
        ObjectNode state = state("Task", "lambda step \"" + step.id() + "\": function " + step.function());
        state.put("Resource", "arn:aws:states:::lambda:invoke");
        ObjectNode arguments = state.putObject("Arguments");
        arguments.put("FunctionName", target.functions().getOrDefault(step.function(), step.function()));
        ObjectNode payload = arguments.putObject("Payload");
        payload.put("tenantId", jsonata("$run.tenantId"));
        payload.put("runId", jsonata("$run.runId"));
        payload.put("stepId", step.id());
        payload.put("function", step.function());
        if (step.input() != null) {
            payload.put("input", jsonata(render(step.input(), scope, false)));
        }
        if (step.parameters() != null) {
            payload.set("parameters", parameters(step.parameters(), scope));
        }
        timeout(state, step.timeoutSeconds());
        ArrayNode retries = state.putArray("Retry");
        retries.add(retrier(List.of("Lambda.ServiceException", "Lambda.AWSLambdaException",
                "Lambda.SdkClientException", "Lambda.TooManyRequestsException"), 1, 3));
        if (step.maxRetries() > 0) {
            retries.add(retrier(List.of("States.ALL"), 2, step.maxRetries()));
        }
        String result = "{'output': $states.result.Payload, 'outputs': $states.result.Payload, 'result': "
                + "$states.result.Payload.result}";
        if (inner) {
            state.put("Output", jsonata("$merge([$states.input, {" + quote(step.id()) + ": " + result + "}])"));
        } else {
            state.set("Assign", NODES.objectNode().put("steps", jsonata("$merge([$steps, {" + quote(step.id())
                    + ": " + result + "}])")));
        }
        return state;
    }

    private JsonNode parameters(JsonNode node, Scope scope) {
        if (node.isTextual()) {
            return node.asText().contains("{{") ? NODES.textNode(jsonata(render(node.asText(), scope, false)))
                    : NODES.textNode(literal(node.asText()));
        }
        if (node.isObject()) {
            ObjectNode object = NODES.objectNode();
            node.properties().forEach(e -> object.set(e.getKey(), parameters(e.getValue(), scope)));
            return object;
        }
        if (node.isArray()) {
            ArrayNode array = NODES.arrayNode();
            node.forEach(item -> array.add(parameters(item, scope)));
            return array;
        }
        return node;
    }

    /**
     * A swarm step starts the swarm state machine ({@code statemachines/swarm.asl.json}, decision 0700) with the
     * input its Init accepts: {@code {tenantId, swarmId, runId, stepId, projectId, scenario, swarm: {tasks: [{key,
     * title, prompt, agentId, dependencies, timeoutSeconds, model}], maxConcurrent, failurePolicy,
     * globalTimeoutSeconds, budget}}}, agents resolved at compile time. The swarm id is the run's id, the step's and
     * the milliseconds the state was entered (the context object's {@code State.EnteredTime}: the same for a
     * re-evaluation of the same entry, new when the run goes back to the step, so that starts a new swarm). Its output is the swarm's summary.
     */
    private ObjectNode swarm(Step step) {
        dev.skyloom.core.swarm.SwarmSpec spec = resolved.swarms().get(step.id());
        ObjectNode state = state("Task", "swarm step \"" + step.id() + "\": runs the swarm state machine with the "
                + "step's tasks; its output is the swarm's summary");
        state.put("Resource", "arn:aws:states:::states:startExecution.sync:2");
        ObjectNode arguments = state.putObject("Arguments");
        arguments.put("StateMachineArn", target.swarmArn());
        ObjectNode input = arguments.putObject("Input");
        input.put("tenantId", jsonata("$run.tenantId"));
        input.put("swarmId", jsonata("$run.runId & " + quote("-" + step.id() + "-")
                + " & $string($toMillis($states.context.State.EnteredTime))"));
        input.put("runId", jsonata("$run.runId"));
        input.put("stepId", step.id());
        input.put("projectId", jsonata("$run.projectId"));
        String scenarios = "$run.scenarios" + field(step.id());
        input.put("scenario", jsonata("$exists(" + scenarios + ") ? " + scenarios + " : $run.scenario"));
        ObjectNode swarm = input.putObject("swarm");
        ArrayNode tasks = swarm.putArray("tasks");
        JsonNode given = step.swarm().path("tasks");
        for (int i = 0; i < spec.tasks().size(); i++) {
            dev.skyloom.core.swarm.SwarmTask task = spec.tasks().get(i);
            ObjectNode t = tasks.addObject();
            t.put("key", task.key());
            t.put("title", literal(task.title()));
            t.put("prompt", swarmPrompt(task.prompt()));
            t.put("agentId", task.agentId());
            ArrayNode dependencies = t.putArray("dependencies");
            task.dependencies().forEach(dependencies::add);
            t.put("timeoutSeconds", task.timeoutSeconds());
            // what else the validator accepted (a task's model, ...) goes to the swarm as written
            given.get(i).properties().forEach(e -> {
                if (!t.has(e.getKey()) && !e.getKey().equals("agent")) {
                    t.set(e.getKey(), literalValue(e.getValue()));
                }
            });
        }
        swarm.put("maxConcurrent", spec.maxConcurrent());
        swarm.put("failurePolicy", spec.failurePolicy().wire());
        swarm.put("globalTimeoutSeconds", spec.globalTimeoutSeconds());
        step.swarm().properties().forEach(e -> {
            if (!swarm.has(e.getKey())) {
                swarm.set(e.getKey(), literalValue(e.getValue()));
            }
        });
        timeout(state, step.timeoutSeconds());
        state.set("Assign", NODES.objectNode().put("steps", jsonata("$merge([$steps, {" + quote(step.id())
                + ": ($o := $states.result.Output; {'output': $o, 'outputs': $o, 'result': $o.status, 'text': "
                + "$o.summaryText})}])")));
        return state;
    }

    /** A value written as given: strings that would read as JSONata ({@code {% ... %}}) are quoted. */
    private static JsonNode literalValue(JsonNode node) {
        if (node.isTextual()) {
            return NODES.textNode(literal(node.asText()));
        }
        if (node.isObject()) {
            ObjectNode object = NODES.objectNode();
            node.properties().forEach(e -> object.set(e.getKey(), literalValue(e.getValue())));
            return object;
        }
        if (node.isArray()) {
            ArrayNode array = NODES.arrayNode();
            node.forEach(item -> array.add(literalValue(item)));
            return array;
        }
        return node;
    }

    /** A task's prompt: literal, or a JSONata string of the pipeline's templates that keeps {@code {{deps.*}}}. */
    private static String swarmPrompt(String prompt) {
        if (!CrossReferences.withoutDeps(prompt).contains("{{")) {
            return literal(prompt);
        }
        List<String> parts = new ArrayList<>();
        java.util.regex.Matcher m = CrossReferences.DEPS_REF.matcher(prompt);
        int at = 0;
        while (m.find()) {
            if (m.start() > at) {
                parts.add("(" + render(prompt.substring(at, m.start()), Scope.TOP, true) + ")");
            }
            parts.add(quote(m.group()));
            at = m.end();
        }
        if (at < prompt.length()) {
            parts.add("(" + render(prompt.substring(at), Scope.TOP, true) + ")");
        }
        return jsonata(String.join(" & ", parts));
    }

    // ------------------------------------------------------------------------------------------------ routing

    /** The Choice after a step with onResult (or a gate's or approval's implicit failure). */
    private void route(Step step) {
        ObjectNode choice = state("Choice", "routes on the result of \"" + step.id() + "\"");
        ArrayNode choices = choice.putArray("Choices");
        Map<String, Action> actions = new LinkedHashMap<>(step.actions());
        String implicit = Flow.implicitFailure(step);
        if (implicit != null && !actions.containsKey(implicit)) {
            actions.put(implicit, new Action(implicit, step.path(), null, false, null, null));
        }
        String result = "$steps" + field(step.id()) + ".result";
        String defaultNext = flow.defaultNext(step);
        int index = 0;
        String failureNext = null;
        for (Action action : actions.values()) {
            index++;
            String condition = result + " = " + quote(action.value());
            String next;
            if (action.gotoStep() != null) {
                next = transition(step, action.gotoStep());
            } else if (action.retry()) {
                next = transition(step, step.id());
            } else if (action.message() != null) {
                next = valueState(step, action, index);
                ObjectNode notify = event("STEP_NOTIFY", "onResult " + action.value() + " of \"" + step.id()
                        + "\": a notification, then on as usual", detail -> {
                            detail.put("stepId", step.id());
                            detail.put("result", action.value());
                            detail.put("message", jsonata(render(action.message(), Scope.TOP, true)));
                        });
                notify.set("Catch", NODES.arrayNode().add(NODES.objectNode().set("ErrorEquals",
                        NODES.arrayNode().add("States.ALL"))));
                ((ObjectNode) notify.get("Catch").get(0)).put("Next", transition(step, defaultNext));
                notify.put("Next", transition(step, defaultNext));
                deferred.put(next, notify);
            } else {
                next = valueState(step, action, index);
                String error = action.fail() != null ? "STEP_RESULT_FAIL"
                        : step.type() == StepType.GATE ? "GATE_FAILED" : "APPROVAL_REJECTED";
                String cause = action.fail() != null && !action.fail().isEmpty() ? quote(action.fail())
                        : quote("step \"" + step.id() + "\" answered " + action.value() + (step.type()
                        == StepType.APPROVAL ? "" : ": ")) + (step.type() == StepType.APPROVAL
                        ? " & ($human.feedback != '' ? ': ' & $human.feedback : '')"
                        : " & $string($steps" + field(step.id()) + ".text)");
                ObjectNode fail = state("Pass", "onResult " + action.value() + " of \"" + step.id()
                        + "\" fails the run");
                fail.putObject("Assign").put("failure", jsonata("{'stepId': " + quote(step.id()) + ", 'error': "
                        + quote(error) + ", 'cause': " + cause + "}"));
                fail.put("Next", RUN_FAILED);
                deferred.put(next, fail);
            }
            choices.addObject().put("Condition", jsonata(condition)).put("Next", next);
            if (action.value().equals(implicit)) {
                failureNext = next;
            }
        }
        // a gate or approval whose every answer is handled never takes the default: an unexpected value fails
        choice.put("Default", flow.defaultTaken(step) || failureNext == null ? transition(step, defaultNext)
                : failureNext);
        states.set(step.id() + ".Route", choice);
    }

    private static String valueState(Step step, Action action, int index) {
        String name = step.id() + ".on." + action.value();
        return name.length() <= 80 ? name : step.id() + ".on." + index;
    }

    /**
     * The state a transition from {@code from} to {@code to} enters: the step, the end, or — when it goes back to
     * itself or an earlier step — a Choice that counts the attempt against the target's maxRetries and passes the
     * source's text on as feedback.
     */
    private String transition(Step from, String to) {
        if (to.equals(Flow.END)) {
            return RUN_COMPLETE;
        }
        if (!flow.backward(from, to)) {
            return to;
        }
        Step target = flow.steps().get(flow.indexOf(to));
        String check = from.id() + ".back." + to;
        if (deferred.containsKey(check)) {
            return check;
        }
        String again = from.id() + ".again." + to;
        String exhausted = to + ".Exhausted";
        ObjectNode choice = state("Choice", "\"" + from.id() + "\" goes back to \"" + to + "\": at most "
                + target.maxRetries() + " time" + (target.maxRetries() == 1 ? "" : "s"));
        choice.putArray("Choices").addObject().put("Condition", jsonata("$attempts" + field(to) + " >= "
                + target.maxRetries())).put("Next", exhausted);
        choice.put("Default", again);
        deferred.put(check, choice);
        ObjectNode pass = state("Pass", null);
        ObjectNode assign = pass.putObject("Assign");
        assign.put("attempts", jsonata("$merge([$attempts, {" + quote(to) + ": $attempts" + field(to) + " + 1}])"));
        assign.put("feedback", jsonata("$merge([$feedback, {" + quote(to) + ": " + quote("\n\n[RETRY ")
                + " & ($attempts" + field(to) + " + 1) & " + quote("/" + target.maxRetries() + "] ")
                + " & $string($steps" + field(from.id()) + ".text)}])"));
        pass.put("Next", to);
        deferred.put(again, pass);
        if (!deferred.containsKey(exhausted)) {
            ObjectNode fail = state("Pass", "\"" + to + "\" has run again " + target.maxRetries() + " time"
                    + (target.maxRetries() == 1 ? "" : "s") + " already");
            fail.putObject("Assign").put("failure", jsonata("{'stepId': " + quote(to) + ", 'error': "
                    + "'RETRIES_EXHAUSTED', 'cause': " + quote("step \"" + to + "\" ran " + (target.maxRetries() + 1)
                    + " times (maxRetries " + target.maxRetries() + ") without going on; the last feedback: ")
                    + " & $string($steps" + field(from.id()) + ".text)}"));
            fail.put("Next", RUN_FAILED);
            deferred.put(exhausted, fail);
        }
        return check;
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /**
     * A state inside a branch or a loop iteration cannot assign the run's {@code $failure}: its failure is re-thrown
     * by {@code <name>.Failed} with the cause prefixed by {@code label} (which step, item or member), and the
     * enclosing state's catcher reports it.
     */
    private static void innerFailure(String name, ObjectNode task, String label) {
        ObjectNode c = task.putArray("Catch").addObject();
        c.putArray("ErrorEquals").add("States.ALL");
        c.put("Output", jsonata("{'Error': $states.errorOutput.Error, 'Cause': " + label
                + " & ': ' & $string($states.errorOutput.Cause)}"));
        c.put("Next", name + ".Failed");
    }

    private static ObjectNode failState() {
        ObjectNode fail = state("Fail", null);
        fail.put("Error", jsonata("$string($states.input.Error)"));
        fail.put("Cause", jsonata("$string($states.input.Cause)"));
        return fail;
    }

    private void catchAll(ObjectNode state, String stepId) {
        ArrayNode catches = state.has("Catch") ? (ArrayNode) state.get("Catch") : state.putArray("Catch");
        ObjectNode c = catches.addObject();
        c.putArray("ErrorEquals").add("States.ALL");
        c.putObject("Assign").put("failure", jsonata("{'stepId': " + quote(stepId) + ", 'error': "
                + "$states.errorOutput.Error, 'cause': $states.errorOutput.Cause}"));
        c.put("Next", RUN_FAILED);
    }

    private static void retry(ObjectNode state, List<String> errors, int maxRetries) {
        if (maxRetries > 0) {
            state.putArray("Retry").add(retrier(errors, 5, maxRetries));
        }
    }

    private static ObjectNode retrier(List<String> errors, int interval, int attempts) {
        ObjectNode retrier = NODES.objectNode();
        ArrayNode equals = retrier.putArray("ErrorEquals");
        errors.forEach(equals::add);
        retrier.put("IntervalSeconds", interval);
        retrier.put("MaxAttempts", attempts);
        retrier.put("BackoffRate", 2.0);
        retrier.put("JitterStrategy", "FULL");
        return retrier;
    }

    private static void timeout(ObjectNode state, Integer seconds) {
        if (seconds != null) {
            state.put("TimeoutSeconds", seconds);
        }
    }

    private static ObjectNode state(String type, String comment) {
        ObjectNode state = NODES.objectNode();
        state.put("Type", type);
        if (comment != null) {
            state.put("Comment", comment);
        }
        return state;
    }

    private boolean hasApproval() {
        return flow.steps().stream().anyMatch(s -> s.type() == StepType.APPROVAL);
    }

    /** Where a template may look: top level ($steps), a loop iteration, a parallel branch. */
    record Scope(boolean loop, boolean branch, Set<String> branchLocal) {
        static final Scope TOP = new Scope(false, false, Set.of());
        static final Scope LOOP = new Scope(true, false, Set.of());
    }

    /**
     * A template as one JSONata expression: text parts as string literals, references as paths, joined with
     * {@code &} (which turns objects into JSON). A template that is one reference keeps the value's type unless
     * {@code asString}.
     */
    static String render(String text, Scope scope, boolean asString) {
        Template template = Template.parse(text, new ArrayList<>());
        if (template.parts().isEmpty()) {
            return "''";
        }
        if (template.isSingleRef()) {
            String path = path((Template.Ref) template.parts().getFirst(), scope);
            return asString ? "$string(" + path + ")" : path;
        }
        List<String> parts = new ArrayList<>();
        for (Template.Part part : template.parts()) {
            parts.add(part instanceof Template.Text t ? quote(t.text()) : path((Template.Ref) part, scope));
        }
        return String.join(" & ", parts);
    }

    private static String path(Template.Ref ref, Scope scope) {
        StringBuilder path = new StringBuilder();
        List<String> rest = ref.path();
        switch (ref.root()) {
            case "run" -> path.append("$run");
            case "human" -> path.append("$human");
            case "loop" -> path.append("$states.input");
            default -> {
                path.append(scope.branchLocal().contains(ref.step()) ? "$states.input" : "$steps");
                path.append(field(ref.step()));
            }
        }
        for (String segment : rest) {
            path.append(Character.isDigit(segment.charAt(0)) ? "[" + segment + "]" : field(segment));
        }
        return path.toString();
    }

    static String field(String name) {
        return IDENTIFIER.matcher(name).matches() ? "." + name : ".`" + name + "`";
    }

    /** A JSONata string literal. */
    static String quote(String text) {
        StringBuilder out = new StringBuilder("'");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\'' -> out.append("\\u0027");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '%' -> out.append("\\u0025");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('\'').toString();
    }

    /** A literal string value that the engines would otherwise take for a JSONata expression. */
    private static String literal(String text) {
        return text.startsWith("{%") && text.endsWith("%}") ? jsonata(quote(text)) : text;
    }

    static String jsonata(String expression) {
        return "{% " + expression + " %}";
    }
}
