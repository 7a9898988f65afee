package dev.skyloom.local.cloud.sfn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.local.cloud.http.EdgeJsonClient;
import dev.skyloom.local.sfn.TaskFailedException;
import dev.skyloom.local.sfn.TaskIntegration;
import dev.skyloom.local.sfn.TaskRequest;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * The optimized integrations of AWS JSON protocol services: {@code arn:aws:states:::dynamodb:putItem|getItem|
 * updateItem|deleteItem}, {@code arn:aws:states:::sqs:sendMessage} and {@code arn:aws:states:::events:putEvents}
 * (each also with {@code .waitForTaskToken}).
 */
final class JsonServiceIntegration implements TaskIntegration {
    private record Operation(String service, String signingName, String jsonVersion, String target) {
    }

    private static final Map<String, Operation> OPERATIONS = Map.of(
            "arn:aws:states:::dynamodb:putItem", new Operation("DynamoDB", "dynamodb", "1.0", "DynamoDB_20120810.PutItem"),
            "arn:aws:states:::dynamodb:getItem", new Operation("DynamoDB", "dynamodb", "1.0", "DynamoDB_20120810.GetItem"),
            "arn:aws:states:::dynamodb:updateItem", new Operation("DynamoDB", "dynamodb", "1.0",
                    "DynamoDB_20120810.UpdateItem"),
            "arn:aws:states:::dynamodb:deleteItem", new Operation("DynamoDB", "dynamodb", "1.0",
                    "DynamoDB_20120810.DeleteItem"),
            "arn:aws:states:::sqs:sendMessage", new Operation("SQS", "sqs", "1.0", "AmazonSQS.SendMessage"),
            "arn:aws:states:::events:putEvents", new Operation("EventBridge", "events", "1.1", "AWSEvents.PutEvents"));

    private final EdgeJsonClient client;

    JsonServiceIntegration(EdgeJsonClient client) {
        this.client = client;
    }

    @Override
    public boolean supports(String resource) {
        return OPERATIONS.containsKey(base(resource));
    }

    private static String base(String resource) {
        return resource.endsWith(".waitForTaskToken")
                ? resource.substring(0, resource.length() - ".waitForTaskToken".length()) : resource;
    }

    @Override
    public CompletionStage<JsonNode> invoke(TaskRequest request) {
        Operation operation = OPERATIONS.get(base(request.resource()));
        JsonNode parameters = request.parameters() == null ? EdgeJsonClient.parse("{}") : request.parameters();
        if (!parameters.isObject()) {
            return CompletableFuture.failedFuture(new TaskFailedException("States.Runtime", "The Parameters of a "
                    + operation.service() + " task must be a JSON object"));
        }
        ObjectNode body = ((ObjectNode) parameters).deepCopy();
        if (operation.target().equals("AmazonSQS.SendMessage")) {
            JsonNode messageBody = body.get("MessageBody");
            if (messageBody != null && !messageBody.isTextual()) {
                body.put("MessageBody", messageBody.toString());
            }
        } else if (operation.target().equals("AWSEvents.PutEvents") && body.get("Entries") instanceof ArrayNode entries) {
            for (JsonNode entry : entries) {
                JsonNode detail = entry.get("Detail");
                if (entry instanceof ObjectNode object && detail != null && !detail.isTextual()) {
                    object.put("Detail", detail.toString());
                }
            }
        }
        return client.call(operation.service(), operation.signingName(), operation.jsonVersion(), operation.target(),
                body).exceptionally(error -> {
                    Throwable cause = error instanceof CompletionException ? error.getCause() : error;
                    if (cause instanceof EdgeJsonClient.AwsCallException call) {
                        // the Step Functions error of an optimized integration: <Service>.<ErrorCode>
                        throw new TaskFailedException(operation.service() + "." + call.code(), call.describe());
                    }
                    throw new CompletionException(cause);
                });
    }
}
