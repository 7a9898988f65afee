package dev.skyloom.core.agent.tools;

import com.fasterxml.jackson.databind.JsonNode;
import dev.skyloom.core.api.ApiError;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one tool call for the runtime: finds the tool among those offered, validates the input against the tool's
 * schema, runs it and caps what goes back to the model. It never throws: every failure is an error result the model
 * can read and react to (an unknown tool names the available ones; invalid input names the field and what is valid).
 *
 * <p>Approval of dangerous calls is the runtime's decision before it calls here ({@link Tool#dangerous(JsonNode)}).
 */
public final class ToolInvoker {
    private static final Logger LOG = LoggerFactory.getLogger(ToolInvoker.class);
    /** What a result may hold by default: about 12k tokens. */
    public static final int DEFAULT_MAX_RESULT_CHARS = 50_000;
    private static final int MAX_PROBLEMS = 10;

    private final int maxResultChars;

    public ToolInvoker(int maxResultChars) {
        if (maxResultChars < 100) {
            throw new IllegalArgumentException("maxResultChars must be at least 100, was " + maxResultChars);
        }
        this.maxResultChars = maxResultChars;
    }

    public static ToolInvoker create() {
        return new ToolInvoker(DEFAULT_MAX_RESULT_CHARS);
    }

    public ToolResult invoke(Collection<Tool> offered, String name, JsonNode input, ToolContext context) {
        Tool tool = offered.stream().filter(t -> t.name().equals(name)).findFirst().orElse(null);
        if (tool == null) {
            return ToolResult.error("Unknown tool '" + abbreviate(String.valueOf(name), 80) + "'. Available tools: "
                    + offered.stream().map(Tool::name).sorted().collect(Collectors.joining(", ")));
        }
        if (input == null || !input.isObject()) {
            return ToolResult.error("The input of " + name + " must be a JSON object; got "
                    + (input == null ? "nothing" : input.getNodeType().name().toLowerCase(java.util.Locale.ROOT)));
        }
        List<String> problems;
        try {
            problems = JsonSchemaCheck.problems(tool.spec().inputSchema(), input, "input");
        } catch (IllegalArgumentException e) {
            LOG.warn("event=tool_schema_unusable tool={} problem={}", name, e.getMessage());
            return ToolResult.error("Tool " + name + " cannot be called: its input schema is unusable ("
                    + e.getMessage() + ")");
        }
        if (!problems.isEmpty()) {
            return ToolResult.error("Invalid input for " + name + ": "
                    + String.join("; ", problems.subList(0, Math.min(MAX_PROBLEMS, problems.size())))
                    + (problems.size() > MAX_PROBLEMS ? "; and " + (problems.size() - MAX_PROBLEMS) + " more" : "")
                    + ". Fix the input to match the tool's schema and call it again.");
        }
        ToolResult result;
        try {
            result = tool.call(input, context);
            if (result == null) {
                LOG.error("event=tool_returned_null tool={} callKey={}", name, context.callKey());
                return ToolResult.error("Tool " + name + " failed: it returned nothing");
            }
        } catch (ToolException e) {
            return ToolResult.error(e.getMessage());
        } catch (ApiError e) {
            return ToolResult.error(name + " was refused: " + e.getMessage() + details(e));
        } catch (RuntimeException | StackOverflowError e) {
            LOG.error("event=tool_failed tool={} callKey={}", name, context.callKey(), e);
            return ToolResult.error("Tool " + name + " failed with an internal error ("
                    + e.getClass().getSimpleName() + "); it has been logged. Try again or use another approach.");
        }
        return cap(result);
    }

    private ToolResult cap(ToolResult result) {
        String content = result.content();
        if (content.length() <= maxResultChars) {
            return result;
        }
        int keep = maxResultChars - 80;
        if (Character.isHighSurrogate(content.charAt(keep - 1))) {
            keep--;
        }
        String capped = content.substring(0, keep) + "\n[truncated: " + keep + " of " + content.length()
                + " characters shown]";
        return new ToolResult(capped, result.error(), result.completion());
    }

    private static String details(ApiError e) {
        if (e.details().isEmpty()) {
            return "";
        }
        return " (" + e.details().stream().map(d -> d.field() + ": " + d.problem())
                .collect(Collectors.joining("; ")) + ")";
    }

    static String abbreviate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max) + "...";
    }
}
