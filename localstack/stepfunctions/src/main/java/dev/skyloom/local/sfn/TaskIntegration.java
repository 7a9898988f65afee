package dev.skyloom.local.sfn;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.CompletionStage;

/**
 * A service integration the engine calls for Task states (and Map ItemReaders). The host supplies them (Lambda,
 * SQS, DynamoDB, EventBridge, S3 through the AWS SDK); the engine tries them in registration order.
 */
public interface TaskIntegration {
    /** Whether this integration serves a resource ARN as written in the definition. */
    boolean supports(String resource);

    /**
     * Performs the call. Complete with the result JSON, or exceptionally with a {@link TaskFailedException} to fail
     * the state with that error and cause (any other exception becomes {@code States.TaskFailed}). For
     * {@link IntegrationPattern#WAIT_FOR_TASK_TOKEN} the completion only marks the request as submitted; the task
     * ends with SendTaskSuccess/SendTaskFailure.
     */
    CompletionStage<JsonNode> invoke(TaskRequest request);
}
