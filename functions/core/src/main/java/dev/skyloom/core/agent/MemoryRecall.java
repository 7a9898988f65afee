package dev.skyloom.core.agent;

import dev.skyloom.core.identity.Principal;
import java.util.List;

/** Recalls the memories most relevant to a task, for the first prompt of a step (personal and project vaults). */
@FunctionalInterface
public interface MemoryRecall {
    MemoryRecall NONE = (principal, agentId, projectId, query, limit) -> List.of();

    List<PromptAssembler.Memory> recall(Principal agentPrincipal, String agentId, String projectId, String query,
                                        int limit);
}
