package dev.skyloom.core.agent.tools;

import com.fasterxml.jackson.databind.JsonNode;
import dev.skyloom.core.agent.model.ToolSpec;
import java.util.Locale;

/**
 * {@code gate_verdict}: ends a gate step with {@code pass} or {@code fail} and the reasoning. The completion's
 * {@code result} is {@code PASS} or {@code FAIL} (what a pipeline's {@code onResult} matches), its {@code output}
 * {@code {"verdict": "pass", "reasoning": "..."}} and its text the reasoning.
 */
public final class GateVerdictTool implements Tool {
    public static final String NAME = "gate_verdict";
    private static final ToolSpec SPEC = new ToolSpec(NAME, """
            Give this gate's verdict and finish the step: 'verdict' is pass or fail, 'reasoning' says why, citing \
            what you checked.""", ToolJson.parse("""
            {"type": "object",
             "properties": {
               "verdict": {"type": "string", "enum": ["pass", "fail"]},
               "reasoning": {"type": "string", "minLength": 1, "maxLength": 20000}
             },
             "required": ["verdict", "reasoning"], "additionalProperties": false}"""));

    @Override
    public ToolSpec spec() {
        return SPEC;
    }

    @Override
    public ToolResult call(JsonNode input, ToolContext context) {
        String verdict = input.get("verdict").asText();
        String reasoning = input.get("reasoning").asText();
        var output = ToolJson.object().put("verdict", verdict).put("reasoning", reasoning);
        return ToolResult.completed("Verdict recorded: " + verdict + ".",
                new ToolResult.Completion(reasoning, output, verdict.toUpperCase(Locale.ROOT)));
    }
}
