package dev.skyloom.local.sfn;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One invocation of a Task state's resource.
 *
 * @param resource the Resource as written, e.g. {@code arn:aws:states:::sqs:sendMessage.waitForTaskToken}
 * @param baseResource the resource without its {@code .sync}, {@code .sync:2} or {@code .waitForTaskToken} suffix
 * @param pattern the integration pattern the suffix selects
 * @param parameters the effective Parameters (JSONPath) or Arguments (JSONata)
 * @param taskToken the task token for {@link IntegrationPattern#WAIT_FOR_TASK_TOKEN}, else null
 * @param executionArn the execution running the task
 * @param stateName the Task state's name
 * @param timeoutSeconds the effective TimeoutSeconds, or null
 * @param heartbeatSeconds the effective HeartbeatSeconds, or null
 * @param credentials the state's Credentials field, or null
 * @param attempt 0 for the first attempt, then the retry number
 */
public record TaskRequest(String resource, String baseResource, IntegrationPattern pattern, JsonNode parameters,
        String taskToken, String executionArn, String stateName, Integer timeoutSeconds, Integer heartbeatSeconds,
        JsonNode credentials, int attempt) {
}
