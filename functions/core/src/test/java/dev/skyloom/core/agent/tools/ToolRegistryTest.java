package dev.skyloom.core.agent.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.skyloom.core.agent.model.ToolSpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ToolRegistryTest {
    private final ToolRegistry registry = registry();

    private static ToolRegistry registry() {
        List<Tool> tools = new ArrayList<>(WorkspaceTools.all(new InMemoryWorkspace()));
        tools.add(new CompleteStepTool());
        tools.add(new GateVerdictTool());
        tools.add(new SubmitPlanTool(new dev.skyloom.core.resources.AgentService(
                dev.skyloom.core.resources.TestDocumentStores.inMemory(), java.time.Clock.systemUTC())));
        return ToolRegistry.of(tools);
    }

    private static Tool named(String name) {
        return new Tool() {
            @Override
            public ToolSpec spec() {
                return new ToolSpec(name, "mcp", ToolJson.parse("{\"type\": \"object\"}"));
            }

            @Override
            public ToolResult call(JsonNode input, ToolContext context) {
                return ToolResult.ok("");
            }
        };
    }

    private static List<String> names(List<Tool> tools) {
        return tools.stream().map(Tool::name).toList();
    }

    @Test
    void emptyAllowlist_offersOnlyTheCompletionTool() {
        assertThat(names(registry.forAgent(List.of(), "agent"))).containsExactly("complete_step");
        assertThat(names(registry.forAgent(List.of(), "gate"))).containsExactly("gate_verdict");
    }

    @Test
    void allowlist_offersExactlyTheNamedTools_sorted_completionLast() {
        assertThat(names(registry.forAgent(List.of("write_file", "read_file", "no_such_tool"), "agent")))
                .containsExactly("read_file", "write_file", "complete_step");
    }

    @Test
    void completionTools_followTheStepType_notTheAllowlist() {
        assertThat(names(registry.forAgent(List.of("gate_verdict", "read_file"), "agent")))
                .containsExactly("read_file", "complete_step");
        assertThat(names(registry.forAgent(List.of("complete_step"), "gate"))).containsExactly("gate_verdict");
        assertThat(names(registry.forAgent(List.of("submit_plan", "read_file"), "agent")))
                .as("submit_plan is the planner step's, not the allowlist's").containsExactly("read_file",
                        "complete_step");
        assertThat(names(registry.forAgent(List.of("complete_step", "read_file"), "swarm-planner")))
                .containsExactly("read_file", "submit_plan");
    }

    @Test
    void mcpTools_areAllowedByExactName_orByServer() {
        List<Tool> mcp = List.of(named("github__create_issue"), named("github__search"), named("jira__create"));

        assertThat(names(registry.forAgent(List.of("github__search"), "agent", mcp)))
                .containsExactly("github__search", "complete_step");
        assertThat(names(registry.forAgent(List.of("github"), "agent", mcp)))
                .containsExactly("github__create_issue", "github__search", "complete_step");
    }

    @Test
    void unknownNames_areReported() {
        assertThat(registry.unknownNames(List.of("read_file", "rm_rf", "github"), List.of(named("github__x"))))
                .containsExactly("rm_rf");
    }
}
