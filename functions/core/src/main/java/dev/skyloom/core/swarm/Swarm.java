package dev.skyloom.core.swarm;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;

/**
 * A swarm as the API stores it (collection {@code SWARMRUN} of the main table, id the swarm id, which names its
 * execution of the swarm state machine). The scheduler's own state is a separate item ({@code SWARM#<id>#STATE},
 * {@link SwarmStore}); the spec, task results and summary are documents in the workspaces bucket.
 *
 * @param status RUNNING, SUCCEEDED, FAILED, TIMED_OUT, CANCELLED; refreshed from the execution when read
 * @param goal   the goal of a planned swarm (its tasks come from the planner), else null
 */
public record Swarm(String name, String projectId, String goal, String plannerAgentId, int taskCount,
                    int maxConcurrent, String failurePolicy, int globalTimeoutSeconds, JsonNode budget,
                    String status, String executionArn, String createdBy, String error, String cause) {

    public static final Set<String> STATUSES = Set.of("RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "CANCELLED");

    public boolean finished() {
        return !status.equals("RUNNING");
    }

    Swarm with(String status, String error, String cause) {
        return new Swarm(name, projectId, goal, plannerAgentId, taskCount, maxConcurrent, failurePolicy,
                globalTimeoutSeconds, budget, status, executionArn, createdBy, error, cause);
    }
}
