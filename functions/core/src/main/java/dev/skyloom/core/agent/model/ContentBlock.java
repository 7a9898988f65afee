package dev.skyloom.core.agent.model;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/** One block of a message: text, a tool call the model asks for, or the result of such a call. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = ContentBlock.Text.class, name = "text"),
        @JsonSubTypes.Type(value = ContentBlock.ToolUse.class, name = "toolUse"),
        @JsonSubTypes.Type(value = ContentBlock.ToolResult.class, name = "toolResult")})
public sealed interface ContentBlock {

    record Text(String text) implements ContentBlock {
        public Text {
            Objects.requireNonNull(text, "text");
        }
    }

    /**
     * A tool call.
     *
     * @param toolUseId the provider's id of the call, echoed by the matching {@link ToolResult}
     * @param input     the arguments, a JSON object
     */
    record ToolUse(String toolUseId, String name, JsonNode input) implements ContentBlock {
        public ToolUse {
            Objects.requireNonNull(toolUseId, "toolUseId");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(input, "input");
        }
    }

    /**
     * What a tool answered.
     *
     * @param content JSON text or plain text given back to the model
     * @param error   true when the call failed; the model sees the content as the error
     */
    record ToolResult(String toolUseId, String content, boolean error) implements ContentBlock {
        public ToolResult {
            Objects.requireNonNull(toolUseId, "toolUseId");
            Objects.requireNonNull(content, "content");
        }
    }
}
