package dev.skyloom.core.agent.model;

import java.util.List;
import java.util.Objects;

/** One message of a conversation. */
public record Message(Role role, List<ContentBlock> content) {
    public Message {
        Objects.requireNonNull(role, "role");
        content = List.copyOf(content);
    }

    public static Message user(String text) {
        return new Message(Role.USER, List.of(new ContentBlock.Text(text)));
    }

    /** The text blocks joined by newlines; empty when there are none. */
    public String text() {
        StringBuilder out = new StringBuilder();
        for (ContentBlock block : content) {
            if (block instanceof ContentBlock.Text t) {
                if (!out.isEmpty()) {
                    out.append('\n');
                }
                out.append(t.text());
            }
        }
        return out.toString();
    }

    public List<ContentBlock.ToolUse> toolUses() {
        return content.stream().filter(ContentBlock.ToolUse.class::isInstance).map(ContentBlock.ToolUse.class::cast)
                .toList();
    }
}
