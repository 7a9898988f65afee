package dev.skyloom.core.agent.tools;

import com.fasterxml.jackson.databind.JsonNode;
import dev.skyloom.core.agent.model.ToolSpec;
import dev.skyloom.core.resources.Agent;
import dev.skyloom.core.resources.AgentService;
import dev.skyloom.core.resources.Skill;
import dev.skyloom.core.resources.SkillService;
import java.util.List;

/**
 * {@code load_skill}: the Markdown of one of the agent's skills (those its {@code skills} list names, enabled),
 * loaded on demand so the prompt carries only their names and descriptions.
 */
public final class LoadSkillTool implements Tool {
    private static final ToolSpec SPEC = new ToolSpec("load_skill", """
            Load the full instructions of one of your skills by name.""", ToolJson.parse("""
            {"type": "object", "properties": {"name": {"type": "string", "pattern": "^[a-z0-9_-]{1,64}$"}},
             "required": ["name"], "additionalProperties": false}"""));
    private final SkillService skills;
    private final AgentService agents;

    public LoadSkillTool(SkillService skills, AgentService agents) {
        this.skills = skills;
        this.agents = agents;
    }

    @Override
    public ToolSpec spec() {
        return SPEC;
    }

    @Override
    public ToolResult call(JsonNode input, ToolContext context) {
        if (!context.caller().allows("skills:read")) {
            throw new ToolException("This agent's credential lacks the scope skills:read.");
        }
        String name = input.get("name").asText();
        Agent agent = agents.get(context.caller(), context.agentId()).doc();
        List<String> own = agent.skills() == null ? List.of() : agent.skills();
        if (!own.contains(name)) {
            return ToolResult.error("'" + name + "' is not one of your skills. Your skills: "
                    + (own.isEmpty() ? "none" : String.join(", ", own)));
        }
        Skill skill = skills.get(context.caller(), name).doc();
        if (!skill.enabled()) {
            return ToolResult.error("The skill " + name + " is disabled.");
        }
        return ToolResult.ok(skill.markdown());
    }
}
