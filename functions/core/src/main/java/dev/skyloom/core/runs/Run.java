package dev.skyloom.core.runs;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Set;

/**
 * A pipeline run as stored (collection {@code RUN}, id the run id, which names its first execution).
 *
 * @param status     QUEUED (stored, not started yet), RUNNING, SUCCEEDED, FAILED, TIMED_OUT, CANCELLED; refreshed
 *                   from the execution whenever the run is read
 * @param executions the ARNs of its executions: the first, then one per {@code /retry} ({@code <runId>-r<n>})
 * @param createdBy  the user or API key that started it
 */
public record Run(String pipelineId, long pipelineVersion, String projectId, JsonNode input, String scenario,
                  JsonNode scenarios, String status, List<String> executions, String createdBy, String error,
                  String cause) {

    public static final Set<String> STATUSES = Set.of("QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT",
            "CANCELLED");

    public Run {
        executions = executions == null ? List.of() : List.copyOf(executions);
    }

    public boolean finished() {
        return !status.equals("QUEUED") && !status.equals("RUNNING");
    }

    public String currentExecution() {
        return executions.isEmpty() ? null : executions.getLast();
    }

    Run with(String status, List<String> executions, String error, String cause) {
        return new Run(pipelineId, pipelineVersion, projectId, input, scenario, scenarios, status, executions,
                createdBy, error, cause);
    }
}
