package dev.skyloom.core.agent.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.core.agent.model.ToolSpec;
import java.util.List;

/**
 * {@code complete_step}: ends a step with its answer ({@code text}), its structured {@code output} and optionally a
 * {@code result} that drives the pipeline's {@code onResult}. When the step has an output schema the output must
 * satisfy it: otherwise the call is an error telling the model what failed, and the step goes on so it can fix it.
 */
public final class CompleteStepTool implements Tool {
    public static final String NAME = "complete_step";
    private static final ToolSpec SPEC = new ToolSpec(NAME, """
            Finish this step. Call it exactly once, when the work is done: 'text' is your final answer in prose, \
            'output' the structured result (required when the step defines an output schema, and then it must match \
            it), 'result' an optional short outcome label such as PASS, FAIL or NEEDS_WORK.""", ToolJson.parse("""
            {"type": "object",
             "properties": {
               "text": {"type": "string", "minLength": 1, "maxLength": 100000,
                        "description": "the final answer in prose"},
               "output": {"description": "structured output; must match the step's output schema when it has one"},
               "result": {"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_-]{0,63}$",
                          "description": "outcome label for the pipeline's onResult, e.g. PASS"}
             },
             "required": ["text"], "additionalProperties": false}"""));

    @Override
    public ToolSpec spec() {
        return SPEC;
    }

    /**
     * The spec offered to the model of a step with an output schema: {@code output} is that schema and required, so
     * the model sees what it must produce in the tool's definition rather than only in an error after a wrong call.
     * The call itself is checked against the step's schema either way.
     */
    public static ToolSpec specFor(JsonNode outputSchema) {
        if (outputSchema == null) {
            return SPEC;
        }
        ObjectNode schema = SPEC.inputSchema().deepCopy();
        ObjectNode output = outputSchema.deepCopy();
        output.put("description", "structured output; must match this schema");
        ((ObjectNode) schema.get("properties")).set("output", output);
        schema.putArray("required").add("text").add("output");
        return new ToolSpec(NAME, SPEC.description(), schema);
    }

    @Override
    public ToolResult call(JsonNode input, ToolContext context) {
        String text = input.get("text").asText();
        JsonNode output = input.get("output");
        if (output != null && output.isNull()) {
            output = null;
        }
        String result = ToolJson.text(input, "result");
        if (context.outputSchema().isPresent()) {
            JsonNode schema = context.outputSchema().get();
            if (output == null) {
                return ToolResult.error("complete_step needs 'output': this step requires structured output "
                        + "matching this JSON Schema: " + ToolInvoker.abbreviate(schema.toString(), 4000)
                        + ". Call complete_step again with 'output'.");
            }
            List<String> problems = JsonSchemaCheck.problems(schema, output, "output");
            if (!problems.isEmpty()) {
                return ToolResult.error("The output does not match the step's output schema: "
                        + String.join("; ", problems.subList(0, Math.min(10, problems.size())))
                        + ". Schema: " + ToolInvoker.abbreviate(schema.toString(), 4000)
                        + ". Fix the output and call complete_step again.");
            }
        }
        return ToolResult.completed("Step completed.", new ToolResult.Completion(text, output, result));
    }
}
