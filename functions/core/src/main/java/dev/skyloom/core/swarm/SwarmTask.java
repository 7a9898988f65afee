package dev.skyloom.core.swarm;

import java.util.List;

/**
 * One validated task: its key (unique in the swarm), title, prompt (may use {@code {{deps.<key>.output}}} of its
 * dependencies), the resolved agent id, the keys it depends on (in the order given, no duplicates), its
 * wall-clock limit and an optional model id overriding the agent's.
 */
public record SwarmTask(String key, String title, String prompt, String agentId, List<String> dependencies,
        int timeoutSeconds, String model) {
    public SwarmTask {
        dependencies = List.copyOf(dependencies);
    }
}
