package dev.skyloom.local.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
        return cli(List.of(AWS.toString()), args);
    }

    /**
     * Debian's AWS CLI v2 (2.9.19) predates RedriveExecution (Nov 2023); the AWS CLI v1 that these machines carry
     * in their Python (awscli 1.45, current botocore) knows it, so that one command runs through it.
     */
    private static JsonNode awsWithCurrentModels(String... args) throws IOException, InterruptedException {
        return cli(List.of("python3", "-m", "awscli"), args);
    }

    private static JsonNode cli(List<String> cli, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(cli);
        command.addAll(List.of("--endpoint-url", cloud.edgeEndpoint().toString(), "--output", "json", "stepfunctions"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.put("AWS_ACCESS_KEY_ID", "test");
        env.put("AWS_SECRET_ACCESS_KEY", "test");
        env.put("AWS_DEFAULT_REGION", "us-east-1");
        env.put("AWS_PAGER", "");
        env.put("HOME", dataDir.toString());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("aws stepfunctions %s failed: %s", String.join(" ", args), output).isZero();
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
