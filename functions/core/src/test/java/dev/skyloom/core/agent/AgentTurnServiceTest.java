package dev.skyloom.core.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import dev.skyloom.core.agent.tools.Tool;
import dev.skyloom.core.agent.tools.ToolContext;
import dev.skyloom.core.agent.tools.ToolResult;
import dev.skyloom.core.api.Json;
import dev.skyloom.core.api.Page;
import dev.skyloom.core.identity.Principal;
import dev.skyloom.core.identity.TenantId;
import dev.skyloom.core.resources.Agent;
import dev.skyloom.core.resources.AgentService;
import dev.skyloom.core.resources.SkillService;
import dev.skyloom.core.resources.TestDocumentStores;
import dev.skyloom.core.store.DocumentStore;
import dev.skyloom.core.usage.LlmCall;
import dev.skyloom.core.usage.LlmCallStore;
import dev.skyloom.core.usage.UsageDay;
import dev.skyloom.core.usage.UsageGroup;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The turn engine with fakes behind its ports: a scripted model, in-memory step documents, events and call log.
 * The integration test through the local cloud ({@code AgentStepIT}) runs the same engine on the real adapters.
 */
class AgentTurnServiceTest {
    private static final TenantId TENANT = new TenantId("acme");
    private final Principal admin = new Principal(TENANT, "k1", null, Set.of("*"), false);
    private final DocumentStore documents = TestDocumentStores.inMemory();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-21T10:00:00Z"));
    private final AgentService agents = new AgentService(documents, clock);
    private final SkillService skills = new SkillService(documents, clock);
    private final Map<String, String> stepDocs = new ConcurrentHashMap<>();
    private final List<ObjectNode> events = Collections.synchronizedList(new ArrayList<>());
    private final List<String> eventTypes = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, LlmCall> calls = new ConcurrentHashMap<>();
    private final AtomicInteger noteWrites = new AtomicInteger();
    private final List<ModelRequest> requests = Collections.synchronizedList(new ArrayList<>());
    private Function<ModelRequest, ModelResponse> script;
    private String failStoreWriteContaining;
    private int failOnNthWrite;
    private String agentId;

    @BeforeEach
    void createAgent() {
        agentId = agents.create(admin, new Agent("Writer", "a writer", "Curious.", "Write well.",
                new Agent.Model("bedrock", "skyloom.local", 0.2, 1000), null, List.of("write_note"), List.of(),
                List.of(), "none", null)).id();
    }

    private AgentTurnService service() {
        ModelClient model = (request, listener) -> {
            requests.add(request);
            listener.onText("thinking ");
            return script.apply(request);
        };
        StepStore store = failingStore();
        LlmCallStore callStore = new LlmCallStore() {
            @Override
            public void record(TenantId tenant, LlmCall call) {
                calls.putIfAbsent(call.callId(), call);
            }

            @Override
            public Optional<LlmCall> find(TenantId tenant, String callId) {
                return Optional.ofNullable(calls.get(callId));
            }

            @Override
            public Page<LlmCall> list(TenantId tenant, Filter filter, Optional<Map<String, String>> cursor,
                                      int limit) {
                return new Page<>(List.copyOf(calls.values()), Optional.empty());
            }

            @Override
            public List<UsageDay> usage(TenantId tenant, LocalDate from, LocalDate to) {
                return List.of();
            }

            @Override
            public List<UsageGroup> usageBy(TenantId tenant, GroupBy groupBy, LocalDate from, LocalDate to) {
                return calls.values().stream().collect(java.util.stream.Collectors.groupingBy(LlmCall::agentId))
                        .entrySet().stream().map(e -> new UsageGroup(e.getKey(), e.getValue().size(), 0, 0,
                                e.getValue().stream().mapToLong(LlmCall::costMicroUsd).sum())).toList();
            }

            @Override
            public UsageGroup runUsage(TenantId tenant, String runId, String agentId) {
                List<LlmCall> mine = calls.values().stream().filter(c -> c.runId().equals(runId)
                        && (agentId == null || c.agentId().equals(agentId))).toList();
                return new UsageGroup(runId, mine.size(), mine.stream().mapToLong(LlmCall::inputTokens).sum(),
                        mine.stream().mapToLong(LlmCall::outputTokens).sum(),
                        mine.stream().mapToLong(LlmCall::costMicroUsd).sum());
            }
        };
        ToolSource toolSource = (principal, agent, step) -> "gate".equals(step.stepType())
                ? List.of(noteTool(), new dev.skyloom.core.agent.tools.GateVerdictTool(), deleteTool())
                : List.of(noteTool(), completeTool(), deleteTool());
        ToolRunner runner = Tool::call;
        return new AgentTurnService(agents, skills, (principal, m) -> model, toolSource, runner, MemoryRecall.NONE,
                store, (type, id, detail) -> {
                    eventTypes.add(type);
                    events.add(detail);
                }, callStore, Pricing.standard(), clock);
    }

    private Tool noteTool() {
        return new Tool() {
            @Override
            public ToolSpec spec() {
                return new ToolSpec("write_note", "writes a note", Json.MAPPER.createObjectNode().put("type", "object"));
            }

            @Override
            public ToolResult call(JsonNode input, ToolContext context) {
                noteWrites.incrementAndGet();
                return ToolResult.ok("{\"written\":true,\"key\":\"" + context.callKey() + "\"}");
            }
        };
    }

    private final AtomicInteger deletes = new AtomicInteger();

    private Tool deleteTool() {
        return new Tool() {
            @Override
            public ToolSpec spec() {
                return new ToolSpec("delete_note", "deletes a note", Json.MAPPER.createObjectNode()
                        .put("type", "object"));
            }

            @Override
            public boolean dangerous() {
                return true;
            }

            @Override
            public ToolResult call(JsonNode input, ToolContext context) {
                deletes.incrementAndGet();
                return ToolResult.ok("deleted");
            }
        };
    }

    private static Tool completeTool() {
        return new Tool() {
            @Override
            public ToolSpec spec() {
                return new ToolSpec("complete_step", "ends the step", Json.MAPPER.createObjectNode()
                        .put("type", "object"));
            }

            @Override
            public ToolResult call(JsonNode input, ToolContext context) {
                return ToolResult.completed("{\"ok\":true}", new ToolResult.Completion(input.path("text").asText(),
                        input.get("output"), input.path("result").asText(null)));
            }
        };
    }

    private static ModelResponse toolCall(String id, String name, String inputJson, long in, long out) {
        try {
            return new ModelResponse(new Message(Role.ASSISTANT, List.of(new ContentBlock.Text("calling " + name),
                    new ContentBlock.ToolUse(id, name, Json.MAPPER.readTree(inputJson)))), StopReason.TOOL_USE,
                    new TokenUsage(in, out, 0, 0), 12);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private StepSpec step(StepSpec.Limits limits) {
        return new StepSpec("acme", "run-1", "write", agentId, null, "agent", "Write a note about tests", null, null,
                limits, null);
    }

    private static int turnOf(ModelRequest request) {
        return Integer.parseInt(request.metadata().get(ModelRequest.META_TURN));
    }

    @Test
    void aStep_callsTools_thenCompletes_withUsageCostEventsAndCallLog() {
        script = request -> turnOf(request) == 1 ? toolCall("t1", "write_note", "{\"text\":\"hi\"}", 1000, 100)
                : toolCall("t2", "complete_step", "{\"text\":\"done\",\"result\":\"PASS\"}", 1200, 50);
        AgentTurnService service = service();

        TurnState first = service.turn(step(null), "exec-1");
        TurnState second = service.turn(step(null), "exec-1");

        assertThat(first.status()).isEqualTo(TurnState.CONTINUE);
        assertThat(first.turns()).isEqualTo(1);
        assertThat(second.status()).isEqualTo(TurnState.DONE);
        assertThat(second.result().text()).isEqualTo("done");
        assertThat(second.result().result()).isEqualTo("PASS");
        assertThat(second.usage()).isEqualTo(new TokenUsage(2200, 150, 0, 0));
        // skyloom.local is priced at $3 / $15 per million tokens: 2200 * 3 + 150 * 15 micro-dollars
        assertThat(second.costMicroUsd()).isEqualTo(2200 * 3 + 150 * 15);
        assertThat(noteWrites).hasValue(1);
        assertThat(calls.values()).hasSize(2).allSatisfy(call -> {
            assertThat(call.agentId()).isEqualTo(agentId);
            assertThat(call.modelId()).isEqualTo("skyloom.local");
            assertThat(call.toolCalls()).isEqualTo(1);
            assertThat(call.stopReason()).isEqualTo("tool_use");
        });
        assertThat(eventTypes).containsSubsequence("STEP_STARTED", "STEP_OUTPUT", "LLM_CALL", "TOOL_CALL_START",
                "TOOL_CALL_END", "LLM_CALL", "STEP_COMPLETE");
        assertThat(events).allSatisfy(e -> assertThat(e.path("eventId").asText()).startsWith("evt_"));
        // the second request carries the whole conversation: task, answer, tool result
        ModelRequest last = requests.get(1);
        assertThat(last.messages()).hasSize(3);
        assertThat(last.messages().get(2).content().get(0)).isInstanceOf(ContentBlock.ToolResult.class);
        assertThat(last.system()).contains("You are Writer, a writer.").contains("Write well.")
                .contains("complete_step");
        assertThat(last.metadata()).containsEntry(ModelRequest.META_AGENT, agentId)
                .containsEntry(ModelRequest.META_TURN, "2")
                .containsEntry(ModelRequest.META_EXECUTION, AgentTurnService.shortHash("exec-1"));
        assertThat(requests.get(0).metadata().get(ModelRequest.META_EXECUTION))
                .isEqualTo(last.metadata().get(ModelRequest.META_EXECUTION));
        // a finished step answers from its checkpoint without calling anything
        TurnState again = service.turn(step(null), "exec-1");
        assertThat(again).isEqualTo(second);
        assertThat(requests).hasSize(2);
    }

    @Test
    void aStepWithAnOutputSchema_offersCompleteStepWithThatSchemaRequired() throws Exception {
        script = request -> toolCall("t1", "complete_step", "{\"text\":\"split\",\"output\":{\"parts\":[\"a\",\"b\"]}}",
                10, 10);
        JsonNode schema = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                "{\"type\":\"object\",\"required\":[\"parts\"],\"properties\":{\"parts\":{\"type\":\"array\","
                        + "\"minItems\":2}}}");
        StepSpec step = new StepSpec("acme", "run-1", "split", agentId, null, "council", "Split it", null, schema,
                null, null);

        TurnState state = service().turn(step, "exec-schema");

        assertThat(state.status()).isEqualTo(TurnState.DONE);
        assertThat(state.result().output().path("parts")).hasSize(2);
        ToolSpec offered = requests.getFirst().tools().stream().filter(t -> t.name().equals("complete_step"))
                .findFirst().orElseThrow();
        assertThat(offered.inputSchema().path("required").toString()).isEqualTo("[\"text\",\"output\"]");
        assertThat(offered.inputSchema().path("properties").path("output").path("required").toString())
                .isEqualTo("[\"parts\"]");
        assertThat(offered.inputSchema().path("additionalProperties").asBoolean(true)).isFalse();
    }

    @Test
    void aTurnRetriedAfterACrash_doesNotCallTheModelOrApplyAToolTwice() {
        script = request -> turnOf(request) == 1 ? toolCall("t1", "write_note", "{\"text\":\"hi\"}", 10, 10)
                : toolCall("t2", "complete_step", "{\"text\":\"done\"}", 10, 10);
        AgentTurnService service = service();
        // the first checkpoint write starts the step; the second commits turn 1: crash there
        failStoreWriteContaining = "checkpoint.json";
        failOnNthWrite = 2;
        assertThatThrownBy(() -> service.turn(step(null), "exec-2")).hasMessageContaining("simulated crash");
        assertThat(noteWrites).hasValue(1);
        assertThat(requests).hasSize(1);

        TurnState retried = service.turn(step(null), "exec-2");
        assertThat(retried.turns()).isEqualTo(1);
        assertThat(noteWrites).as("the tool result was recorded, so the retry does not run it again").hasValue(1);
        assertThat(requests).as("the model's answer was recorded, so the retry does not ask again").hasSize(1);
        assertThat(calls).hasSize(1);
        assertThat(eventTypes.stream().filter("STEP_STARTED"::equals)).hasSize(1);
        assertThat(service.turn(step(null), "exec-2").status()).isEqualTo(TurnState.DONE);
    }

    @Test
    void aToolInterruptedBeforeItsResultWasRecorded_runsAgainWithTheSameCallKey() {
        script = request -> turnOf(request) == 1 ? toolCall("t1", "write_note", "{}", 10, 10)
                : toolCall("t2", "complete_step", "{\"text\":\"done\"}", 10, 10);
        List<String> keys = Collections.synchronizedList(new ArrayList<>());
        ToolSource recording = (p, a, s) -> List.of(new Tool() {
            @Override
            public ToolSpec spec() {
                return noteTool().spec();
            }

            @Override
            public ToolResult call(JsonNode input, ToolContext context) {
                keys.add(context.callKey());
                return ToolResult.ok("ok");
            }
        }, completeTool());
        AgentTurnService service = new AgentTurnService(agents, skills, (p, m) -> (r, l) -> {
            requests.add(r);
            return script.apply(r);
        }, recording, Tool::call, MemoryRecall.NONE, failingStore(), (t, i, d) -> { }, new NoCalls(),
                Pricing.standard(), clock);
        // the turn record is written once after the model call and again after the tool: crash on the second
        failStoreWriteContaining = "turns/0001";
        failOnNthWrite = 2;
        assertThatThrownBy(() -> service.turn(step(null), "exec-3")).hasMessageContaining("simulated crash");

        TurnState retried = service.turn(step(null), "exec-3");

        assertThat(retried.turns()).isEqualTo(1);
        assertThat(keys).hasSize(2);
        assertThat(keys.get(1)).as("the same key, so the tool's own idempotency catches the repeat")
                .isEqualTo(keys.get(0)).endsWith("/1/0");
        assertThat(requests).hasSize(1);
    }

    @Test
    void theLoopGuard_endsAStepThatRepeatsTheSameCall() {
        script = request -> toolCall("t" + turnOf(request), "write_note", "{\"a\":1,\"b\":2}", 10, 10);
        AgentTurnService service = service();
        StepSpec step = step(new StepSpec.Limits(null, null, null, null, null, 3));

        TurnState state = null;
        for (int i = 0; i < 10 && (state == null || state.status().equals(TurnState.CONTINUE)); i++) {
            state = service.turn(step, "exec-loop");
        }

        assertThat(state.status()).isEqualTo(TurnState.FAILED);
        assertThat(state.error().code()).isEqualTo(StepFailure.LOOP_DETECTED);
        assertThat(state.error().message()).contains("write_note").contains("4 times").contains("loop guard: 3");
        assertThat(noteWrites).hasValue(3);
        assertThat(eventTypes).contains("STEP_FAILED");
        assertThat(service.turn(step, "exec-loop").error()).isEqualTo(state.error());
    }

    @Test
    void theDollarBudget_stopsAGreedyStepWithinTheCapPlusOneCall() {
        script = request -> toolCall("t" + turnOf(request), "write_note", "{\"turn\":" + turnOf(request) + "}",
                100_000, 10_000);
        AgentTurnService service = service();
        // each call costs 100000 * 3 + 10000 * 15 = 450000 micro-dollars = $0.45
        StepSpec step = step(new StepSpec.Limits(null, null, null, null, 1.0, null));

        TurnState state = null;
        for (int i = 0; i < 10 && (state == null || state.status().equals(TurnState.CONTINUE)); i++) {
            state = service.turn(step, "exec-greedy");
        }

        assertThat(state.status()).isEqualTo(TurnState.FAILED);
        assertThat(state.error().code()).isEqualTo(StepFailure.BUDGET_EXCEEDED);
        assertThat(state.error().message()).contains("$1.35").contains("$1 budget");
        assertThat(state.costMicroUsd()).isLessThanOrEqualTo(1_000_000 + 450_000);
        assertThat(requests).hasSize(3);
    }

    @Test
    void runBudgets_countEveryStepOfTheRun_andAgentBudgetsCountTheAgentsCalls() throws Exception {
        // each call costs 100000 * 3 + 10000 * 15 = $0.45
        script = request -> toolCall("t" + turnOf(request), "write_note", "{\"turn\":" + turnOf(request) + "}",
                100_000, 10_000);
        AgentTurnService service = service();
        StepSpec first = step(null);
        service.turn(first, "exec-run-a");
        service.turn(first, "exec-run-a");
        // another step of the same run, capped at $1 for the whole run: $0.90 spent, one more call, then stop
        StepSpec second = new StepSpec("acme", "run-1", "polish", agentId, null, "agent", "Polish it", null, null,
                new StepSpec.Limits(null, null, null, null, null, null, null, 1.0), null);
        assertThat(service.turn(second, "exec-run-b").status()).isEqualTo(TurnState.CONTINUE);
        TurnState stopped = service.turn(second, "exec-run-b");
        assertThat(stopped.error().code()).isEqualTo(StepFailure.BUDGET_EXCEEDED);
        assertThat(stopped.error().message()).isEqualTo("the run spent $1.35 of its $1 budget in 3 model calls");

        String frugal = agents.create(admin, new Agent("Frugal", null, null, null,
                new Agent.Model("bedrock", "skyloom.local", null, null), null, List.of(), List.of(), List.of(),
                "none", new Agent.Budgets(null, 0.4, null))).id();
        StepSpec mine = new StepSpec("acme", "run-1", "frugal", frugal, null, "agent", "Be brief", null, null, null,
                null);
        assertThat(service.turn(mine, "exec-frugal").status()).as("the run's other calls are not the agent's")
                .isEqualTo(TurnState.CONTINUE);
        assertThat(service.turn(mine, "exec-frugal").error().message()).isEqualTo("agent " + frugal
                + " spent $0.45 of its $0.4 budget for this run (budgets.maxDollarsPerRun) in 1 model calls");

        String daily = agents.create(admin, new Agent("Daily", null, null, null,
                new Agent.Model("bedrock", "skyloom.local", null, null), null, List.of(), List.of(), List.of(),
                "none", new Agent.Budgets(null, null, 0.4))).id();
        StepSpec today = new StepSpec("acme", "run-2", "daily", daily, null, "agent", "Again", null, null, null,
                null);
        service.turn(today, "exec-daily");
        assertThat(service.turn(today, "exec-daily").error().message()).contains("budget for 2026-11-21")
                .contains("maxDollarsPerDay");
    }

    @Test
    void maxTurnsAndTheWallClockTimeout_endTheStep() {
        script = request -> toolCall("t" + turnOf(request), "write_note", "{\"turn\":" + turnOf(request) + "}",
                10, 10);
        AgentTurnService service = service();
        StepSpec two = step(new StepSpec.Limits(2, null, null, null, null, null));
        service.turn(two, "exec-turns");
        service.turn(two, "exec-turns");
        TurnState third = service.turn(two, "exec-turns");
        assertThat(third.error().code()).isEqualTo(StepFailure.MAX_TURNS);
        assertThat(third.error().message()).contains("all 2 turns");

        StepSpec timed = step(new StepSpec.Limits(null, null, 60, null, null, null));
        service.turn(timed, "exec-time");
        clock.now = clock.now.plusSeconds(61);
        TurnState late = service.turn(timed, "exec-time");
        assertThat(late.error().code()).isEqualTo(StepFailure.STEP_TIMEOUT);
        assertThat(late.error().message()).contains("timeout of 60 s");
    }

    @Test
    void throttlingAndTransientFailures_areThrownForTheStateMachineToRetry_otherModelErrorsFailTheStep() {
        AtomicInteger attempts = new AtomicInteger();
        script = request -> {
            if (attempts.incrementAndGet() == 1) {
                throw new ModelException(ModelException.Kind.THROTTLED, "Too many requests");
            }
            if (attempts.get() == 2) {
                throw new ModelException(ModelException.Kind.TRANSIENT, "503");
            }
            return toolCall("t", "complete_step", "{\"text\":\"ok\"}", 1, 1);
        };
        AgentTurnService service = service();
        assertThatThrownBy(() -> service.turn(step(null), "exec-throttle"))
                .isInstanceOf(ModelThrottledException.class).hasMessageContaining("throttled turn 1");
        assertThatThrownBy(() -> service.turn(step(null), "exec-throttle"))
                .isInstanceOf(TurnTransientException.class);
        assertThat(service.turn(step(null), "exec-throttle").status()).isEqualTo(TurnState.DONE);

        script = request -> {
            throw new ModelException(ModelException.Kind.INVALID, "model id is not valid");
        };
        TurnState refused = service.turn(step(null), "exec-invalid");
        assertThat(refused.error().code()).isEqualTo(StepFailure.MODEL_ERROR);
        assertThat(refused.error().message()).contains("model id is not valid");
    }

    @Test
    void invalidInputAndUnknownAgents_failWithAClearError() {
        StepSpec bad = new StepSpec("acme", "run 1", "", agentId, null, "wizard", "", null, null, null, null);
        TurnState state = service().turn(bad, "exec-bad");
        assertThat(state.error().code()).isEqualTo(StepFailure.INVALID_STEP);
        assertThat(state.error().message()).contains("runId").contains("stepId").contains("stepType")
                .contains("prompt");

        StepSpec ghost = new StepSpec("acme", "run-1", "s", "agt_nope", null, null, "x", null, null, null, null);
        assertThat(service().turn(ghost, "exec-ghost").error().message())
                .contains("agent agt_nope does not exist in tenant acme");
    }

    @Test
    void aStepsModel_overridesTheAgentsModelId_inTheRequestTheCallLogAndThePrice() {
        script = request -> toolCall("t1", "complete_step", "{\"text\":\"done\"}", 1_000_000, 0);
        StepSpec onHaiku = new StepSpec("acme", "run-m", "cheap", agentId, null, "agent", "Be quick", null, null,
                null, null, "anthropic.claude-3-5-haiku-20241022-v1:0");

        TurnState done = service().turn(onHaiku, "exec-model");

        assertThat(done.status()).isEqualTo(TurnState.DONE);
        assertThat(requests).singleElement().satisfies(r -> assertThat(r.modelId())
                .isEqualTo("anthropic.claude-3-5-haiku-20241022-v1:0"));
        assertThat(calls.values()).singleElement().satisfies(c -> {
            assertThat(c.modelId()).isEqualTo("anthropic.claude-3-5-haiku-20241022-v1:0");
            assertThat(c.provider()).as("the agent's provider").isEqualTo("bedrock");
        });
        // priced as Haiku ($0.80 per million input tokens), not as the agent's skyloom.local ($3)
        assertThat(done.costMicroUsd()).isEqualTo(800_000L);

        StepSpec bad = new StepSpec("acme", "run-m", "bad", agentId, null, "agent", "x", null, null, null, null,
                "claude 3 haiku!");
        TurnState refused = service().turn(bad, "exec-bad-model");
        assertThat(refused.error().code()).isEqualTo(StepFailure.INVALID_STEP);
        assertThat(refused.error().message()).contains("model must be a model id of 1-200 characters");
    }

    @Test
    void endingATurnWithTextOnly_completesAPlainStep_butAGateMustGiveAVerdict() {
        script = request -> new ModelResponse(new Message(Role.ASSISTANT, List.of(new ContentBlock.Text("All done."))),
                StopReason.END_TURN, new TokenUsage(5, 5, 0, 0), 1);
        assertThat(service().turn(step(null), "exec-text").result().text()).isEqualTo("All done.");

        StepSpec gate = new StepSpec("acme", "run-1", "review", agentId, null, "gate", "Judge it", null, null, null,
                null);
        TurnState state = service().turn(gate, "exec-gate");
        assertThat(state.status()).isEqualTo(TurnState.CONTINUE);
        assertThat(requests.get(requests.size() - 1).system()).contains("gate_verdict");

        StepSpec planner = new StepSpec("acme", "run-1", "PLAN", agentId, null, StepSpec.SWARM_PLANNER, "Plan it",
                null, null, null, null);
        AgentTurnService service = service();
        assertThat(service.turn(planner, "exec-plan").status()).as("a plan is a submit_plan call, not text")
                .isEqualTo(TurnState.CONTINUE);
        assertThat(requests.get(requests.size() - 1).system()).contains("calling submit_plan", "swarm's planner");
        service.turn(planner, "exec-plan");
        assertThat(requests.get(requests.size() - 1).messages().get(2).text())
                .isEqualTo("You have not finished the step. Call submit_plan with the task list.");

        script = request -> toolCall("v1", "gate_verdict", "{\"verdict\":\"fail\",\"reasoning\":\"No tests.\"}",
                5, 5);
        TurnState judged = service().turn(gate, "exec-gate");
        assertThat(judged.result().result()).isEqualTo("FAIL");
        assertThat(eventTypes).containsSubsequence("GATE_VERDICT", "STEP_COMPLETE");
        ObjectNode verdict = events.get(eventTypes.indexOf("GATE_VERDICT"));
        assertThat(verdict.path("verdict").asText()).isEqualTo("fail");
        assertThat(verdict.path("result").asText()).isEqualTo("FAIL");
        assertThat(verdict.path("reasoning").asText()).isEqualTo("No tests.");
        assertThat(verdict.path("stepId").asText()).isEqualTo("review");
    }

    @Test
    void aDangerousCall_waitsForAPerson_andRunsOnlyOnceApproved() {
        script = request -> switch (turnOf(request)) {
            case 1 -> toolCall("t1", "delete_note", "{\"name\":\"old\"}", 10, 10);
            case 2 -> toolCall("t2", "delete_note", "{\"name\":\"other\"}", 10, 10);
            default -> toolCall("t3", "complete_step", "{\"text\":\"cleaned up\"}", 10, 10);
        };
        AgentTurnService service = service();

        TurnState waiting = service.turn(step(null), "exec-approve");
        assertThat(waiting.status()).isEqualTo(TurnState.APPROVAL);
        assertThat(waiting.pending().tool()).isEqualTo("delete_note");
        assertThat(waiting.pending().input().path("name").asText()).isEqualTo("old");
        assertThat(deletes).hasValue(0);
        String callKey = waiting.pending().callKey();

        // a decision about another call changes nothing, and the model is not asked again
        TurnState stillWaiting = service.turn(step(null), "exec-approve",
                new TurnState.Approval("other/1/0", "approve", null, "mallory"));
        assertThat(stillWaiting.status()).isEqualTo(TurnState.APPROVAL);
        assertThat(requests).hasSize(1);

        TurnState approved = service.turn(step(null), "exec-approve",
                new TurnState.Approval(callKey, "approve", "fine", "alice"));
        assertThat(approved.status()).isEqualTo(TurnState.CONTINUE);
        assertThat(deletes).hasValue(1);
        assertThat(eventTypes).contains("TOOL_APPROVAL_DECIDED");

        TurnState second = service.turn(step(null), "exec-approve");
        assertThat(second.status()).isEqualTo(TurnState.APPROVAL);
        TurnState rejected = service.turn(step(null), "exec-approve",
                new TurnState.Approval(second.pending().callKey(), "reject", "keep it", "bob"));
        assertThat(rejected.status()).isEqualTo(TurnState.CONTINUE);
        assertThat(deletes).as("a rejected call does not run").hasValue(1);
        assertThat(service.turn(step(null), "exec-approve").status()).isEqualTo(TurnState.DONE);
        ModelRequest third = requests.get(requests.size() - 1);
        assertThat(third.messages().get(third.messages().size() - 1).content().get(0))
                .isInstanceOfSatisfying(ContentBlock.ToolResult.class, r -> {
                    assertThat(r.error()).isTrue();
                    assertThat(r.content()).contains("rejected").contains("bob").contains("keep it");
                });
        assertThat(deletes).hasValue(1);
    }

    private StepStore failingStore() {
        return new StepStore() {
            @Override
            public Optional<String> get(String tenantId, String key) {
                return Optional.ofNullable(stepDocs.get(tenantId + "/" + key));
            }

            @Override
            public void put(String tenantId, String key, String json) {
                if (failStoreWriteContaining != null && key.contains(failStoreWriteContaining)
                        && --failOnNthWrite == 0) {
                    failStoreWriteContaining = null;
                    throw new IllegalStateException("simulated crash before " + key + " was written");
                }
                stepDocs.put(tenantId + "/" + key, json);
            }
        };
    }

    private static final class NoCalls implements LlmCallStore {
        @Override
        public void record(TenantId tenant, LlmCall call) {
        }

        @Override
        public Optional<LlmCall> find(TenantId tenant, String callId) {
            return Optional.empty();
        }

        @Override
        public Page<LlmCall> list(TenantId tenant, Filter filter, Optional<Map<String, String>> cursor,
                                      int limit) {
            return new Page<>(List.of(), Optional.empty());
        }

        @Override
        public List<UsageDay> usage(TenantId tenant, LocalDate from, LocalDate to) {
            return List.of();
        }

        @Override
        public List<UsageGroup> usageBy(TenantId tenant, GroupBy groupBy, LocalDate from, LocalDate to) {
            return List.of(new UsageGroup(groupBy.name(), 1, 2, 3, 4));
        }

        @Override
        public UsageGroup runUsage(TenantId tenant, String runId, String agentId) {
            return new UsageGroup(runId, 0, 0, 0, 0);
        }
    }

    private static final class MutableClock extends Clock {
        volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
