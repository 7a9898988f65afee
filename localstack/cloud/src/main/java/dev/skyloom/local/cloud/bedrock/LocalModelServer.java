package dev.skyloom.local.cloud.bedrock;

import dev.skyloom.local.cloud.bedrock.Scenario.Turn;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Decides what the local model answers to a Converse call: the scripted turn of a scenario, an injected error, or
 * the deterministic default model. Thread-safe.
 *
 * <p>Scenario: request metadata {@code skyloom:scenario}, else a model id {@code skyloom.scenario.<name>}; no
 * scenario means the default model. Agent: {@code skyloom:agent}. Turn: {@code skyloom:turn} (1-based), else the
 * number of assistant messages in the conversation plus one, so that any Bedrock client can replay a script.
 * Visit (which script of an agent with {@code visits}): {@code skyloom:visit} (1-based), else the order in which the
 * step's agent-step executions ({@code skyloom:execution}) first called the model in the run ({@code skyloom:run},
 * {@code skyloom:step}, agent), else 1. Injected errors count attempts per (scenario, {@code skyloom:run},
 * {@code skyloom:step}, agent, turn), and per visit in a script with visits.
 */
public final class LocalModelServer {
    // The literal values of dev.skyloom.core.agent.model.ModelRequest.META_*: the local cloud may not depend on the
    // functions modules (the enforcer bans it), so the keys are repeated here. Keep them in step.
    static final String META_SCENARIO = "skyloom:scenario";
    static final String META_AGENT = "skyloom:agent";
    static final String META_TURN = "skyloom:turn";
    static final String META_RUN = "skyloom:run";
    static final String META_STEP = "skyloom:step";
    static final String META_EXECUTION = "skyloom:execution";
    /** Not sent by the platform: a client may name the visit itself (a test, a boto3 script). */
    static final String META_VISIT = "skyloom:visit";
    /** Model ids of this form pick a scenario without request metadata. */
    public static final String SCENARIO_MODEL_PREFIX = "skyloom.scenario.";

    private final ScenarioLibrary library;
    private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> calls = new ConcurrentHashMap<>();
    /** Per (run, step, agent): its executions in the order of their first model call, numbered from 1. */
    private final Map<String, Map<String, Integer>> executions = new ConcurrentHashMap<>();

    public LocalModelServer(Path modelsDir) {
        this.library = new ScenarioLibrary(modelsDir);
    }

    public Path modelsDir() {
        return library.dir();
    }

    ModelAnswer answer(ConverseCall call) {
        long turn = turnOf(call);
        String scenarioName = call.metadata().get(META_SCENARIO);
        if ((scenarioName == null || scenarioName.isBlank()) && call.modelId().startsWith(SCENARIO_MODEL_PREFIX)) {
            scenarioName = call.modelId().substring(SCENARIO_MODEL_PREFIX.length());
        }
        if (scenarioName == null || scenarioName.isBlank()) {
            return DefaultModel.answer(call);
        }
        Scenario scenario;
        try {
            scenario = library.get(scenarioName);
        } catch (Scenario.InvalidScenarioException e) {
            throw BedrockException.validation("The scenario file is invalid: " + e.getMessage());
        }
        String agent = call.metadata().get(META_AGENT);
        Scenario.AgentScript agentScript = scenario.scriptOf(agent);
        long visit = agentScript.visits().isEmpty() ? 0 : visitOf(call, agent);

        String key = String.join("|", scenario.name(), call.metadata().getOrDefault(META_RUN, ""),
                call.metadata().getOrDefault(META_STEP, ""), agent == null ? "" : agent, Long.toString(turn),
                Long.toString(visit));
        int attempt = attempts.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        long n = calls.computeIfAbsent(scenario.name(), k -> new AtomicLong()).incrementAndGet();
        Scenario.Throttle throttle = scenario.throttle();
        if (throttle.everyNthCall() > 0 && n % throttle.everyNthCall() == 0) {
            throw new BedrockException("ThrottlingException", "Too many requests, please wait before trying again. "
                    + "(Injected: call " + n + " of scenario '" + scenario.name() + "', which throttles every "
                    + throttle.everyNthCall() + ". call)");
        }
        if (throttle.firstAttempt() && attempt == 1) {
            throw new BedrockException("ThrottlingException", "Too many requests, please wait before trying again. "
                    + "(Injected: first attempt of turn " + turn + " in scenario '" + scenario.name() + "')");
        }
        Scenario.AgentScript script = agentScript.visit(visit, scenario.name(), agent == null ? "*" : agent);
        if (script == null) {
            return DefaultModel.answer(call);
        }
        Turn scripted = script.turn(turn, scenario.name(), agent == null ? "*" : agent);
        if (scripted == null) {
            return DefaultModel.answer(call);
        }
        Scenario.InjectedError error = scripted.errorOf(attempt);
        if (error != null) {
            throw new BedrockException(error.type(), error.message() + " (attempt " + attempt + " of turn " + turn
                    + "; the first " + scripted.failingAttempts() + " fail)");
        }
        return answerOf(call, scripted);
    }

    private static ModelAnswer answerOf(ConverseCall call, Turn turn) {
        List<ModelAnswer.Block> content = new ArrayList<>();
        if (turn.text() != null && !turn.text().isEmpty()) {
            content.add(new ModelAnswer.Text(turn.text()));
        }
        for (int i = 0; i < turn.toolCalls().size(); i++) {
            Scenario.ToolCall tool = turn.toolCalls().get(i);
            content.add(DefaultModel.toolUse(call, i, tool.name(), tool.input()));
        }
        ModelAnswer.Usage estimate = DefaultModel.estimate(call, content);
        ModelAnswer.Usage usage = estimate;
        Scenario.Usage declared = turn.usage();
        if (declared != null) {
            usage = new ModelAnswer.Usage(
                    declared.inputTokens() != null ? declared.inputTokens() : estimate.inputTokens(),
                    declared.outputTokens() != null ? declared.outputTokens() : estimate.outputTokens(),
                    declared.cacheReadInputTokens() != null ? declared.cacheReadInputTokens() : 0,
                    declared.cacheWriteInputTokens() != null ? declared.cacheWriteInputTokens() : 0);
        }
        return new ModelAnswer(content, turn.stopReason(), usage, turn.delayMs());
    }

    /**
     * The 1-based visit of the step this call belongs to: {@code skyloom:visit} when the client names it, else the
     * rank of {@code skyloom:execution} among the executions of the same run, step and agent (each goto back, retry
     * or resumed run starts a new agent-step execution; a retried turn keeps its execution), else 1.
     */
    private long visitOf(ConverseCall call, String agent) {
        String visit = call.metadata().get(META_VISIT);
        if (visit != null) {
            return positive(visit, META_VISIT, "the visit must be a whole number >= 1 (1-based)");
        }
        String execution = call.metadata().get(META_EXECUTION);
        if (execution == null || execution.isBlank()) {
            return 1;
        }
        String key = String.join("|", call.metadata().getOrDefault(META_RUN, ""),
                call.metadata().getOrDefault(META_STEP, ""), agent == null ? "" : agent);
        Map<String, Integer> seen = executions.computeIfAbsent(key, k -> new java.util.HashMap<>());
        synchronized (seen) {
            return seen.computeIfAbsent(execution, e -> seen.size() + 1);
        }
    }

    private static long positive(String value, String field, String problem) {
        try {
            long parsed = Long.parseLong(value.strip());
            if (parsed >= 1) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw BedrockException.field("requestMetadata." + field, problem + "; was '" + value + "'");
    }

    private static long turnOf(ConverseCall call) {
        String turn = call.metadata().get(META_TURN);
        if (turn == null) {
            return call.assistantMessages() + 1;
        }
        return positive(turn, META_TURN, "the turn must be a whole number >= 1 (1-based)");
    }
}
