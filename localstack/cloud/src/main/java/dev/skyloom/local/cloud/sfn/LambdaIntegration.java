package dev.skyloom.local.cloud.sfn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.local.cloud.http.EdgeJsonClient;
import dev.skyloom.local.sfn.TaskFailedException;
import dev.skyloom.local.sfn.TaskIntegration;
import dev.skyloom.local.sfn.TaskRequest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.LambdaException;

/**
 * Lambda tasks: a function ARN as the resource (the result is the function's answer) and the optimized
 * {@code arn:aws:states:::lambda:invoke} (the result wraps it in {@code Payload}, {@code StatusCode}, ...), with
 * {@code .waitForTaskToken}. A function error fails the state with its {@code errorType} as the error and the error
 * document as the cause; a Lambda service error becomes {@code Lambda.<ErrorCode>}, as on AWS.
 */
final class LambdaIntegration implements TaskIntegration {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String INVOKE = "arn:aws:states:::lambda:invoke";

    private final LambdaClient lambda;
    private final ExecutorService executor;

    LambdaIntegration(LambdaClient lambda, ExecutorService executor) {
        this.lambda = lambda;
        this.executor = executor;
    }

    @Override
    public boolean supports(String resource) {
        return resource.equals(INVOKE) || resource.equals(INVOKE + ".waitForTaskToken")
                || resource.matches("arn:aws[a-z-]*:lambda:[a-z0-9-]+:\\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9_$-]+)?");
    }

    @Override
    public CompletionStage<JsonNode> invoke(TaskRequest request) {
        boolean optimized = request.resource().startsWith(INVOKE);
        JsonNode parameters = request.parameters();
        String function;
        String payload;
        String invocationType = "RequestResponse";
        String qualifier = null;
        if (optimized) {
            if (parameters == null || !parameters.hasNonNull("FunctionName")) {
                return CompletableFuture.failedFuture(new TaskFailedException("States.Runtime",
                        "The Parameters of a lambda:invoke task must contain FunctionName"));
            }
            function = parameters.get("FunctionName").asText();
            JsonNode p = parameters.get("Payload");
            payload = p == null || p.isNull() ? "{}" : p.toString();
            invocationType = parameters.path("InvocationType").asText("RequestResponse");
            qualifier = parameters.hasNonNull("Qualifier") ? parameters.get("Qualifier").asText() : null;
        } else {
            function = request.resource();
            payload = parameters == null ? "{}" : parameters.toString();
        }
        String type = invocationType;
        String version = qualifier;
        return CompletableFuture.supplyAsync(() -> {
            InvokeResponse response;
            try {
                response = lambda.invoke(b -> b.functionName(function).invocationType(type).qualifier(version)
                        .payload(SdkBytes.fromUtf8String(payload)));
            } catch (LambdaException e) {
                String code = e.awsErrorDetails() == null ? "AWSLambdaException" : e.awsErrorDetails().errorCode();
                throw new TaskFailedException("Lambda." + code, e.getMessage());
            } catch (RuntimeException e) {
                throw new TaskFailedException("Lambda.SdkClientException", String.valueOf(e.getMessage()));
            }
            String answer = response.payload() == null ? "" : response.payload().asUtf8String();
            if (response.functionError() != null) {
                JsonNode error = EdgeJsonClient.parse(answer);
                String errorType = error.path("errorType").asText("");
                throw new TaskFailedException(errorType.isEmpty() ? "Lambda.Unknown" : errorType, answer);
            }
            JsonNode result = answer.isEmpty() ? JSON.nullNode() : EdgeJsonClient.parse(answer);
            if (!optimized) {
                return result;
            }
            ObjectNode wrapped = JSON.createObjectNode();
            wrapped.put("ExecutedVersion", response.executedVersion() == null ? "$LATEST" : response.executedVersion());
            wrapped.set("Payload", result);
            ObjectNode metadata = wrapped.putObject("SdkHttpMetadata");
            metadata.put("HttpStatusCode", response.statusCode());
            wrapped.putObject("SdkResponseMetadata").put("RequestId",
                    response.responseMetadata().requestId() == null ? "" : response.responseMetadata().requestId());
            wrapped.put("StatusCode", response.statusCode());
            return wrapped;
        }, executor);
    }
}
