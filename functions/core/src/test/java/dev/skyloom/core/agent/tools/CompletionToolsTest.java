package dev.skyloom.core.agent.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CompletionToolsTest {
    private final ToolInvoker invoker = ToolInvoker.create();
    private final List<Tool> tools = List.of(new CompleteStepTool(), new GateVerdictTool());

    @Test
    void completeStep_withoutSchema_completesWithTextOutputAndResult() {
        ToolResult result = invoker.invoke(tools, "complete_step", ToolJson.parse(
                "{\"text\": \"done\", \"output\": {\"n\": 1}, \"result\": \"PASS\"}"), Contexts.agentStep());

        assertThat(result.error()).isFalse();
        assertThat(result.completion()).hasValueSatisfying(c -> {
            assertThat(c.text()).isEqualTo("done");
            assertThat(c.output().get("n").asInt()).isEqualTo(1);
            assertThat(c.result()).isEqualTo("PASS");
        });
    }

    @Test
    void completeStep_withInvalidOutput_isAnError_sayingWhatFailed_andDoesNotComplete() {
        ToolContext context = Contexts.context("agent", Optional.of(ToolJson.parse("""
                {"type": "object", "properties": {"score": {"type": "integer", "maximum": 10},
                 "summary": {"type": "string"}}, "required": ["score", "summary"]}""")), "e/1/0");

        ToolResult result = invoker.invoke(tools, "complete_step",
                ToolJson.parse("{\"text\": \"t\", \"output\": {\"score\": 11}}"), context);
        ToolResult missing = invoker.invoke(tools, "complete_step", ToolJson.parse("{\"text\": \"t\"}"), context);
        ToolResult fixed = invoker.invoke(tools, "complete_step",
                ToolJson.parse("{\"text\": \"t\", \"output\": {\"score\": 7, \"summary\": \"ok\"}}"), context);

        assertThat(result.error()).isTrue();
        assertThat(result.completion()).isEmpty();
        assertThat(result.content()).contains("output.score", "10", "summary");
        assertThat(missing.content()).contains("needs 'output'");
        assertThat(fixed.completion()).isPresent();
    }

    @Test
    void gateVerdict_completesWithPassOrFail() {
        ToolContext gate = Contexts.context("gate", Optional.empty(), "e/1/0");

        ToolResult pass = invoker.invoke(tools, "gate_verdict",
                ToolJson.parse("{\"verdict\": \"pass\", \"reasoning\": \"tests green\"}"), gate);
        ToolResult bad = invoker.invoke(tools, "gate_verdict",
                ToolJson.parse("{\"verdict\": \"maybe\", \"reasoning\": \"x\"}"), gate);

        assertThat(pass.completion()).hasValueSatisfying(c -> {
            assertThat(c.result()).isEqualTo("PASS");
            assertThat(c.text()).isEqualTo("tests green");
            assertThat(c.output().get("verdict").asText()).isEqualTo("pass");
        });
        assertThat(bad.error()).isTrue();
        assertThat(bad.content()).contains("input.verdict", "pass", "fail");
    }
}
