package dev.skyloom.local.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Executions survive a {@code kill -9} of the whole local cloud: a Wait in progress finishes on time after the
 * restart, and a task token handed out before the crash still completes its execution.
 */
class StepFunctionsCrashIT {
    private static final String ROLE = "arn:aws:iam::000000000000:role/sfn";

    @TempDir
    Path dataDir;

    @Test
    void killDashNine_midWaitAndMidTaskToken_executionsCompleteAfterRestart() throws Exception {
        String waiting;
        String approving;
        try (CloudProcess first = CloudProcess.start(dataDir); SfnClient sfn = TestClients.sfn(first.edge());
             SqsClient sqs = TestClients.sqs(first.edge())) {
            String queue = sqs.createQueue(b -> b.queueName("tokens")).queueUrl();
            String waitArn = sfn.createStateMachine(b -> b.name("wait-then-pass").roleArn(ROLE).definition("""
                    {"StartAt":"Wait","States":{
                      "Wait":{"Type":"Wait","Seconds":4,"Next":"Done"},
                      "Done":{"Type":"Pass","Result":{"waited":true},"End":true}}}""")).stateMachineArn();
            String tokenArn = sfn.createStateMachine(b -> b.name("token").roleArn(ROLE).definition("""
                    {"StartAt":"Ask","States":{
                      "Ask":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                             "Parameters":{"QueueUrl":"%s","MessageBody.$":"$$.Task.Token"},"End":true}}}"""
                    .formatted(queue.replace(first.edge().toString(), "http://localhost:4566")))).stateMachineArn();
            waiting = sfn.startExecution(b -> b.stateMachineArn(waitArn).name("w1")).executionArn();
            approving = sfn.startExecution(b -> b.stateMachineArn(tokenArn).name("t1")).executionArn();
            Poll.until(Duration.ofSeconds(15), "the token to be handed out", () ->
                    sqs.getQueueAttributes(b -> b.queueUrl(queue).attributeNamesWithStrings("ApproximateNumberOfMessages"))
                            .attributesAsStrings().get("ApproximateNumberOfMessages").equals("1"));
            first.kill();
        }

        try (CloudProcess second = CloudProcess.start(dataDir); SfnClient sfn = TestClients.sfn(second.edge());
             SqsClient sqs = TestClients.sqs(second.edge())) {
            assertThat(sfn.describeExecution(b -> b.executionArn(approving)).status()).isEqualTo(ExecutionStatus.RUNNING);
            DescribeExecutionResponse waited = Poll.until(Duration.ofSeconds(30), "the wait to finish", () -> {
                DescribeExecutionResponse d = sfn.describeExecution(b -> b.executionArn(waiting));
                return d.status() == ExecutionStatus.RUNNING ? null : d;
            });
            assertThat(waited.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
            assertThat(waited.output()).isEqualTo("{\"waited\":true}");

            String queue = sqs.getQueueUrl(b -> b.queueName("tokens")).queueUrl();
            Message message = Poll.until(Duration.ofSeconds(15), "the token message", () ->
                    sqs.receiveMessage(b -> b.queueUrl(queue).waitTimeSeconds(1)).messages().stream().findFirst()
                            .orElse(null));
            sfn.sendTaskSuccess(b -> b.taskToken(message.body()).output("{\"approved\":\"after the crash\"}"));
            DescribeExecutionResponse approved = Poll.until(Duration.ofSeconds(15), "the approval to finish", () -> {
                DescribeExecutionResponse d = sfn.describeExecution(b -> b.executionArn(approving));
                return d.status() == ExecutionStatus.RUNNING ? null : d;
            });
            assertThat(approved.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
            assertThat(approved.output()).contains("after the crash");
        }
    }
}
