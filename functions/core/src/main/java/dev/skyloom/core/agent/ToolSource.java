package dev.skyloom.core.agent;

import dev.skyloom.core.agent.tools.Tool;
import dev.skyloom.core.identity.Principal;
import dev.skyloom.core.resources.Agent;
import java.util.List;

/**
 * The tools a step may use: the agent's allowlist (default deny) plus what the step type requires
 * ({@code complete_step} in agent steps, {@code gate_verdict} in gates).
 */
@FunctionalInterface
public interface ToolSource {

    List<Tool> toolsFor(Principal agentPrincipal, Agent agent, StepSpec step);
}
