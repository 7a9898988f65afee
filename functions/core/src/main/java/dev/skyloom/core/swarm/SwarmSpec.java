package dev.skyloom.core.swarm;

import java.util.List;

/**
 * A validated swarm: either {@code tasks} (a DAG, in the order given) or a {@code goal} for a {@code planner} agent
 * to decompose (then {@code tasks} is empty and {@code plannerAgentId} is set). {@code budget} may be null.
 * {@code maxRetries} is the default of tasks that give none: how many times a failed task is re-run, with its
 * failure as feedback, before it counts as failed.
 */
public record SwarmSpec(List<SwarmTask> tasks, String goal, String plannerAgentId, int maxConcurrent,
        FailurePolicy failurePolicy, int globalTimeoutSeconds, Budget budget, int maxRetries) {

    public static final int DEFAULT_MAX_CONCURRENT = 3;
    public static final int DEFAULT_GLOBAL_TIMEOUT_SECONDS = 86_400;
    public static final int DEFAULT_TASK_TIMEOUT_SECONDS = 1_800;

    /** The swarm's spending cap over all its tasks; either may be null (no cap). */
    public record Budget(Double maxDollars, Long maxTokens) {
    }

    public static final int DEFAULT_MAX_RETRIES = 0;
    public static final int MAX_RETRIES_LIMIT = 10;

    public SwarmSpec {
        tasks = List.copyOf(tasks);
    }

    /** A swarm whose tasks are not re-run after a failure unless they say so. */
    public SwarmSpec(List<SwarmTask> tasks, String goal, String plannerAgentId, int maxConcurrent,
            FailurePolicy failurePolicy, int globalTimeoutSeconds, Budget budget) {
        this(tasks, goal, plannerAgentId, maxConcurrent, failurePolicy, globalTimeoutSeconds, budget,
                DEFAULT_MAX_RETRIES);
    }

    public boolean planned() {
        return goal != null;
    }
}
