package dev.skyloom.core.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyloom.core.api.Json;
import dev.skyloom.core.resources.Agent;
import dev.skyloom.core.resources.Skill;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The order and content of the first prompt, as docs/agents.md documents them. */
class PromptAssemblerTest {
    private final PromptAssembler assembler = new PromptAssembler();
    private final Agent agent = new Agent("Ada", "a careful reviewer", "## Identity\nPrecise.\n\n## Soul\nKind.",
            "Review code for bugs.", new Agent.Model("bedrock", "skyloom.local", null, null), null, List.of(), List.of(),
            List.of(), null, null);

    private static Skill skill(String name, String description, List<String> tags, boolean enabled) {
        return new Skill(name, description, tags, enabled, "---\nname: " + name + "\n---\nHow to " + name + ".\n");
    }

    private static StepSpec step(String type, String prompt, String context, String schema) throws Exception {
        return new StepSpec("acme", "run-1", "review", "agt_1", null, type, prompt,
                context == null ? null : Json.MAPPER.readTree(context),
                schema == null ? null : Json.MAPPER.readTree(schema), null, null);
    }

    @Test
    void sectionsComeInTheDocumentedOrder_andEmptyOnesAreLeftOut() throws Exception {
        PromptAssembler.Prompt prompt = assembler.assemble(agent, step("agent", "Review the java diff", "{\"pr\": 42}",
                        "{\"type\":\"object\"}"),
                List.of(skill("java", "Java idioms", List.of("jvm"), true),
                        skill("sql", "SQL tuning", List.of("db"), true),
                        skill("go", "Go idioms", List.of("golang"), false)),
                List.of(new PromptAssembler.Memory("lesson", "Check null handling first.\n  Always.")));

        String system = prompt.system();
        assertThat(system).startsWith("# Identity\nYou are Ada, a careful reviewer.\n\n## Identity\nPrecise.");
        assertThat(system.indexOf("# Identity")).isLessThan(system.indexOf("# Instructions"));
        assertThat(system.indexOf("# Instructions")).isLessThan(system.indexOf("# How you work"));
        assertThat(system.indexOf("# How you work")).isLessThan(system.indexOf("# Skills"));
        assertThat(system.indexOf("# Skills")).isLessThan(system.indexOf("# What you remember"));
        assertThat(system).contains("call complete_step").contains("must satisfy this JSON Schema");
        assertThat(system).as("a skill whose name is a word of the task is inlined, its front matter dropped")
                .contains("## Skill: java\nHow to java.").doesNotContain("name: java");
        assertThat(system).as("other enabled skills are listed for load_skill").contains("- sql: SQL tuning");
        assertThat(system).as("disabled skills are not offered").doesNotContain("go");
        assertThat(system).contains("- [lesson] Check null handling first. Always.");
        assertThat(prompt.user()).isEqualTo("# Task\nReview the java diff\n\n# Context\n```json\n{\n  \"pr\" : 42\n}\n```\n");
    }

    @Test
    void aGateIsToldToGiveAVerdict_andAMinimalAgentGetsOnlyWhatItHas() throws Exception {
        Agent bare = new Agent("Bo", null, null, null, new Agent.Model("bedrock", "skyloom.local", null, null), null, List.of(),
                List.of(), List.of(), null, null);
        PromptAssembler.Prompt prompt = assembler.assemble(bare, step("gate", "Is it done?", null, null), List.of(),
                List.of());

        assertThat(prompt.system()).startsWith("# Identity\nYou are Bo.\n\n# How you work")
                .contains("gate_verdict").doesNotContain("# Skills").doesNotContain("# What you remember")
                .doesNotContain("# Instructions");
        assertThat(prompt.user()).isEqualTo("# Task\nIs it done?\n");
    }

    @Test
    void theSameInputGivesTheSamePrompt() throws Exception {
        StepSpec step = step("agent", "Review the java diff", "{\"b\": 1, \"a\": 2}", null);
        List<Skill> skills = List.of(skill("java", "Java idioms", List.of("jvm"), true));
        assertThat(assembler.assemble(agent, step, skills, List.of()))
                .isEqualTo(assembler.assemble(agent, step, skills, List.of()));
    }
}
