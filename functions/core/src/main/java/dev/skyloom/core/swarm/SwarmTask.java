package dev.skyloom.core.swarm;

import java.util.List;

/**
 * One validated task: its key (unique in the swarm), title, prompt (may use {@code {{deps.<key>.output}}} of its
 * dependencies), the resolved agent id, the keys it depends on (in the order given, no duplicates), its
 * wall-clock limit, an optional model id overriding the agent's, and how many times a failure is re-run before the
 * task counts as failed ({@code maxRetries}; null: the swarm's default).
 */
public record SwarmTask(String key, String title, String prompt, String agentId, List<String> dependencies,
        int timeoutSeconds, String model, Integer maxRetries) {
    public SwarmTask {
        dependencies = List.copyOf(dependencies);
    }

    /** A task with the swarm's default retries. */
    public SwarmTask(String key, String title, String prompt, String agentId, List<String> dependencies,
            int timeoutSeconds, String model) {
        this(key, title, prompt, agentId, dependencies, timeoutSeconds, model, null);
    }
}
