package dev.skyloom.local.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.InvalidEventPatternException;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResponse;
import software.amazon.awssdk.services.eventbridge.model.ResourceNotFoundException;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.Runtime;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionListItem;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/** The local EventBridge through the SDK v2 client: rules with patterns deliver events to SQS, Lambda and Step Functions. */
class EventBridgeIT {
    @TempDir
    static Path dataDir;
    static LocalCloud cloud;
    static EventBridgeClient events;
    static SqsClient sqs;

    @BeforeAll
    static void start() throws Exception {
        cloud = new LocalCloud(LocalCloudConfig.ephemeral(dataDir, null)).start();
        events = EventBridgeClient.builder().endpointOverride(cloud.edgeEndpoint()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .build();
        sqs = TestClients.sqs(cloud.edgeEndpoint());
    }

    @AfterAll
    static void stop() {
        cloud.close();
    }

    private static PutEventsResponse put(String bus, String detailType, String detail) {
        return events.putEvents(b -> b.entries(e -> e.eventBusName(bus).source("skyloom.runs").detailType(detailType)
                .detail(detail)));
    }

    @Test
    void rule_deliversMatchingEventsToAQueue_andOnlyThose() {
        String bus = events.createEventBus(b -> b.name("skyloom-test")).eventBusArn();
        String queue = sqs.createQueue(b -> b.queueName("run-events")).queueUrl();
        events.putRule(b -> b.name("step-events").eventBusName("skyloom-test")
                .eventPattern("{\"source\":[\"skyloom.runs\"],\"detail-type\":[{\"prefix\":\"STEP_\"}]}"));
        events.putTargets(b -> b.rule("step-events").eventBusName("skyloom-test").targets(t -> t.id("q")
                .arn("arn:aws:sqs:us-east-1:000000000000:run-events")));

        PutEventsResponse accepted = put("skyloom-test", "STEP_COMPLETE", "{\"runId\":\"r1\"}");
        put("skyloom-test", "RUN_CREATED", "{\"runId\":\"r1\"}");

        assertThat(bus).isEqualTo("arn:aws:events:us-east-1:000000000000:event-bus/skyloom-test");
        assertThat(accepted.failedEntryCount()).isZero();
        List<Message> messages = sqs.receiveMessage(b -> b.queueUrl(queue).waitTimeSeconds(2).maxNumberOfMessages(10))
                .messages();
        assertThat(messages).hasSize(1);
        assertThat(messages.getFirst().body()).contains("\"detail-type\":\"STEP_COMPLETE\"", "\"source\":\"skyloom.runs\"",
                "\"detail\":{\"runId\":\"r1\"}", "\"id\":\"" + accepted.entries().getFirst().eventId() + "\"");
    }

    @Test
    void targets_lambdaAndStepFunctions_receiveTheTransformedEvent() throws Exception {
        LambdaClient lambda = TestClients.lambda(cloud.edgeEndpoint());
        lambda.createFunction(b -> b.functionName("event-writer").runtime(Runtime.JAVA21)
                .role("arn:aws:iam::000000000000:role/x").handler("dev.skyloom.local.cloud.testfunctions.FileWriterHandler")
                .code(c -> c.zipFile(SdkBytes.fromByteArray(TestClients.testFunctionsZip()))));
        SfnClient sfn = TestClients.sfn(cloud.edgeEndpoint());
        String machine = sfn.createStateMachine(b -> b.name("on-event").roleArn("arn:aws:iam::000000000000:role/x")
                .definition("{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\",\"End\":true}}}")).stateMachineArn();
        Path written = dataDir.resolve("from-eventbridge.txt");
        events.putRule(b -> b.name("to-lambda-and-sfn").eventPattern("{\"detail\":{\"kind\":[\"deploy\"]}}"));
        events.putTargets(b -> b.rule("to-lambda-and-sfn").targets(
                t -> t.id("fn").arn("arn:aws:lambda:us-east-1:000000000000:function:event-writer")
                        .input("\"" + written + "\""),
                t -> t.id("sm").arn(machine).inputTransformer(x -> x.inputPathsMap(java.util.Map.of("k", "$.detail.kind"))
                        .inputTemplate("{\"what\": \"<k>\"}"))));

        put("default", "DEPLOY", "{\"kind\":\"deploy\"}");

        Poll.until(Duration.ofSeconds(20), "the Lambda target to run", () -> Files.exists(written));
        List<ExecutionListItem> executions = Poll.until(Duration.ofSeconds(10), "an execution", () -> {
            List<ExecutionListItem> list = sfn.listExecutions(b -> b.stateMachineArn(machine)).executions();
            return list.isEmpty() ? null : list;
        });
        String input = sfn.describeExecution(b -> b.executionArn(executions.getFirst().executionArn())).input();
        assertThat(input).isEqualTo("{\"what\": \"deploy\"}");
    }

    @Test
    void badInput_getsEventBridgeErrors() {
        assertThatThrownBy(() -> events.putRule(b -> b.name("bad").eventPattern("{\"source\":\"not-an-array\"}")))
                .isInstanceOf(InvalidEventPatternException.class).hasMessageContaining("must be an array");
        assertThatThrownBy(() -> events.putTargets(b -> b.rule("no-such-rule").targets(t -> t.id("x")
                .arn("arn:aws:sqs:us-east-1:000000000000:q")))).isInstanceOf(ResourceNotFoundException.class)
                .hasMessageContaining("Rule no-such-rule does not exist");
        PutEventsResponse malformed = events.putEvents(b -> b.entries(e -> e.source("s").detailType("d")
                .detail("not json")));
        assertThat(malformed.failedEntryCount()).isEqualTo(1);
        assertThat(malformed.entries().getFirst().errorCode()).isEqualTo("MalformedDetail");
    }

    @Test
    void stepFunctionsPutEventsIntegration_publishesToTheBus() {
        String queue = sqs.createQueue(b -> b.queueName("from-sfn")).queueUrl();
        events.putRule(b -> b.name("sfn-events").eventPattern("{\"source\":[\"skyloom.sfn\"]}"));
        events.putTargets(b -> b.rule("sfn-events").targets(t -> t.id("q")
                .arn("arn:aws:sqs:us-east-1:000000000000:from-sfn")));
        SfnClient sfn = TestClients.sfn(cloud.edgeEndpoint());
        String machine = sfn.createStateMachine(b -> b.name("emit").roleArn("arn:aws:iam::000000000000:role/x")
                .definition("""
                        {"StartAt":"Emit","States":{"Emit":{"Type":"Task","Resource":"arn:aws:states:::events:putEvents",
                          "Parameters":{"Entries":[{"Source":"skyloom.sfn","DetailType":"RUN_COMPLETE",
                                                    "Detail":{"runId.$":"$.runId"}}]},"End":true}}}""")).stateMachineArn();

        sfn.startExecution(b -> b.stateMachineArn(machine).input("{\"runId\":\"r9\"}"));

        Message message = Poll.until(Duration.ofSeconds(15), "the event on the queue", () -> sqs.receiveMessage(b -> b
                .queueUrl(queue).waitTimeSeconds(1)).messages().stream().findFirst().orElse(null));
        assertThat(message.body()).contains("\"detail\":{\"runId\":\"r9\"}", "\"detail-type\":\"RUN_COMPLETE\"");
    }
}
