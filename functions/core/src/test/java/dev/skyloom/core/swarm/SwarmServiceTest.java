package dev.skyloom.core.swarm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.core.api.ApiError;
import dev.skyloom.core.identity.Principal;
import dev.skyloom.core.identity.TenantId;
import dev.skyloom.core.resources.Agent;
import dev.skyloom.core.resources.AgentService;
import dev.skyloom.core.resources.TestDocumentStores;
import dev.skyloom.core.runs.PipelineEngine;
import dev.skyloom.core.store.DocumentStore;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The swarm API's service with fakes behind its ports: an engine that records, in-memory documents and state. */
class SwarmServiceTest {
    static final String MACHINE = "arn:aws:states:us-east-1:000000000000:stateMachine:skyloom-swarm";
    final Principal admin = new Principal(new TenantId("acme"), "k1", null, Set.of("*"), false);
    final DocumentStore documents = TestDocumentStores.inMemory();
    final Clock clock = Clock.systemUTC();
    final AgentService agents = new AgentService(documents, clock);
    final SwarmRuntimeTest.MemoryStore store = new SwarmRuntimeTest.MemoryStore();
    final List<SwarmEvents.Event> emitted = new ArrayList<>();
    final SwarmRuntime runtime = new SwarmRuntime(store, (t, o) -> {
    }, clock, SwarmRuntimeTest.JSON, emitted::addAll);

    /** Step Functions as far as the service uses it: starts recorded, statuses set by the test. */
    final class Engine implements PipelineEngine {
        final Map<String, String> inputs = new HashMap<>();
        final Map<String, String> status = new HashMap<>();
        final List<String> stopped = new ArrayList<>();
        RuntimeException failStart;

        @Override
        public String start(String machine, String name, String input) {
            if (failStart != null) {
                throw failStart;
            }
            String arn = machine.replace(":stateMachine:", ":execution:") + ":" + name;
            inputs.put(name, input);
            status.put(arn, "RUNNING");
            return arn;
        }

        @Override
        public Optional<Execution> describe(String arn) {
            return Optional.ofNullable(status.get(arn)).map(s -> new Execution(arn, s, Instant.now(), null, null, null,
                    s.equals("ABORTED") ? "SWARM_CANCELLED" : null, null));
        }

        @Override
        public void stop(String arn, String error, String cause) {
            stopped.add(arn + " " + error);
            status.put(arn, "ABORTED");
        }

        @Override
        public String deploy(String name, String definition, String description) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void delete(String name) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<HistoryEvent> history(String arn) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean sendTaskSuccess(String token, String output) {
            throw new UnsupportedOperationException();
        }
    }

    final Engine engine = new Engine();
    final SwarmService service = new SwarmService(documents, clock, agents, tenant -> 3, engine, MACHINE, store,
            runtime);
    String coder;

    @BeforeEach
    void agent() {
        coder = agents.create(admin, new Agent("coder", null, null, null,
                new Agent.Model("bedrock", "skyloom.local", 0.2, 1000), null, List.of(), List.of(), List.of(), "none",
                null)).id();
    }

    static JsonNode json(String text) throws Exception {
        return SwarmRuntimeTest.JSON.readTree(text);
    }

    @Test
    void start_resolvesAgents_takesProjectIdOutOfTheValidatedBody_andStartsTheExecutionNamedByTheSwarm()
            throws Exception {
        ObjectNode created = service.start(admin, json("""
                {"projectId": "prj_1", "name": "ship", "tasks": [{"key": "a", "prompt": "p", "agent": "coder"},
                 {"key": "b", "prompt": "q {{deps.a.output}}", "agent": "coder", "dependencies": ["a"]}]}"""));

        String id = created.get("id").asText();
        assertThat(id).matches("swm_[0-9a-f]{16}");
        assertThat(created.get("status").asText()).isEqualTo("RUNNING");
        assertThat(created.get("projectId").asText()).isEqualTo("prj_1");
        assertThat(created.get("taskCount").asInt()).isEqualTo(2);
        assertThat(created.get("maxConcurrent").asInt()).isEqualTo(3);
        assertThat(created.has("executionArn")).isFalse();
        JsonNode input = json(engine.inputs.get(id));
        assertThat(input.get("tenantId").asText()).isEqualTo("acme");
        assertThat(input.get("swarmId").asText()).isEqualTo(id);
        assertThat(input.get("projectId").asText()).isEqualTo("prj_1");
        assertThat(input.at("/swarm/tasks/1/agentId").asText()).isEqualTo(coder);
        assertThat(input.at("/swarm/tasks/1/dependencies/0").asText()).isEqualTo("a");
        assertThat(input.at("/swarm/failurePolicy").asText()).isEqualTo("skip-dependents");
        assertThat(input.at("/swarm/tasks/0/agent").isMissingNode()).as("names resolved to ids").isTrue();
        assertThat(input.at("/swarm/tasks/0/timeoutSeconds").asInt()).isEqualTo(SwarmSpec.DEFAULT_TASK_TIMEOUT_SECONDS);
        assertThat(input.at("/swarm/name").isMissingNode()).isTrue();
        assertThat(input.at("/swarm/projectId").isMissingNode()).isTrue();
        assertThat(created.at("/summary/tasks").asInt()).as("before the scheduler's init").isZero();
    }

    @Test
    void aPlannedSwarm_passesItsGoalAndPlanner_andNoTasks_forThePlanState() throws Exception {
        String id = service.start(admin, json("{\"goal\": \"ship it\", \"planner\": \"coder\", \"maxConcurrent\": 2}"))
                .get("id").asText();
        JsonNode swarm = json(engine.inputs.get(id)).get("swarm");
        assertThat(swarm.get("goal").asText()).isEqualTo("ship it");
        assertThat(swarm.get("plannerAgentId").asText()).isEqualTo(coder);
        assertThat(swarm.has("tasks")).as("the scheduler takes plan.tasks when swarm.tasks is absent").isFalse();
        assertThat(swarm.has("planner")).isFalse();
        assertThat(swarm.get("maxConcurrent").asInt()).isEqualTo(2);
    }

    @Test
    void start_refusesWhatTheValidatorRefuses_withTheTenantsLimit_andStartsNothing() throws Exception {
        ApiError tooMany = catchThrowableOfType(ApiError.class, () -> service.start(admin, json("""
                {"tasks": [{"key": "a", "prompt": "p", "agent": "coder"}, {"key": "b", "prompt": "p", "agent": "coder"},
                 {"key": "c", "prompt": "p", "agent": "coder"}, {"key": "d", "prompt": "p", "agent": "coder"}]}""")));
        assertThat(tooMany.getMessage()).isEqualTo("Invalid swarm: tasks has 4 tasks; this tenant's limit is 3");
        ApiError project = catchThrowableOfType(ApiError.class, () -> service.start(admin, json(
                "{\"projectId\": 5, \"tasks\": [{\"key\": \"a\", \"prompt\": \"p\", \"agent\": \"coder\"}]}")));
        assertThat(project.details()).extracting(ApiError.Detail::field).containsExactly("projectId");
        ApiError large = catchThrowableOfType(ApiError.class, () -> service.start(admin, json(
                "{\"tasks\": [{\"key\": \"a\", \"prompt\": \"" + "p".repeat(99_000) + "\", \"agent\": \"coder\"},"
                        + "{\"key\": \"b\", \"prompt\": \"" + "p".repeat(99_000) + "\", \"agent\": \"coder\"},"
                        + "{\"key\": \"c\", \"prompt\": \"" + "p".repeat(99_000) + "\", \"agent\": \"coder\"}]}")));
        assertThat(large.getMessage()).contains("more than Step Functions takes");
        assertThat(engine.inputs).isEmpty();
        assertThat(service.list(admin, null, null, Optional.empty(), 100).items()).isEmpty();
    }

    @Test
    void aStartThatFails_leavesTheSwarmFailed() throws Exception {
        engine.failStart = new IllegalStateException("throttled");
        catchThrowableOfType(IllegalStateException.class, () -> service.start(admin, json(
                "{\"tasks\": [{\"key\": \"a\", \"prompt\": \"p\", \"agent\": \"coder\"}]}")));
        List<ObjectNode> swarms = service.list(admin, null, null, Optional.empty(), 100).items();
        assertThat(swarms).singleElement().satisfies(s -> {
            assertThat(s.get("status").asText()).isEqualTo("FAILED");
            assertThat(s.get("error").asText()).isEqualTo("START_FAILED");
        });
    }

    @Test
    void cancel_stopsTheExecution_finishesTheState_andASecondCancelIs409() throws Exception {
        String id = service.start(admin, json("""
                {"tasks": [{"key": "a", "prompt": "p", "agent": "coder"},
                 {"key": "b", "prompt": "p", "agent": "coder", "dependencies": ["a"]}]}""")).get("id").asText();
        runtime.init(json(engine.inputs.get(id)));
        runtime.next("acme", id, 0, null); // a runs
        emitted.clear();

        ObjectNode cancelled = service.cancel(admin, id);

        assertThat(engine.stopped).containsExactly(MACHINE.replace(":stateMachine:", ":execution:") + ":" + id
                + " SWARM_CANCELLED");
        assertThat(cancelled.get("status").asText()).isEqualTo("CANCELLED");
        assertThat(cancelled.at("/summary/counts/cancelled").asInt()).isEqualTo(1);
        assertThat(cancelled.at("/summary/counts/skipped").asInt()).isEqualTo(1);
        assertThat(service.taskList(admin, id)).extracting(t -> t.get("status").asText())
                .containsExactly("cancelled", "skipped");
        assertThat(emitted).extracting(SwarmEvents.Event::type).containsExactly("SWARM_TASK_CANCELLED",
                "SWARM_TASK_SKIPPED", "SWARM_FAILED");
        ApiError again = catchThrowableOfType(ApiError.class, () -> service.cancel(admin, id));
        assertThat(again.status()).isEqualTo(409);
        ApiError other = catchThrowableOfType(ApiError.class, () -> service.get(
                new Principal(new TenantId("other"), "k2", null, Set.of("*"), false), id));
        assertThat(other.status()).isEqualTo(404);
    }

    @Test
    void anExecutionStoppedFromOutside_isCancelledOnRead_andItsRunningTasksEnd() throws Exception {
        String id = service.start(admin, json("{\"tasks\": [{\"key\": \"a\", \"prompt\": \"p\", \"agent\": \"coder\"}]}"))
                .get("id").asText();
        runtime.init(json(engine.inputs.get(id)));
        runtime.next("acme", id, 0, null);
        engine.status.replaceAll((arn, s) -> "ABORTED");

        ObjectNode view = service.view(admin, id);

        assertThat(view.get("status").asText()).isEqualTo("CANCELLED");
        assertThat(service.taskList(admin, id).getFirst().get("status").asText()).isEqualTo("cancelled");
        assertThat(service.list(admin, "CANCELLED", null, Optional.empty(), 100).items()).hasSize(1);
        assertThat(service.list(admin, "RUNNING", null, Optional.empty(), 100).items()).isEmpty();
    }
}
