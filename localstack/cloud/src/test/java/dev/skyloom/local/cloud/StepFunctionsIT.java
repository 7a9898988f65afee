package dev.skyloom.local.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.Runtime;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;
import software.amazon.awssdk.services.sfn.model.HistoryEventType;
import software.amazon.awssdk.services.sfn.model.InvalidDefinitionException;
import software.amazon.awssdk.services.sfn.model.StateMachineDoesNotExistException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The Step Functions engine inside the local cloud, through the SDK v2 {@code SfnClient} on the edge, with its
 * integrations calling the local Lambda, SQS and DynamoDB for real.
 */
class StepFunctionsIT {
    private static final String ROLE = "arn:aws:iam::000000000000:role/sfn";
    private static final String PKG = "dev.skyloom.local.cloud.testfunctions.";

    @TempDir
    static Path dataDir;
    static LocalCloud cloud;
    static SfnClient sfn;
    static LambdaClient lambda;
    static SqsClient sqs;
    static DynamoDbClient dynamoDb;

    @BeforeAll
    static void start() throws Exception {
        cloud = new LocalCloud(LocalCloudConfig.ephemeral(dataDir, null)).start();
        URI edge = cloud.edgeEndpoint();
        sfn = TestClients.sfn(edge);
        lambda = TestClients.lambda(edge);
        sqs = TestClients.sqs(edge);
        dynamoDb = TestClients.dynamoDb(edge);
        for (String[] f : new String[][] {{"greet", "GreetingHandler"}, {"fail", "FailingHandler::fail"},
            {"flaky", "FlakyHandler"}}) {
            lambda.createFunction(b -> b.functionName(f[0]).runtime(Runtime.JAVA21).role(ROLE).handler(PKG + f[1])
                    .timeout(10).code(c -> c.zipFile(SdkBytes.fromByteArray(TestClients.testFunctionsZip()))));
        }
    }

    @AfterAll
    static void stop() {
        cloud.close();
    }

    private static String create(String name, String definition) {
        return sfn.createStateMachine(b -> b.name(name).roleArn(ROLE).definition(definition)).stateMachineArn();
    }

    private static DescribeExecutionResponse awaitEnd(String executionArn) {
        return Poll.until(Duration.ofSeconds(30), "execution " + executionArn + " to end", () -> {
            DescribeExecutionResponse d = sfn.describeExecution(b -> b.executionArn(executionArn));
            return d.status() == ExecutionStatus.RUNNING ? null : d;
        });
    }

    @Test
    void lambdaTasks_runTheLocalFunctions_directArnAndOptimizedIntegration() {
        String arn = create("lambda-tasks", """
                {"StartAt":"Direct","States":{
                  "Direct":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:000000000000:function:greet",
                            "ResultPath":"$.direct","Next":"Optimized"},
                  "Optimized":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
                            "Parameters":{"FunctionName":"greet","Payload":{"name.$":"$.name"}},
                            "ResultSelector":{"greeting.$":"$.Payload.greeting","status.$":"$.StatusCode"},
                            "ResultPath":"$.optimized","End":true}}}""");

        String execution = sfn.startExecution(b -> b.stateMachineArn(arn).input("{\"name\":\"Ada\"}")).executionArn();
        DescribeExecutionResponse done = awaitEnd(execution);

        assertThat(done.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(done.output()).contains("\"greeting\":\"hello Ada\"", "\"status\":200");
        List<HistoryEventType> types = sfn.getExecutionHistory(b -> b.executionArn(execution)).events().stream()
                .map(HistoryEvent::type).toList();
        assertThat(types).startsWith(HistoryEventType.EXECUTION_STARTED).endsWith(HistoryEventType.EXECUTION_SUCCEEDED)
                .contains(HistoryEventType.LAMBDA_FUNCTION_SCHEDULED, HistoryEventType.LAMBDA_FUNCTION_SUCCEEDED,
                        HistoryEventType.TASK_SCHEDULED, HistoryEventType.TASK_SUCCEEDED);
    }

    @Test
    void functionError_isTheStateError_andCatchRoutesIt() {
        String arn = create("catching", """
                {"StartAt":"Call","States":{
                  "Call":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
                          "Parameters":{"FunctionName":"fail","Payload":{"reason":"bad input"}},
                          "Retry":[{"ErrorEquals":["Lambda.TooManyRequestsException"],"MaxAttempts":2}],
                          "Catch":[{"ErrorEquals":["java.lang.IllegalStateException"],"ResultPath":"$.error","Next":"Handled"}],
                          "End":true},
                  "Handled":{"Type":"Pass","End":true}}}""");

        DescribeExecutionResponse done = awaitEnd(sfn.startExecution(b -> b.stateMachineArn(arn).input("{}"))
                .executionArn());

        assertThat(done.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(done.output()).contains("\"Error\":\"java.lang.IllegalStateException\"")
                .contains("the input was refused: bad input");
    }

    @Test
    void sqsWaitForTaskToken_waitsUntilSendTaskSuccess() {
        String queue = sqs.createQueue(b -> b.queueName("approvals")).queueUrl();
        String arn = create("approval", """
                {"StartAt":"Ask","States":{
                  "Ask":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                         "Parameters":{"QueueUrl":"%s","MessageBody":{"token.$":"$$.Task.Token","what":"deploy"}},
                         "TimeoutSeconds":60,"End":true}}}""".formatted(queue));
        String execution = sfn.startExecution(b -> b.stateMachineArn(arn).input("{}")).executionArn();

        Message message = Poll.until(Duration.ofSeconds(15), "the approval request on the queue", () ->
                sqs.receiveMessage(b -> b.queueUrl(queue).waitTimeSeconds(1)).messages().stream().findFirst()
                        .orElse(null));
        String token = message.body().replaceAll(".*\"token\":\"([^\"]+)\".*", "$1");
        assertThat(sfn.describeExecution(b -> b.executionArn(execution)).status()).isEqualTo(ExecutionStatus.RUNNING);

        sfn.sendTaskSuccess(b -> b.taskToken(token).output("{\"approved\":true}"));

        DescribeExecutionResponse done = awaitEnd(execution);
        assertThat(done.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(done.output()).isEqualTo("{\"approved\":true}");
    }

    @Test
    void dynamoDbTasks_writeAndReadItems() {
        dynamoDb.createTable(b -> b.tableName("sfn-items").billingMode("PAY_PER_REQUEST")
                .attributeDefinitions(a -> a.attributeName("id").attributeType(ScalarAttributeType.S))
                .keySchema(k -> k.attributeName("id").keyType("HASH")));
        String arn = create("dynamo", """
                {"StartAt":"Put","States":{
                  "Put":{"Type":"Task","Resource":"arn:aws:states:::dynamodb:putItem",
                         "Parameters":{"TableName":"sfn-items","Item":{"id":{"S.$":"$.id"},"state":{"S":"stored"}}},
                         "ResultPath":null,"Next":"Get"},
                  "Get":{"Type":"Task","Resource":"arn:aws:states:::dynamodb:getItem",
                         "Parameters":{"TableName":"sfn-items","Key":{"id":{"S.$":"$.id"}}},
                         "OutputPath":"$.Item","End":true}}}""");

        DescribeExecutionResponse done = awaitEnd(sfn.startExecution(b -> b.stateMachineArn(arn)
                .input("{\"id\":\"x1\"}")).executionArn());

        assertThat(done.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(done.output()).contains("\"state\":{\"S\":\"stored\"}");
        assertThat(dynamoDb.getItem(b -> b.tableName("sfn-items").key(Map.of("id", AttributeValue.fromS("x1"))))
                .item()).containsEntry("state", AttributeValue.fromS("stored"));
    }

    @Test
    void redrive_rerunsTheFailedStateOnly() throws Exception {
        Path marker = dataDir.resolve("flaky-fixed");
        String arn = create("redrivable", """
                {"StartAt":"First","States":{
                  "First":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:000000000000:function:greet",
                           "Parameters":{"name":"first"},"ResultPath":"$.first","Next":"Flaky"},
                  "Flaky":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:000000000000:function:flaky",
                           "Parameters":{"marker":"%s"},"ResultPath":"$.flaky","End":true}}}""".formatted(marker));
        String execution = sfn.startExecution(b -> b.stateMachineArn(arn).input("{}")).executionArn();
        assertThat(awaitEnd(execution).status()).isEqualTo(ExecutionStatus.FAILED);

        Files.writeString(marker, "fixed");
        sfn.redriveExecution(b -> b.executionArn(execution));
        DescribeExecutionResponse done = awaitEnd(execution);

        assertThat(done.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(done.output()).contains("\"fixed\":true", "hello first");
        long firstScheduled = sfn.getExecutionHistory(b -> b.executionArn(execution)).events().stream()
                .filter(e -> e.type() == HistoryEventType.LAMBDA_FUNCTION_SCHEDULED)
                .filter(e -> e.lambdaFunctionScheduledEventDetails().resource().endsWith(":greet")).count();
        assertThat(firstScheduled).as("the succeeded state is not run again").isEqualTo(1);
    }

    @Test
    void stopExecution_endsARunningExecutionAsAborted() {
        String arn = create("waiting", """
                {"StartAt":"Wait","States":{"Wait":{"Type":"Wait","Seconds":300,"End":true}}}""");
        String execution = sfn.startExecution(b -> b.stateMachineArn(arn)).executionArn();

        sfn.stopExecution(b -> b.executionArn(execution).error("Operator").cause("changed my mind"));

        DescribeExecutionResponse done = awaitEnd(execution);
        assertThat(done.status()).isEqualTo(ExecutionStatus.ABORTED);
    }

    @Test
    void badRequests_getStepFunctionsErrors() {
        assertThatThrownBy(() -> sfn.createStateMachine(b -> b.name("broken").roleArn(ROLE)
                .definition("{\"StartAt\":\"Nowhere\",\"States\":{\"A\":{\"Type\":\"Pass\",\"End\":true}}}")))
                .isInstanceOf(InvalidDefinitionException.class);
        assertThatThrownBy(() -> sfn.startExecution(b -> b.stateMachineArn(
                "arn:aws:states:us-east-1:000000000000:stateMachine:missing")))
                .isInstanceOf(StateMachineDoesNotExistException.class);
    }
}
