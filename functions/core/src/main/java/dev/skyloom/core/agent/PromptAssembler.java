package dev.skyloom.core.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.skyloom.core.api.Json;
import dev.skyloom.core.resources.Agent;
import dev.skyloom.core.resources.Skill;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Builds the first prompt of a step. The order is fixed and documented in {@code docs/agents.md}:
 * <ol>
 *   <li>system: identity (name, role) and persona (identity and soul, Markdown);</li>
 *   <li>system: the agent's system prompt (role instructions);</li>
 *   <li>system: how a step works here (turns, tools, how to finish: {@code complete_step} or {@code gate_verdict},
 *       the output schema when the step has one);</li>
 *   <li>system: skills — those whose tags match the task are inlined whole, the rest are listed by name and
 *       description to be fetched with {@code load_skill};</li>
 *   <li>system: recalled memories, most relevant first;</li>
 *   <li>user: the task, then its context as JSON.</li>
 * </ol>
 * Sections with nothing in them are left out. Same input, same prompt: nothing here depends on time or order of
 * maps, so a retried turn sends the model the same text.
 */
public final class PromptAssembler {
    /** Most skills inlined whole; the rest are listed. */
    public static final int MAX_INLINED_SKILLS = 3;

    /** The assembled prompt. */
    public record Prompt(String system, String user) {
    }

    /** One recalled memory as the prompt shows it. */
    public record Memory(String type, String content) {
    }

    public Prompt assemble(Agent agent, StepSpec step, List<Skill> skills, List<Memory> memories) {
        StringBuilder system = new StringBuilder();
        system.append("# Identity\nYou are ").append(agent.name());
        if (agent.role() != null && !agent.role().isBlank()) {
            system.append(", ").append(agent.role().strip());
        }
        system.append(".\n");
        if (agent.persona() != null && !agent.persona().isBlank()) {
            system.append('\n').append(agent.persona().strip()).append('\n');
        }
        if (agent.systemPrompt() != null && !agent.systemPrompt().isBlank()) {
            system.append("\n# Instructions\n").append(agent.systemPrompt().strip()).append('\n');
        }
        system.append("\n# How you work\n")
                .append("You work in turns. In each turn you may call tools; their results come back in the next "
                        + "message. Use only the tools you are given.\n");
        if ("gate".equals(step.stepType())) {
            system.append("You are a gate: judge the work against the criteria of the task and finish by calling "
                    + "gate_verdict with verdict \"pass\" or \"fail\" and your reasoning. A fail must say what to fix.\n");
        } else if (StepSpec.SWARM_PLANNER.equals(step.stepType())) {
            system.append("You are a swarm's planner: split the goal of the task into tasks for the agents and "
                    + "finish by calling submit_plan with the task list (key, title, prompt, agent, dependencies, "
                    + "timeoutSeconds, and optionally model and maxRetries). A task starts as soon as the tasks it "
                    + "depends on have completed, so make independent work independent; a prompt may quote a "
                    + "dependency's answer with {{deps.<key>.output}}. An invalid plan comes back as an error naming "
                    + "each problem: fix them and submit again.\n");
        } else {
            system.append("When the task is done, call complete_step with your final answer as text, the result "
                    + "value the task asks for (if any) and structured output (if the task has an output schema).\n");
        }
        if (step.outputSchema() != null) {
            system.append("The output of complete_step must satisfy this JSON Schema:\n```json\n")
                    .append(json(step.outputSchema())).append("\n```\n");
        }

        List<Skill> enabled = skills.stream().filter(Skill::enabled).toList();
        List<Skill> inlined = matching(enabled, step.prompt());
        List<Skill> listed = enabled.stream().filter(s -> !inlined.contains(s)).toList();
        if (!enabled.isEmpty()) {
            system.append("\n# Skills\n");
            for (Skill skill : inlined) {
                system.append("\n## Skill: ").append(skill.name()).append('\n').append(body(skill.markdown()).strip())
                        .append('\n');
            }
            if (!listed.isEmpty()) {
                system.append("\nMore skills, loaded on demand with load_skill {\"name\": ...}:\n");
                for (Skill skill : listed) {
                    system.append("- ").append(skill.name()).append(": ").append(skill.description()).append('\n');
                }
            }
        }
        if (!memories.isEmpty()) {
            system.append("\n# What you remember\n");
            for (Memory memory : memories) {
                system.append("- [").append(memory.type()).append("] ").append(oneLine(memory.content())).append('\n');
            }
        }

        StringBuilder user = new StringBuilder("# Task\n").append(step.prompt().strip()).append('\n');
        if (step.context() != null && !step.context().isNull() && !step.context().isEmpty()) {
            user.append("\n# Context\n```json\n").append(json(step.context())).append("\n```\n");
        }
        return new Prompt(system.toString(), user.toString());
    }

    /**
     * Skills to inline: those with a tag (or name) that appears as a word of the task, in the order given, at most
     * {@link #MAX_INLINED_SKILLS}.
     */
    static List<Skill> matching(List<Skill> skills, String prompt) {
        Set<String> words = words(prompt);
        List<Skill> out = new ArrayList<>();
        for (Skill skill : skills) {
            if (out.size() == MAX_INLINED_SKILLS) {
                break;
            }
            boolean match = words.contains(skill.name().toLowerCase(Locale.ROOT))
                    || skill.tags().stream().anyMatch(tag -> words.contains(tag.toLowerCase(Locale.ROOT)));
            if (match) {
                out.add(skill);
            }
        }
        return out;
    }

    private static Set<String> words(String text) {
        Set<String> words = new TreeSet<>();
        for (String word : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}_-]+")) {
            if (!word.isEmpty()) {
                words.add(word);
            }
        }
        return words;
    }

    /** The Markdown after the front matter. */
    private static String body(String markdown) {
        String text = markdown.replace("\r\n", "\n");
        if (text.startsWith("---\n")) {
            int end = text.indexOf("\n---", 3);
            if (end >= 0) {
                int next = text.indexOf('\n', end + 4);
                return next < 0 ? "" : text.substring(next + 1);
            }
        }
        return text;
    }

    private static String oneLine(String text) {
        String line = text.strip().replaceAll("\\s+", " ");
        return line.length() > 500 ? line.substring(0, 500) + "…" : line;
    }

    private static String json(com.fasterxml.jackson.databind.JsonNode node) {
        try {
            return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree is always writable", e);
        }
    }
}
