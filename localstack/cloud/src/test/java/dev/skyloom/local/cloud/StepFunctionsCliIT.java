package dev.skyloom.local.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skyloom.local.cloud.testing.AwsCli;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * {@code aws stepfunctions --endpoint-url ...} (the AWS CLI v2, Debian package awscli) against a running local cloud:
 * create-state-machine, start-execution, describe-execution, get-execution-history, send-task-success,
 * stop-execution and redrive-execution.
 */
class StepFunctionsCliIT {
    private static final Path AWS = Path.of("/usr/bin/aws");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dataDir;
    static LocalCloud cloud;

    @BeforeAll
    static void start() throws Exception {
        assertThat(AWS).as("the AWS CLI v2 at /usr/bin/aws (./skyloom test installs the Debian package awscli)")
                .isExecutable();
        cloud = new LocalCloud(LocalCloudConfig.ephemeral(dataDir, null)).start();
    }

    @AfterAll
    static void stop() {
        cloud.close();
    }

    private static JsonNode aws(String... args) throws IOException, InterruptedException {
        return json(new AwsCli(AwsCli.V2, cloud.edgeEndpoint(), dataDir), args);
    }

    /** Debian's AWS CLI v2 (2.9.19) predates RedriveExecution (Nov 2023): that command runs through the v1 CLI. */
    private static JsonNode awsWithCurrentModels(String... args) throws IOException, InterruptedException {
        return json(new AwsCli(AwsCli.V1_CURRENT_MODELS, cloud.edgeEndpoint(), dataDir), args);
    }

    private static JsonNode json(AwsCli cli, String... args) throws IOException, InterruptedException {
        String[] command = new String[args.length + 1];
        command[0] = "stepfunctions";
        System.arraycopy(args, 0, command, 1, args.length);
        String output = cli.run(command);
        return output.isBlank() ? JSON.createObjectNode() : JSON.readTree(output);
    }

    private static String status(String execution) throws Exception {
        return aws("describe-execution", "--execution-arn", execution).path("status").asText();
    }

    @Test
    void theStepFunctionsCommandsWork() throws Exception {
        String queue;
        try (SqsClient sqs = TestClients.sqs(cloud.edgeEndpoint())) {
            queue = sqs.createQueue(b -> b.queueName("cli-tokens")).queueUrl();
        }
        String machine = aws("create-state-machine", "--name", "cli", "--role-arn",
                "arn:aws:iam::000000000000:role/sfn", "--definition", """
                {"StartAt":"Ask","States":{
                  "Ask":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                         "Parameters":{"QueueUrl":"%s","MessageBody.$":"$$.Task.Token"},"Next":"Check"},
                  "Check":{"Type":"Choice","Choices":[{"Variable":"$.ok","BooleanEquals":true,"Next":"Done"}],
                           "Default":"Broken"},
                  "Broken":{"Type":"Fail","Error":"NotOk","Cause":"ok was not true"},
                  "Done":{"Type":"Succeed"}}}""".formatted(queue)).path("stateMachineArn").asText();

        String first = aws("start-execution", "--state-machine-arn", machine, "--name", "first")
                .path("executionArn").asText();
        String token;
        try (SqsClient sqs = TestClients.sqs(cloud.edgeEndpoint())) {
            token = Poll.until(Duration.ofSeconds(15), "the task token", () -> sqs.receiveMessage(b -> b.queueUrl(queue)
                    .waitTimeSeconds(1)).messages().stream().findFirst().map(m -> m.body()).orElse(null));
        }
        aws("send-task-success", "--task-token", token, "--task-output", "{\"ok\":false}");
        Poll.until(Duration.ofSeconds(15), "the first execution to fail", () -> {
            try {
                return status(first).equals("FAILED");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        JsonNode history = aws("get-execution-history", "--execution-arn", first);
        List<String> types = new ArrayList<>();
        history.path("events").forEach(e -> types.add(e.path("type").asText()));
        assertThat(types).contains("ExecutionStarted", "TaskSubmitted", "TaskSucceeded", "ChoiceStateEntered",
                "FailStateEntered", "ExecutionFailed");

        // redriven, the execution re-enters the failed Choice with the same input and fails again, a second time
        awsWithCurrentModels("redrive-execution", "--execution-arn", first);
        Poll.until(Duration.ofSeconds(15), "the redriven execution to fail again", () -> {
            try {
                return status(first).equals("FAILED")
                        && awsWithCurrentModels("describe-execution", "--execution-arn", first)
                                .path("redriveCount").asInt() == 1;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        String second = aws("start-execution", "--state-machine-arn", machine, "--name", "second")
                .path("executionArn").asText();
        aws("stop-execution", "--execution-arn", second, "--error", "Operator", "--cause", "not needed");
        assertThat(status(second)).isEqualTo("ABORTED");
    }
}
