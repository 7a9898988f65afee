package dev.skyloom.core.agent.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.skyloom.core.agent.model.ToolSpec;
import dev.skyloom.core.api.ApiError;
import java.util.List;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

class ToolInvokerTest {
    private static final JsonNode SCHEMA = ToolJson.parse("""
            {"type": "object", "properties": {
               "query": {"type": "string", "minLength": 1},
               "limit": {"type": "integer", "minimum": 1, "maximum": 50},
               "mode": {"type": "string", "enum": ["fast", "deep"]}},
             "required": ["query"], "additionalProperties": false}""");

    private static Tool tool(String name, BiFunction<JsonNode, ToolContext, ToolResult> body) {
        return new Tool() {
            @Override
            public ToolSpec spec() {
                return new ToolSpec(name, "test tool", SCHEMA);
            }

            @Override
            public ToolResult call(JsonNode input, ToolContext context) {
                return body.apply(input, context);
            }
        };
    }

    private final ToolInvoker invoker = new ToolInvoker(200);
    private final List<Tool> offered = List.of(tool("search", (in, ctx) -> ToolResult.ok("found " + in.get("query"))),
            tool("boom", (in, ctx) -> {
                throw new IllegalStateException("secret internal detail");
            }), tool("refuse", (in, ctx) -> {
                throw ApiError.conflict("Task tsk_1 is claimed already by agt_2");
            }), tool("big", (in, ctx) -> ToolResult.ok("y".repeat(1000))));

    private ToolResult invoke(String name, String json) {
        return invoker.invoke(offered, name, ToolJson.parse(json), Contexts.agentStep());
    }

    @Test
    void validInput_runsTheTool() {
        assertThat(invoke("search", "{\"query\": \"q\", \"limit\": 5}").content()).isEqualTo("found \"q\"");
    }

    @Test
    void unknownTool_isAnError_namingTheAvailableTools() {
        ToolResult result = invoke("delete_everything", "{}");

        assertThat(result.error()).isTrue();
        assertThat(result.content()).contains("Unknown tool 'delete_everything'", "big, boom, refuse, search");
    }

    @Test
    void missingRequiredField_isAnError_namingIt() {
        ToolResult result = invoke("search", "{\"limit\": 5}");

        assertThat(result.error()).isTrue();
        assertThat(result.content()).contains("Invalid input for search", "query");
    }

    @Test
    void wrongType_andOutOfRange_andEnum_nameTheFieldAndWhatIsValid() {
        assertThat(invoke("search", "{\"query\": \"q\", \"limit\": \"five\"}").content())
                .contains("input.limit", "integer");
        assertThat(invoke("search", "{\"query\": \"q\", \"limit\": 500}").content()).contains("input.limit", "50");
        assertThat(invoke("search", "{\"query\": \"q\", \"mode\": \"slow\"}").content())
                .contains("input.mode", "fast", "deep");
        assertThat(invoke("search", "{\"query\": \"q\", \"extra\": 1}").content()).contains("extra");
    }

    @Test
    void nonObjectInput_isAnError() {
        assertThat(invoker.invoke(offered, "search", ToolJson.parse("[1]"), Contexts.agentStep()).content())
                .contains("must be a JSON object");
    }

    @Test
    void toolThatThrows_isAGenericError_withoutItsMessage() {
        ToolResult result = invoke("boom", "{\"query\": \"q\"}");

        assertThat(result.error()).isTrue();
        assertThat(result.content()).contains("internal error").doesNotContain("secret internal detail");
    }

    @Test
    void serviceRefusal_isAnError_withItsMessage() {
        assertThat(invoke("refuse", "{\"query\": \"q\"}").content()).contains("claimed already by agt_2");
    }

    @Test
    void largeResult_isCapped() {
        ToolResult result = invoke("big", "{\"query\": \"q\"}");

        assertThat(result.content()).hasSizeLessThanOrEqualTo(200).contains("[truncated:");
    }

    @Test
    void schemaWithRemoteReference_isRefused_notFetched() {
        Tool remote = new Tool() {
            @Override
            public ToolSpec spec() {
                return new ToolSpec("remote", "x", ToolJson.parse(
                        "{\"type\": \"object\", \"properties\": {\"a\": {\"$ref\": \"http://169.254.169.254/x\"}}}"));
            }

            @Override
            public ToolResult call(JsonNode input, ToolContext context) {
                return ToolResult.ok("ran");
            }
        };

        ToolResult result = invoker.invoke(List.of(remote), "remote", ToolJson.parse("{\"a\": 1}"),
                Contexts.agentStep());

        assertThat(result.error()).isTrue();
        assertThat(result.content()).contains("refers outside itself");
    }
}
