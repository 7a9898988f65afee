package dev.skyloom.core.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.skyloom.core.agent.tools.Tool;
import dev.skyloom.core.agent.tools.ToolContext;
import dev.skyloom.core.agent.tools.ToolResult;

/**
 * Runs one tool call: checks the input against the tool's schema, runs it, caps what it returns. Never throws for
 * anything the model did: a bad call is an error result the model can react to.
 */
@FunctionalInterface
public interface ToolRunner {

    ToolResult run(Tool tool, JsonNode input, ToolContext context);
}
