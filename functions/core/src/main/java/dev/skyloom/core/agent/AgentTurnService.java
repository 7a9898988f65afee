package dev.skyloom.core.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.core.agent.TurnState.StepError;
import dev.skyloom.core.agent.TurnState.StepResult;
import dev.skyloom.core.agent.model.ContentBlock;
import dev.skyloom.core.agent.model.Message;
import dev.skyloom.core.agent.model.ModelClient;
import dev.skyloom.core.agent.model.ModelException;
import dev.skyloom.core.agent.model.ModelRequest;
import dev.skyloom.core.agent.model.ModelResponse;
import dev.skyloom.core.agent.model.Role;
import dev.skyloom.core.agent.model.StopReason;
import dev.skyloom.core.agent.model.TokenUsage;
import dev.skyloom.core.agent.model.ToolSpec;
import dev.skyloom.core.agent.tools.CompleteStepTool;
import dev.skyloom.core.agent.tools.Tool;
import dev.skyloom.core.agent.tools.ToolContext;
import dev.skyloom.core.agent.tools.ToolResult;
import dev.skyloom.core.api.ApiError;
import dev.skyloom.core.api.Json;
import dev.skyloom.core.identity.Principal;
import dev.skyloom.core.identity.TenantId;
import dev.skyloom.core.resources.Agent;
import dev.skyloom.core.resources.AgentService;
import dev.skyloom.core.resources.Skill;
import dev.skyloom.core.resources.SkillService;
import dev.skyloom.core.usage.LlmCall;
import dev.skyloom.core.usage.LlmCallStore;
import dev.skyloom.core.usage.UsageGroup;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One turn of an agent step: the body of the AgentTurn function, called again and again by
 * {@code statemachines/agent-step.asl.json} until it answers {@code done} or {@code failed}.
 *
 * <p>A turn is crash-safe in three stages, each ending with a whole-object write to the {@link StepStore}:
 * <ol>
 *   <li>the model's answer is stored as the <em>turn record</em> before any tool runs, so a retried turn does not
 *       ask the model again and so replays exactly the same tool calls;</li>
 *   <li>each tool result is added to the turn record as soon as the tool returns, so a retried turn skips the calls
 *       already made; a call interrupted between its side effect and that write runs again with the same
 *       {@link ToolContext#callKey()}, from which tools derive their idempotency keys;</li>
 *   <li>the <em>checkpoint</em> (conversation, totals, guard counters) is written last: it is the commit of the
 *       turn. A turn whose checkpoint exists answers from it without doing anything.</li>
 * </ol>
 *
 * <p>Guards are enforced here, outside the model, before every model call: turns, wall-clock time, tokens and
 * dollars (so a step ends within its cap plus at most one call), and the loop guard (the same tool with the same
 * arguments more than {@code loopGuard} times).
 */
public final class AgentTurnService {
    private static final Logger LOG = LoggerFactory.getLogger(AgentTurnService.class);
    /** STEP_OUTPUT events carry streamed text at most this often. */
    static final Duration OUTPUT_BATCH = Duration.ofMillis(250);
    private static final Set<String> AGENT_SCOPES = Set.of("projects:read", "tasks:*", "skills:read",
            "agents:read");

    private final AgentService agents;
    private final SkillService skills;
    private final ModelClients models;
    private final ToolSource tools;
    private final ToolRunner runner;
    private final MemoryRecall memories;
    private final StepStore store;
    private final StepEvents events;
    private final LlmCallStore llmCalls;
    private final Pricing pricing;
    private final Clock clock;
    private final PromptAssembler prompts = new PromptAssembler();
    /** Where a turn runs its independent round trips side by side (a virtual thread each). */
    private static final Executor BACKGROUND = task -> Thread.ofVirtual().name("agent-turn").start(task);

    public AgentTurnService(AgentService agents, SkillService skills, ModelClients models, ToolSource tools,
                            ToolRunner runner, MemoryRecall memories, StepStore store, StepEvents events,
                            LlmCallStore llmCalls, Pricing pricing, Clock clock) {
        this.agents = agents;
        this.skills = skills;
        this.models = models;
        this.tools = tools;
        this.runner = runner;
        this.memories = memories;
        this.store = store;
        this.events = events;
        this.llmCalls = llmCalls;
        this.pricing = pricing;
        this.clock = clock;
    }

    /** The checkpoint of a step execution; stored as JSON. */
    record Checkpoint(String executionId, Instant startedAt, int turns, String system, List<Message> messages,
                      TokenUsage usage, long costMicroUsd, Map<String, Integer> toolCalls, StepResult result,
                      StepError error) {
        Checkpoint {
            messages = List.copyOf(messages);
            toolCalls = new TreeMap<>(toolCalls);
        }
    }

    /** The turn in flight: the model's answer and the tool results so far. */
    record TurnRecord(int turn, String callId, ModelResponse response, List<ContentBlock.ToolResult> results,
                      ToolResult.Completion completion, Map<String, TurnState.Approval> decisions) {
        TurnRecord {
            results = List.copyOf(results);
            decisions = decisions == null ? Map.of() : Map.copyOf(decisions);
        }
    }

    /** The limits of a step after the step's, the agent's and the platform's defaults are applied. */
    record Limits(int maxTurns, int maxOutputTokens, int timeoutSeconds, Long maxTokens, Long maxMicroUsd,
                  int loopGuard, Long runTokens, Long runMicroUsd, Long agentRunTokens, Long agentRunMicroUsd,
                  Long agentDayMicroUsd) {
        static Limits of(StepSpec step, Agent agent) {
            StepSpec.Limits l = step.limits();
            Agent.Budgets budgets = agent.budgets() == null ? new Agent.Budgets(null, null, null) : agent.budgets();
            Double dollars = l.maxDollars();
            Long tokens = l.maxTokens();
            return new Limits(
                    first(l.maxTurns(), agent.maxTurns(), StepSpec.DEFAULT_MAX_TURNS),
                    first(l.maxOutputTokens(), agent.model() == null ? null : agent.model().maxOutputTokens(),
                            StepSpec.DEFAULT_MAX_OUTPUT_TOKENS),
                    first(l.timeoutSeconds(), null, StepSpec.DEFAULT_TIMEOUT_SECONDS),
                    tokens, micro(dollars),
                    first(l.loopGuard(), null, StepSpec.DEFAULT_LOOP_GUARD),
                    l.maxRunTokens(), micro(l.maxRunDollars()), budgets.maxTokensPerRun(),
                    micro(budgets.maxDollarsPerRun()), micro(budgets.maxDollarsPerDay()));
        }

        private static Long micro(Double dollars) {
            return dollars == null ? null : Math.round(dollars * 1_000_000);
        }

        private static int first(Integer a, Integer b, int fallback) {
            return a != null ? a : b != null ? b : fallback;
        }
    }

    /**
     * Runs the next turn of a step.
     *
     * @param executionId the agent-step execution (stable across retries and redrives of that execution)
     * @throws ModelThrottledException when the model throttled: retry the turn later
     * @throws TurnTransientException  on a transient failure: retry the turn
     */
    public TurnState turn(StepSpec step, String executionId) {
        return turn(step, executionId, null);
    }

    /**
     * Runs the next turn of a step, or resumes the turn that waits for a person's decision on a dangerous tool call.
     *
     * @param approval the decision on the pending call, or null; a decision naming another call is ignored
     */
    public TurnState turn(StepSpec step, String executionId, TurnState.Approval approval) {
        TurnEvents out = new TurnEvents(events);
        TurnState state;
        try {
            state = turn(out, step, executionId, approval);
        } catch (RuntimeException | Error e) {
            try {
                out.flush();
            } catch (RuntimeException flushFailed) {
                if (flushFailed != e) {
                    e.addSuppressed(flushFailed);
                }
            }
            throw e;
        }
        out.flush();
        return state;
    }

    private TurnState turn(TurnEvents out, StepSpec step, String executionId, TurnState.Approval approval) {
        try {
            step.validate();
        } catch (ApiError e) {
            String problems = e.details().stream().map(d -> d.field() + " " + d.problem())
                    .collect(Collectors.joining("; "));
            return new TurnState(0, TurnState.FAILED, TokenUsage.ZERO, 0, null,
                    new StepError(StepFailure.INVALID_STEP, "invalid step input: " + problems));
        }
        Principal principal = new Principal(new TenantId(step.tenantId()), "agent:" + step.agentId(), null,
                AGENT_SCOPES, false);
        String base = "runs/" + step.runId() + "/steps/" + step.stepId() + "/" + shortHash(executionId) + "/";
        // the agent and the checkpoint are independent reads: one round trip instead of two
        CompletableFuture<Agent> agentRead = CompletableFuture.supplyAsync(
                () -> agents.get(principal, step.agentId()).doc(), BACKGROUND);
        Checkpoint checkpoint = read(step, base + "checkpoint.json", Checkpoint.class).orElse(null);
        if (checkpoint != null && checkpoint.result() != null) {
            return done(checkpoint);
        }
        if (checkpoint != null && checkpoint.error() != null) {
            return failed(checkpoint, checkpoint.error());
        }
        Agent agent;
        try {
            agent = join(agentRead);
        } catch (ApiError e) {
            StepError error = new StepError(StepFailure.INVALID_STEP, "agent " + step.agentId()
                    + " does not exist in tenant " + step.tenantId());
            emitFailed(out, step, executionId, 0, error);
            return new TurnState(0, TurnState.FAILED, TokenUsage.ZERO, 0, null, error);
        }
        if (agent.model() == null) {
            StepError error = new StepError(StepFailure.INVALID_STEP, "agent " + step.agentId() + " has no model");
            emitFailed(out, step, executionId, 0, error);
            return new TurnState(0, TurnState.FAILED, TokenUsage.ZERO, 0, null, error);
        }
        if (step.model() != null) { // a per-step model (a swarm task's): the agent's provider, another model id
            Agent.Model m = agent.model();
            agent = new Agent(agent.name(), agent.role(), agent.persona(), agent.systemPrompt(),
                    new Agent.Model(m.provider(), step.model(), m.temperature(), m.maxOutputTokens(), m.baseUrl(),
                            m.apiKeySecret()), agent.maxTurns(), agent.tools(), agent.skills(), agent.mcpServers(),
                    agent.memoryProfile(), agent.budgets());
        }
        Limits limits = Limits.of(step, agent);
        if (checkpoint == null) {
            checkpoint = start(step, principal, agent, executionId);
            write(step, base + "checkpoint.json", checkpoint);
            emit(out, step, executionId, 0, "STEP_STARTED", "started", Json.MAPPER.createObjectNode()
                    .put("modelId", agent.model().modelId()).put("provider", agent.model().provider()));
        }
        try {
            return next(out, step, principal, agent, limits, executionId, base, checkpoint, approval);
        } catch (StepFailure failure) {
            StepError error = new StepError(failure.code(), failure.getMessage());
            Checkpoint latest = read(step, base + "checkpoint.json", Checkpoint.class).orElse(checkpoint);
            Checkpoint ended = new Checkpoint(latest.executionId(), latest.startedAt(), latest.turns(),
                    latest.system(), latest.messages(), latest.usage(), latest.costMicroUsd(), latest.toolCalls(),
                    null, error);
            write(step, base + "checkpoint.json", ended);
            emitFailed(out, step, executionId, ended.turns(), error);
            return failed(ended, error);
        }
    }

    private Checkpoint start(StepSpec step, Principal principal, Agent agent, String executionId) {
        List<Skill> agentSkills = new ArrayList<>();
        for (String name : agent.skills()) {
            try {
                agentSkills.add(skills.get(principal, name).doc());
            } catch (ApiError e) {
                LOG.warn("agent {} names skill {} which does not exist in its tenant; left out", step.agentId(), name);
            }
        }
        List<PromptAssembler.Memory> recalled = "none".equals(agent.memoryProfile()) ? List.of()
                : memories.recall(principal, step.agentId(), step.projectId(), step.prompt(), 8);
        PromptAssembler.Prompt prompt = prompts.assemble(agent, step, agentSkills, recalled);
        return new Checkpoint(executionId, clock.instant(), 0, prompt.system(), List.of(Message.user(prompt.user())),
                TokenUsage.ZERO, 0, Map.of(), null, null);
    }

    private TurnState next(TurnEvents out, StepSpec step, Principal principal, Agent agent, Limits limits,
                           String executionId, String base, Checkpoint checkpoint, TurnState.Approval approval) {
        int turn = checkpoint.turns() + 1;
        Instant now = clock.instant();
        if (now.isAfter(checkpoint.startedAt().plusSeconds(limits.timeoutSeconds()))) {
            throw new StepFailure(StepFailure.STEP_TIMEOUT, "the step ran longer than its timeout of "
                    + limits.timeoutSeconds() + " s (started " + checkpoint.startedAt() + ", " + checkpoint.turns()
                    + " turns)");
        }
        if (turn > limits.maxTurns()) {
            throw new StepFailure(StepFailure.MAX_TURNS, "the step used all " + limits.maxTurns()
                    + " turns without finishing (raise maxTurns, or make the task smaller)");
        }
        if (limits.maxMicroUsd() != null && checkpoint.costMicroUsd() >= limits.maxMicroUsd()) {
            throw new StepFailure(StepFailure.BUDGET_EXCEEDED, "the step spent $" + dollars(checkpoint.costMicroUsd())
                    + " of its $" + dollars(limits.maxMicroUsd()) + " budget after " + checkpoint.turns() + " turns");
        }
        if (limits.maxTokens() != null && checkpoint.usage().totalTokens() >= limits.maxTokens()) {
            throw new StepFailure(StepFailure.BUDGET_EXCEEDED, "the step used " + checkpoint.usage().totalTokens()
                    + " of its " + limits.maxTokens() + " tokens after " + checkpoint.turns() + " turns");
        }
        checkRunBudgets(step, limits);

        List<Tool> available = tools.toolsFor(principal, agent, step);
        Map<String, Tool> byName = available.stream().collect(Collectors.toMap(Tool::name, Function.identity(),
                (a, b) -> a, LinkedHashMap::new));
        String turnKey = base + "turns/" + String.format("%04d", turn) + ".json";
        TurnRecord record = read(step, turnKey, TurnRecord.class).orElse(null);
        CompletableFuture<Void> recorded = CompletableFuture.completedFuture(null);
        if (record == null) {
            record = callModel(out, step, agent, limits, executionId, checkpoint, turn,
                    available.stream().map(t -> t.name().equals(CompleteStepTool.NAME)
                            && step.outputSchema() != null && step.outputSchema().isObject()
                            ? CompleteStepTool.specFor(step.outputSchema()) : t.spec()).toList());
            write(step, turnKey, record);
            recorded = recordCall(out, step, agent, executionId, turn, record);
        }
        try {
            return afterModel(out, step, principal, agent, limits, executionId, base, checkpoint, approval, turn,
                    byName, turnKey, record, recorded);
        } finally {
            joinQuietly(recorded);
        }
    }

    /** The tools of the turn, then its checkpoint; the model call is recorded meanwhile ({@code recorded}). */
    private TurnState afterModel(TurnEvents out, StepSpec step, Principal principal, Agent agent, Limits limits,
                                 String executionId, String base, Checkpoint checkpoint, TurnState.Approval approval,
                                 int turn, Map<String, Tool> byName, String turnKey, TurnRecord record,
                                 CompletableFuture<Void> recorded) {

        ModelResponse response = record.response();
        List<ContentBlock.ToolUse> uses = response.message().toolUses();
        Map<String, Integer> counts = new TreeMap<>(checkpoint.toolCalls());
        List<ContentBlock.ToolResult> results = new ArrayList<>(record.results());
        ToolResult.Completion completion = record.completion();
        Map<String, TurnState.Approval> decisions = new TreeMap<>(record.decisions());
        for (int i = 0; i < uses.size(); i++) {
            ContentBlock.ToolUse use = uses.get(i);
            int count = counts.merge(signature(use), 1, Integer::sum);
            if (count > limits.loopGuard()) {
                throw new StepFailure(StepFailure.LOOP_DETECTED, "the agent called " + use.name()
                        + " with the same arguments " + count + " times (loop guard: " + limits.loopGuard() + ")");
            }
            if (i < results.size()) {
                continue;
            }
            String callKey = shortHash(executionId) + "/" + turn + "/" + i;
            Tool tool = byName.get(use.name());
            TurnState.Approval decision = null;
            if (tool != null && tool.dangerous(use.input())) {
                if (approval != null && callKey.equals(approval.callKey()) && !decisions.containsKey(callKey)) {
                    decisions.put(callKey, approval);
                    record = new TurnRecord(turn, record.callId(), response, results, completion, decisions);
                    write(step, turnKey, record);
                    emit(out, step, executionId, turn, "TOOL_APPROVAL_DECIDED", "tool/" + i + "/decided",
                            Json.MAPPER.createObjectNode().put("tool", use.name()).put("callKey", callKey)
                                    .put("decision", approval.decision()).put("by", approval.by()));
                }
                decision = decisions.get(callKey);
                if (decision == null) {
                    join(recorded);
                    return new TurnState(checkpoint.turns(), TurnState.APPROVAL, checkpoint.usage(),
                            checkpoint.costMicroUsd(), null, null, new TurnState.PendingApproval(callKey, turn,
                            use.name(), use.toolUseId(), use.input()));
                }
            }
            ObjectNode start = Json.MAPPER.createObjectNode().put("tool", use.name()).put("toolUseId", use.toolUseId())
                    .put("index", i);
            start.set("input", use.input());
            emit(out, step, executionId, turn, "TOOL_CALL_START", "tool/" + i + "/start", start);
            long started = System.nanoTime();
            ToolResult result;
            if (decision != null && !decision.approved()) {
                result = ToolResult.error("a person rejected this call" + (decision.by() == null ? ""
                        : " (" + decision.by() + ")") + (decision.comment() == null || decision.comment().isBlank()
                        ? "" : ": " + decision.comment()) + ". Do not repeat it; find another way or finish.");
            } else if (tool == null) {
                result = ToolResult.error("no tool named " + use.name() + " is available to this agent; tools: "
                        + String.join(", ", byName.keySet()));
            } else {
                ToolContext context = new ToolContext(principal, Optional.ofNullable(step.projectId()), step.runId(),
                        step.stepId(), step.agentId(), turn, callKey, step.stepType(),
                        Optional.ofNullable(step.outputSchema()));
                result = runner.run(tool, use.input(), context);
            }
            results.add(new ContentBlock.ToolResult(use.toolUseId(), result.content(), result.error()));
            if (completion == null && result.completion().isPresent()) {
                completion = result.completion().get();
            }
            emit(out, step, executionId, turn, "TOOL_CALL_END", "tool/" + i + "/end", Json.MAPPER.createObjectNode()
                    .put("tool", use.name()).put("toolUseId", use.toolUseId()).put("index", i)
                    .put("error", result.error()).put("durationMs", (System.nanoTime() - started) / 1_000_000)
                    .put("resultPreview", preview(result.content())));
            record = new TurnRecord(turn, record.callId(), response, results, completion, decisions);
            write(step, turnKey, record);
        }

        List<Message> messages = new ArrayList<>(checkpoint.messages());
        messages.add(response.message());
        if (!results.isEmpty()) {
            messages.add(new Message(Role.USER, List.copyOf(results)));
        }
        TokenUsage usage = checkpoint.usage().plus(response.usage());
        long cost = checkpoint.costMicroUsd() + pricing.costMicroUsd(agent.model().modelId(), response.usage());
        StepResult result = null;
        if (completion != null) {
            result = new StepResult(completion.text(), completion.output(), completion.result(), turn, usage, cost);
        } else if (uses.isEmpty()) {
            if (response.stopReason() == StopReason.MAX_TOKENS) {
                messages.add(Message.user("Your answer was cut off at the output token limit. Continue where you "
                        + "stopped."));
            } else if (step.outputSchema() == null && !"gate".equals(step.stepType())
                    && !StepSpec.SWARM_PLANNER.equals(step.stepType())) {
                result = new StepResult(response.message().text(), null, null, turn, usage, cost);
            } else {
                messages.add(Message.user("You have not finished the step. Call " + ("gate".equals(step.stepType())
                        ? "gate_verdict with your verdict and reasoning."
                        : StepSpec.SWARM_PLANNER.equals(step.stepType()) ? "submit_plan with the task list."
                        : "complete_step with output that satisfies the step's output schema.")));
            }
        }
        Checkpoint next = new Checkpoint(checkpoint.executionId(), checkpoint.startedAt(), turn, checkpoint.system(),
                messages, usage, cost, counts, result, null);
        join(recorded); // the call is in the log (and the run's usage counters) before the turn commits
        write(step, base + "checkpoint.json", next);
        if (result != null) {
            if ("gate".equals(step.stepType()) && result.output() != null && result.output().has("verdict")) {
                // the judge's decision on its own, so a follower sees each pass of a gate without parsing results
                emit(out, step, executionId, turn, "GATE_VERDICT", "verdict", Json.MAPPER.createObjectNode()
                        .put("verdict", result.output().path("verdict").asText())
                        .put("result", result.result()).put("reasoning", result.text()));
            }
            ObjectNode detail = Json.MAPPER.valueToTree(result);
            emit(out, step, executionId, turn, "STEP_COMPLETE", "complete", detail);
            return done(next);
        }
        return new TurnState(turn, TurnState.CONTINUE, usage, cost, null, null);
    }

    /** The run's caps and the agent's per-run and per-day budgets, from the counters kept with the call log. */
    private void checkRunBudgets(StepSpec step, Limits limits) {
        TenantId tenant = new TenantId(step.tenantId());
        if (limits.runTokens() != null || limits.runMicroUsd() != null) {
            UsageGroup run = llmCalls.runUsage(tenant, step.runId(), null);
            long tokens = run.inputTokens() + run.outputTokens();
            if (limits.runMicroUsd() != null && run.costMicroUsd() >= limits.runMicroUsd()) {
                throw new StepFailure(StepFailure.BUDGET_EXCEEDED, "the run spent $" + dollars(run.costMicroUsd())
                        + " of its $" + dollars(limits.runMicroUsd()) + " budget in " + run.calls() + " model calls");
            }
            if (limits.runTokens() != null && tokens >= limits.runTokens()) {
                throw new StepFailure(StepFailure.BUDGET_EXCEEDED, "the run used " + tokens + " of its "
                        + limits.runTokens() + " tokens in " + run.calls() + " model calls");
            }
        }
        if (limits.agentRunTokens() != null || limits.agentRunMicroUsd() != null) {
            UsageGroup mine = llmCalls.runUsage(tenant, step.runId(), step.agentId());
            long tokens = mine.inputTokens() + mine.outputTokens();
            if (limits.agentRunMicroUsd() != null && mine.costMicroUsd() >= limits.agentRunMicroUsd()) {
                throw new StepFailure(StepFailure.BUDGET_EXCEEDED, "agent " + step.agentId() + " spent $"
                        + dollars(mine.costMicroUsd()) + " of its $" + dollars(limits.agentRunMicroUsd())
                        + " budget for this run (budgets.maxDollarsPerRun) in " + mine.calls() + " model calls");
            }
            if (limits.agentRunTokens() != null && tokens >= limits.agentRunTokens()) {
                throw new StepFailure(StepFailure.BUDGET_EXCEEDED, "agent " + step.agentId() + " used " + tokens
                        + " of its " + limits.agentRunTokens() + " tokens for this run (budgets.maxTokensPerRun)");
            }
        }
        if (limits.agentDayMicroUsd() != null) {
            java.time.LocalDate today = java.time.LocalDate.ofInstant(clock.instant(), java.time.ZoneOffset.UTC);
            long spent = llmCalls.usageBy(tenant, LlmCallStore.GroupBy.AGENT, today, today).stream()
                    .filter(g -> g.key().equals(step.agentId())).mapToLong(UsageGroup::costMicroUsd).sum();
            if (spent >= limits.agentDayMicroUsd()) {
                throw new StepFailure(StepFailure.BUDGET_EXCEEDED, "agent " + step.agentId() + " spent $"
                        + dollars(spent) + " of its $" + dollars(limits.agentDayMicroUsd()) + " budget for "
                        + today + " (budgets.maxDollarsPerDay, UTC)");
            }
        }
    }

    private TurnRecord callModel(TurnEvents out, StepSpec step, Agent agent, Limits limits, String executionId,
                                 Checkpoint checkpoint, int turn, List<ToolSpec> specs) {
        Map<String, String> metadata = new TreeMap<>();
        metadata.put(ModelRequest.META_TENANT, step.tenantId());
        metadata.put(ModelRequest.META_RUN, step.runId());
        metadata.put(ModelRequest.META_STEP, step.stepId());
        metadata.put(ModelRequest.META_AGENT, step.agentId());
        metadata.put(ModelRequest.META_EXECUTION, shortHash(executionId));
        metadata.put(ModelRequest.META_TURN, Integer.toString(turn));
        metadata.put(ModelRequest.META_STEP_TYPE, step.stepType());
        if (step.scenario() != null) {
            metadata.put(ModelRequest.META_SCENARIO, step.scenario());
        }
        Agent.Model model = agent.model();
        ModelRequest request = new ModelRequest(model.modelId(), checkpoint.system(), checkpoint.messages(), specs,
                model.temperature(), limits.maxOutputTokens(), metadata);
        ModelClient client = models.forModel(new Principal(new TenantId(step.tenantId()), "agent:" + step.agentId(),
                null, AGENT_SCOPES, false), model);
        OutputBatcher batcher = new OutputBatcher(out, step, executionId, turn);
        ModelResponse response;
        try {
            response = client.converse(request, batcher);
        } catch (ModelException e) {
            switch (e.kind()) {
                case THROTTLED -> throw new ModelThrottledException("model " + model.modelId() + " throttled turn "
                        + turn + ": " + e.getMessage(), e);
                case TRANSIENT -> throw new TurnTransientException("model " + model.modelId() + " failed turn "
                        + turn + " transiently: " + e.getMessage(), e);
                default -> throw new StepFailure(StepFailure.MODEL_ERROR, "model " + model.provider() + "/"
                        + model.modelId() + " refused turn " + turn + " (" + e.kind() + "): " + e.getMessage());
            }
        } finally {
            batcher.flush();
        }
        return new TurnRecord(turn, LlmCall.newId(clock.instant()), response, List.of(), null, Map.of());
    }

    /** Emits LLM_CALL and writes the call to the log in the background; the turn joins it before it commits. */
    private CompletableFuture<Void> recordCall(TurnEvents out, StepSpec step, Agent agent, String executionId,
                                               int turn, TurnRecord record) {
        ModelResponse response = record.response();
        TokenUsage usage = response.usage();
        long cost = pricing.costMicroUsd(agent.model().modelId(), usage);
        LlmCall call = new LlmCall(record.callId(), clock.instant(), step.runId(), step.stepId(), step.agentId(),
                agent.model().provider(), agent.model().modelId(), usage.inputTokens(), usage.outputTokens(),
                usage.cacheReadTokens(), usage.cacheWriteTokens(), response.message().toolUses().size(), cost,
                response.latencyMs(), response.stopReason().wire());
        ObjectNode detail = Json.MAPPER.valueToTree(call);
        emit(out, step, executionId, turn, "LLM_CALL", "llm", detail);
        return CompletableFuture.runAsync(() -> llmCalls.record(new TenantId(step.tenantId()), call), BACKGROUND);
    }

    /** The result of work started in the background, with its own exception (not a CompletionException). */
    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error cause) {
                throw cause;
            }
            throw e;
        }
    }

    /**
     * Waits for the model call's recording whichever way the turn ends, so nothing of a turn outlives it; a failure
     * is logged (where the turn commits, {@link #join} has already thrown it and the turn is retried).
     */
    private static void joinQuietly(CompletableFuture<?> future) {
        try {
            future.join();
        } catch (RuntimeException e) {
            LOG.warn("model call not recorded reason={}", e.getCause() == null ? e : e.getCause());
        }
    }

    /** Streamed text becomes STEP_OUTPUT events, at most one per {@link #OUTPUT_BATCH}. */
    private final class OutputBatcher implements ModelClient.StreamListener {
        private final TurnEvents out;
        private final StepSpec step;
        private final String executionId;
        private final int turn;
        private final StringBuilder pending = new StringBuilder();
        private long lastFlush = System.nanoTime();
        private int sequence;

        OutputBatcher(TurnEvents out, StepSpec step, String executionId, int turn) {
            this.out = out;
            this.step = step;
            this.executionId = executionId;
            this.turn = turn;
        }

        @Override
        public synchronized void onText(String chunk) {
            pending.append(chunk);
            if (System.nanoTime() - lastFlush >= OUTPUT_BATCH.toNanos()) {
                flush();
            }
        }

        synchronized void flush() {
            if (pending.isEmpty()) {
                return;
            }
            emit(out, step, executionId, turn, "STEP_OUTPUT", "output/" + sequence++, Json.MAPPER.createObjectNode()
                    .put("text", pending.toString()));
            pending.setLength(0);
            lastFlush = System.nanoTime();
        }
    }

    private void emitFailed(TurnEvents out, StepSpec step, String executionId, int turn, StepError error) {
        emit(out, step, executionId, turn, "STEP_FAILED", "failed", Json.MAPPER.createObjectNode()
                .put("code", error.code()).put("message", error.message()));
    }

    private void emit(TurnEvents out, StepSpec step, String executionId, int turn, String type, String suffix,
                      ObjectNode detail) {
        detail.put("tenantId", step.tenantId()).put("runId", step.runId()).put("stepId", step.stepId())
                .put("agentId", step.agentId()).put("executionId", executionId).put("turn", turn);
        String eventId = "evt_" + shortHash(executionId + "/" + turn + "/" + type + "/" + suffix);
        detail.put("eventId", eventId);
        out.emit(type, eventId, detail);
    }

    private TurnState done(Checkpoint checkpoint) {
        return new TurnState(checkpoint.turns(), TurnState.DONE, checkpoint.usage(), checkpoint.costMicroUsd(),
                checkpoint.result(), null);
    }

    private static TurnState failed(Checkpoint checkpoint, StepError error) {
        return new TurnState(checkpoint.turns(), TurnState.FAILED, checkpoint.usage(), checkpoint.costMicroUsd(),
                null, error);
    }

    private <T> Optional<T> read(StepSpec step, String key, Class<T> type) {
        return store.get(step.tenantId(), key).map(json -> {
            try {
                return Json.MAPPER.readValue(json, type);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("step document " + key + " is unreadable: " + e.getOriginalMessage(),
                        e);
            }
        });
    }

    private void write(StepSpec step, String key, Object document) {
        try {
            store.put(step.tenantId(), key, Json.MAPPER.writeValueAsString(document));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("step document " + key + " cannot be written", e);
        }
    }

    /** The same tool with the same arguments, whatever the order of their keys. */
    static String signature(ContentBlock.ToolUse use) {
        try {
            JsonNode canonical = Json.MAPPER.readTree(Json.MAPPER.writer()
                    .with(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
                    .writeValueAsString(Json.MAPPER.treeToValue(use.input(), Object.class)));
            return use.name() + " " + shortHash(canonical.toString());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree is always writable", e);
        }
    }

    private static String preview(String content) {
        return content.length() <= 500 ? content : content.substring(0, 500) + "…";
    }

    private static String dollars(long microUsd) {
        return java.math.BigDecimal.valueOf(microUsd, 6).stripTrailingZeros().toPlainString();
    }

    static String shortHash(String value) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
