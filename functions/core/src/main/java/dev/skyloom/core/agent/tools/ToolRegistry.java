package dev.skyloom.core.agent.tools;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * All built-in tools by name, and the subset an agent is offered.
 *
 * <p>Default deny: an agent gets a tool only when its allowlist ({@code Agent.tools}) names it. Two tools are not
 * the agent's choice but the step's, and the runtime offers them by step type whatever the allowlist says:
 * {@value CompleteStepTool#NAME} on every step but a gate (it is how a step ends with its output), and
 * {@value GateVerdictTool#NAME} on gate steps only (a gate ends with a verdict, not with free output), and
 * {@value SubmitPlanTool#NAME} instead of both on a swarm's planning step (it ends with a task list). Naming any of
 * them in an allowlist changes nothing.
 *
 * <p>Tools of MCP servers are passed in per agent (they come from the servers the agent is configured with) and go
 * through the same allowlist: an entry names one tool ({@code github__create_issue}) or every tool of a server
 * ({@code github}). The separator is {@value #MCP_SEPARATOR}, not a dot: Bedrock allows only letters, digits,
 * {@code _} and {@code -} in tool names, and no built-in tool has a double underscore.
 */
public final class ToolRegistry {
    /** The step type whose completion is a verdict. */
    public static final String GATE_STEP = "gate";
    /** The step type whose completion is a swarm's plan ({@code StepSpec.SWARM_PLANNER}). */
    public static final String SWARM_PLANNER_STEP = "swarm-planner";
    /** Between an MCP server's name and its tool's name. */
    public static final String MCP_SEPARATOR = "__";

    private final Map<String, Tool> tools;

    private ToolRegistry(Map<String, Tool> tools) {
        this.tools = Collections.unmodifiableMap(tools);
    }

    /** A registry of these tools; names must be unique. */
    public static ToolRegistry of(Collection<? extends Tool> tools) {
        Map<String, Tool> byName = new TreeMap<>();
        for (Tool tool : tools) {
            if (byName.put(tool.name(), tool) != null) {
                throw new IllegalArgumentException("two tools are named " + tool.name());
            }
        }
        return new ToolRegistry(byName);
    }

    public Optional<Tool> find(String name) {
        return Optional.ofNullable(tools.get(name));
    }

    /** Every name, sorted. */
    public Set<String> names() {
        return tools.keySet();
    }

    /**
     * The tools offered to an agent on a step: those of {@code allowlist} that exist (built-in or among
     * {@code mcpTools}), plus the step's completion tool. Names the allowlist holds that match nothing are left out
     * (see {@link #unknownNames}). The result is ordered by name, completion tool last, so the prompt is stable.
     */
    public List<Tool> forAgent(Collection<String> allowlist, String stepType, Collection<? extends Tool> mcpTools) {
        Set<String> allowed = new LinkedHashSet<>(allowlist);
        Map<String, Tool> offered = new TreeMap<>();
        for (Tool tool : tools.values()) {
            if (allowed.contains(tool.name()) && !isCompletionTool(tool.name())) {
                offered.put(tool.name(), tool);
            }
        }
        for (Tool tool : mcpTools) {
            String name = tool.name();
            String server = server(name);
            if ((allowed.contains(name) || allowed.contains(server)) && !tools.containsKey(name)) {
                offered.put(name, tool);
            }
        }
        List<Tool> result = new ArrayList<>(offered.values());
        String completion = GATE_STEP.equals(stepType) ? GateVerdictTool.NAME
                : SWARM_PLANNER_STEP.equals(stepType) ? SubmitPlanTool.NAME : CompleteStepTool.NAME;
        Tool completionTool = tools.get(completion);
        if (completionTool != null) {
            result.add(completionTool);
        }
        return List.copyOf(result);
    }

    public List<Tool> forAgent(Collection<String> allowlist, String stepType) {
        return forAgent(allowlist, stepType, List.of());
    }

    /** The allowlist's names that match no built-in tool and no MCP tool or server: worth a warning to the author. */
    public List<String> unknownNames(Collection<String> allowlist, Collection<? extends Tool> mcpTools) {
        Set<String> known = new LinkedHashSet<>(tools.keySet());
        for (Tool tool : mcpTools) {
            known.add(tool.name());
            known.add(server(tool.name()));
        }
        return allowlist.stream().filter(name -> !known.contains(name)).sorted().toList();
    }

    private static String server(String mcpToolName) {
        int separator = mcpToolName.indexOf(MCP_SEPARATOR);
        return separator < 0 ? mcpToolName : mcpToolName.substring(0, separator);
    }

    static boolean isCompletionTool(String name) {
        return name.equals(CompleteStepTool.NAME) || name.equals(GateVerdictTool.NAME)
                || name.equals(SubmitPlanTool.NAME);
    }
}
