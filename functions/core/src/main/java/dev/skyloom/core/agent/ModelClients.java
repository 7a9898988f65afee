package dev.skyloom.core.agent;

import dev.skyloom.core.agent.model.ModelClient;
import dev.skyloom.core.resources.Agent;

/** Picks the model client for an agent's provider ({@code bedrock}, {@code openai-compatible}, {@code scripted}). */
@FunctionalInterface
public interface ModelClients {

    /** @throws StepFailure with {@link StepFailure#MODEL_ERROR} when the provider is not configured here */
    ModelClient forModel(dev.skyloom.core.identity.Principal agentPrincipal, Agent.Model model);
}
