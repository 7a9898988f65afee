package dev.skyloom.core.runs;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The port to the engine that runs pipelines' state machines (Step Functions; the local cloud's engine speaks the
 * same API). Names are state machine names; the adapter turns them into ARNs of the deployment's account and region.
 */
public interface PipelineEngine {

    /**
     * An execution as DescribeExecution tells it.
     *
     * @param status RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED
     * @param input  the execution's input (JSON)
     */
    record Execution(String arn, String status, Instant startedAt, Instant stoppedAt, String input, String output,
                     String error, String cause) {
    }

    /**
     * One event of an execution's history, reduced to what runs need.
     *
     * @param type              the history event type, e.g. {@code TaskStateEntered}, {@code TaskScheduled}
     * @param stateName         the state of {@code *StateEntered}/{@code *StateExited}, else null
     * @param parameters        a {@code TaskScheduled}'s resolved parameters (JSON), else null
     * @param assignedVariables a {@code *StateExited}'s assigned variables (name → JSON), else empty
     */
    record HistoryEvent(long id, String type, Instant time, String stateName, String parameters,
                        Map<String, String> assignedVariables) {
    }

    /**
     * Creates the state machine, or updates it, and publishes a version.
     *
     * @return the ARN of the published version
     */
    String deploy(String stateMachineName, String definition, String versionDescription);

    /** Deletes the state machine (its versions and running executions go with it); absent is fine. */
    void delete(String stateMachineName);

    /**
     * Starts an execution of a published version. An execution of that name that exists already (a retried request)
     * is answered with its ARN.
     */
    String start(String versionArn, String executionName, String input);

    Optional<Execution> describe(String executionArn);

    /** Stops a running execution; one that has finished is left as it is. */
    void stop(String executionArn, String error, String cause);

    List<HistoryEvent> history(String executionArn);

    /**
     * Completes a task token.
     *
     * @return false when the token is no longer valid (the task finished, timed out or the execution ended)
     */
    boolean sendTaskSuccess(String taskToken, String output);
}
