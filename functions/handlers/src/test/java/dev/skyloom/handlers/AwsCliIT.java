package dev.skyloom.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyloom.local.cloud.LocalCloud;
import dev.skyloom.local.cloud.testing.AwsCli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The AWS CLI v2 (the Debian package awscli, which ./skyloom test installs) works unchanged against the edge with
 * {@code --endpoint-url}: DynamoDB, SQS, S3 and Lambda, including invoking a function of the project.
 */
class AwsCliIT {
    private static final Path AWS = Path.of("/usr/bin/aws");

    @TempDir
    static Path dataDir;
    static LocalCloud cloud;

    @BeforeAll
    static void start() throws Exception {
        assertThat(AWS).as("the AWS CLI v2 at /usr/bin/aws (./skyloom test installs the Debian package awscli)")
                .isExecutable();
        cloud = PlatformIT.start(dataDir);
    }

    @AfterAll
    static void stop() {
        cloud.close();
    }

    private static String aws(String... args) throws IOException, InterruptedException {
        return new AwsCli(AwsCli.V2, cloud.edgeEndpoint(), dataDir).run(args);
    }

    @Test
    void dynamoDb_listPutGet() throws Exception {
        assertThat(aws("dynamodb", "list-tables")).contains("skyloom-main", "skyloom-events", "skyloom-idempotency");

        aws("dynamodb", "put-item", "--table-name", "skyloom-idempotency", "--item",
                "{\"id\":{\"S\":\"cli-1\"},\"note\":{\"S\":\"from the cli\"}}");

        assertThat(aws("dynamodb", "get-item", "--table-name", "skyloom-idempotency", "--key",
                "{\"id\":{\"S\":\"cli-1\"}}")).contains("from the cli");
    }

    @Test
    void sqs_listSendReceive() throws Exception {
        assertThat(aws("sqs", "list-queues")).contains("/000000000000/skyloom-events");
        // a queue of its own: the platform's queues carry the platform's events, which the ingest mapping consumes
        String url = new com.fasterxml.jackson.databind.ObjectMapper().readTree(aws("sqs", "create-queue", "--queue-name", "cli-" + System.nanoTime()))
                .path("QueueUrl").asText();
        assertThat(url).startsWith(cloud.edgeEndpoint().toString());

        aws("sqs", "send-message", "--queue-url", url, "--message-body", "hello from the cli");

        assertThat(aws("sqs", "receive-message", "--queue-url", url, "--wait-time-seconds", "2"))
                .contains("hello from the cli");
    }

    @Test
    void s3_copyAndList() throws Exception {
        Path file = Files.writeString(dataDir.resolve("note.txt"), "an object from the cli");

        aws("s3", "cp", file.toString(), "s3://skyloom-artifacts/cli/note.txt");

        assertThat(aws("s3", "ls", "s3://skyloom-artifacts/cli/")).contains("note.txt");
        Path back = dataDir.resolve("back.txt");
        aws("s3", "cp", "s3://skyloom-artifacts/cli/note.txt", back.toString());
        assertThat(Files.readString(back)).isEqualTo("an object from the cli");
    }

    @Test
    void lambda_listAndInvokeAFunctionOfTheProject() throws Exception {
        assertThat(aws("lambda", "list-functions")).contains("skyloom-api", "skyloom-bootstrap",
                "dev.skyloom.handlers.ApiHandler::handleRequest");
        Path out = dataDir.resolve("invoke.json");

        String result = aws("lambda", "invoke", "--function-name", "skyloom-api", "--cli-binary-format",
                "raw-in-base64-out", "--payload", "{\"httpMethod\":\"GET\",\"path\":\"/api/v1/health\"}",
                out.toString());

        assertThat(result).contains("\"StatusCode\": 200").doesNotContain("FunctionError");
        assertThat(Files.readString(out)).contains("\"statusCode\":200", "\\\"status\\\":\\\"ok\\\"");
    }
}
