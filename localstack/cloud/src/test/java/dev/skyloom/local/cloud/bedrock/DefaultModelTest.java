package dev.skyloom.local.cloud.bedrock;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DefaultModelTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ConverseCall call(String body) throws Exception {
        return ConverseCall.parse("skyloom.local", JSON.readTree(body));
    }

    @Test
    void fill_keepsOnlyDefinedProperties_andFillsRequiredOnesByType() throws Exception {
        JsonNode schema = JSON.readTree("""
                {"type":"object","required":["text","count","ratio","ok","tags","nested","kind","maybe"],
                 "properties":{"text":{"type":"string"},"count":{"type":"integer","minimum":2},
                   "ratio":{"type":"number"},"ok":{"type":"boolean"},
                   "tags":{"type":"array","minItems":1,"items":{"type":"string"}},
                   "nested":{"type":"object","required":["id"],"properties":{"id":{"type":"integer"}}},
                   "kind":{"enum":["a","b"]},"maybe":{"type":["null","string"]},"optional":{"type":"string"}}}""");

        JsonNode input = DefaultModel.fill(schema, Map.of("result", JsonNodeFactory.instance.textNode("DONE"),
                "count", JsonNodeFactory.instance.textNode("wrong type")), "the prompt");

        assertThat(input).isEqualTo(JSON.readTree("""
                {"text":"the prompt","count":2,"ratio":0.0,"ok":true,"tags":["the prompt"],"nested":{"id":0},
                 "kind":"a","maybe":"the prompt"}"""));
    }

    @Test
    void answer_isTheSameForTheSameRequest_andEstimatesTokensFromCharacters() throws Exception {
        String body = """
                {"messages":[{"role":"user","content":[{"text":"Write a haiku about rain"}]}],
                 "toolConfig":{"tools":[{"toolSpec":{"name":"complete_step","inputSchema":{"json":
                   {"type":"object","properties":{"text":{"type":"string"},"result":{"type":"string"}}}}}}]}}""";

        ModelAnswer first = DefaultModel.answer(call(body));
        ModelAnswer second = DefaultModel.answer(call(body));

        assertThat(first).isEqualTo(second);
        ModelAnswer.ToolUse use = (ModelAnswer.ToolUse) first.content().getFirst();
        assertThat(use.input()).isEqualTo(JSON.readTree(
                "{\"text\":\"Done: Write a haiku about rain\",\"result\":\"DONE\"}"));
        assertThat(first.usage().outputTokens()).isEqualTo((use.name().length() + use.input().toString().length() + 3) / 4);
        assertThat(first.usage().inputTokens()).isEqualTo((call(body).inputChars() + 3) / 4);
    }

    @Test
    void excerpt_isOneShortLine() {
        assertThat(DefaultModel.excerpt("  a\n\n b  ")).isEqualTo("a b");
        assertThat(DefaultModel.excerpt("x".repeat(200))).hasSize(80).endsWith("...");
        assertThat(DefaultModel.excerpt("")).isEqualTo("(no prompt)");
    }

    @Test
    void aMarkdownPrompt_isAnsweredFromItsFirstSection() {
        org.assertj.core.api.Assertions.assertThat(DefaultModel.excerpt("# Task\nSay hello\n\n# Context\n```json\n{}\n```"))
                .isEqualTo("Say hello");
        org.assertj.core.api.Assertions.assertThat(DefaultModel.excerpt("Plain  prompt\nwith lines"))
                .isEqualTo("Plain prompt with lines");
    }
}
