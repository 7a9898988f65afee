package dev.skyloom.core.agent.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.skyloom.core.identity.Principal;
import dev.skyloom.core.identity.TenantId;
import dev.skyloom.core.resources.Agent;
import dev.skyloom.core.resources.AgentService;
import dev.skyloom.core.resources.TestDocumentStores;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code submit_plan} over a real AgentService on the in-memory document store, called through the invoker. */
class SubmitPlanToolTest {
    private static final Principal PLANNER = new Principal(new TenantId("acme"), "agent:agt_p", null,
            Set.of("agents:read"), false);
    private final AgentService agents = new AgentService(TestDocumentStores.inMemory(), Clock.systemUTC());
    private final ToolInvoker invoker = ToolInvoker.create();
    private String coderId;

    @BeforeEach
    void setUp() {
        coderId = agents.create(PLANNER, agent("coder")).id();
        agents.create(PLANNER, agent("reviewer"));
    }

    private static Agent agent(String name) {
        return new Agent(name, null, null, null, new Agent.Model("bedrock", "skyloom.local", null, null), null, null,
                null, null, "none", null);
    }

    private ToolResult submit(String json, Principal caller) {
        return invoker.invoke(List.of(new SubmitPlanTool(agents)), SubmitPlanTool.NAME, ToolJson.parse(json),
                new ToolContext(caller, Optional.empty(), "swm_1", "PLAN", "agt_p", 1, "e/1/0", "swarm-planner",
                        Optional.empty()));
    }

    private ToolResult submit(String json) {
        return submit(json, PLANNER);
    }

    @Test
    void aValidPlan_completesTheStep_withTheTasksAgentsResolvedToIds() {
        ToolResult result = submit("""
                {"tasks": [{"key": "build", "prompt": "Build it", "agent": "coder"},
                           {"key": "review", "title": "Review", "prompt": "Review {{deps.build.output}}",
                            "agent": "reviewer", "dependencies": ["build"], "timeoutSeconds": 60,
                            "model": "anthropic.claude-3-5-haiku-20241022-v1:0", "maxRetries": 2}]}""");

        assertThat(result.error()).as(result.content()).isFalse();
        ToolResult.Completion done = result.completion().orElseThrow();
        assertThat(done.result()).isEqualTo("PLANNED");
        assertThat(done.text()).isEqualTo("A plan of 2 tasks: build, review");
        JsonNode tasks = done.output().get("tasks");
        assertThat(tasks).hasSize(2);
        assertThat(tasks.get(0).toString()).isEqualTo("{\"key\":\"build\",\"title\":\"build\",\"prompt\":\"Build it\","
                + "\"agentId\":\"" + coderId + "\",\"dependencies\":[],\"timeoutSeconds\":1800}");
        assertThat(tasks.get(1).path("agentId").asText()).startsWith("agt_").isNotEqualTo(coderId);
        assertThat(tasks.get(1).path("dependencies").toString()).isEqualTo("[\"build\"]");
        assertThat(tasks.get(1).path("model").asText()).isEqualTo("anthropic.claude-3-5-haiku-20241022-v1:0");
        assertThat(tasks.get(1).path("maxRetries").asInt()).isEqualTo(2);
    }

    @Test
    void aRejectedPlan_isAnErrorNamingEveryProblem_andTheStepGoesOn() {
        ToolResult result = submit("""
                {"tasks": [{"key": "a", "prompt": "A", "agent": "coder", "dependencies": ["c"]},
                           {"key": "b", "prompt": "B", "agent": "designer", "dependencies": ["a"]},
                           {"key": "c", "prompt": "C", "agent": "coder", "dependencies": ["a"]}]}""");

        assertThat(result.error()).isTrue();
        assertThat(result.completion()).isEmpty();
        assertThat(result.content()).isEqualTo("The plan was rejected (1 problem): tasks[1].agent 'designer' is not "
                + "an agent of this tenant; known: coder, reviewer. Fix the plan and call submit_plan again with the "
                + "whole task list.");

        ToolResult cycle = submit("""
                {"tasks": [{"key": "a", "prompt": "A", "agent": "coder", "dependencies": ["c"]},
                           {"key": "c", "prompt": "C", "agent": "coder", "dependencies": ["a"]}]}""");
        assertThat(cycle.error()).isTrue();
        assertThat(cycle.content()).contains("tasks have a dependency cycle: a -> c -> a");
    }

    @Test
    void aPlannerWithoutAgentsRead_isRefused() {
        Principal blind = new Principal(new TenantId("acme"), "agent:agt_p", null, Set.of("tasks:*"), false);
        ToolResult result = submit("{\"tasks\": [{\"key\": \"a\", \"prompt\": \"A\", \"agent\": \"coder\"}]}", blind);
        assertThat(result.error()).isTrue();
        assertThat(result.content()).contains("agents:read");
    }
}
