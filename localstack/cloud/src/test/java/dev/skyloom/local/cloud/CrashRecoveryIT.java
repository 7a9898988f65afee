package dev.skyloom.local.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.Runtime;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Nothing is lost when the local cloud dies: after {@code kill -9} and after SIGTERM, a new cloud on the same data
 * directory still has the items, objects, undelivered messages and functions; a message that was in flight becomes
 * visible again once its visibility timeout passes.
 */
class CrashRecoveryIT {

    @TempDir
    Path dataDir;

    @Test
    void killDashNine_thenRestart_keepsItemsObjectsMessagesAndFunctions() throws Exception {
        String inFlightId;
        try (CloudProcess first = CloudProcess.start(dataDir)) {
            URI edge = first.edge();
            try (DynamoDbClient dynamoDb = TestClients.dynamoDb(edge); S3Client s3 = TestClients.s3(edge);
                 SqsClient sqs = TestClients.sqs(edge); LambdaClient lambda = TestClients.lambda(edge)) {
                dynamoDb.createTable(b -> b.tableName("durable").billingMode("PAY_PER_REQUEST")
                        .attributeDefinitions(a -> a.attributeName("id").attributeType(ScalarAttributeType.S))
                        .keySchema(k -> k.attributeName("id").keyType("HASH")));
                dynamoDb.putItem(b -> b.tableName("durable").item(Map.of("id", AttributeValue.fromS("k"),
                        "v", AttributeValue.fromS("written before the crash"))));
                s3.createBucket(b -> b.bucket("durable"));
                s3.putObject(b -> b.bucket("durable").key("obj"), RequestBody.fromString("object before the crash"));
                String url = sqs.createQueue(b -> b.queueName("durable")
                        .attributes(Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, "2"))).queueUrl();
                sqs.sendMessage(b -> b.queueUrl(url).messageBody("in-flight"));
                inFlightId = sqs.receiveMessage(b -> b.queueUrl(url).waitTimeSeconds(2)).messages().getFirst()
                        .messageId();
                sqs.sendMessage(b -> b.queueUrl(url).messageBody("undelivered"));
                lambda.createFunction(b -> b.functionName("survivor").runtime(Runtime.JAVA21)
                        .role("arn:aws:iam::000000000000:role/test")
                        .handler("dev.skyloom.local.cloud.testfunctions.GreetingHandler")
                        .code(c -> c.zipFile(SdkBytes.fromByteArray(TestClients.testFunctionsZip()))));
            }
            first.kill();
        }

        try (CloudProcess second = CloudProcess.start(dataDir)) {
            assertEverythingSurvived(second.edge(), inFlightId);
            int exit = second.terminate(Duration.ofSeconds(30));
            assertThat(exit).as("exit code after SIGTERM (128 + 15)").isIn(0, 143);
        }

        try (CloudProcess third = CloudProcess.start(dataDir);
             DynamoDbClient dynamoDb = TestClients.dynamoDb(third.edge())) {
            assertThat(dynamoDb.getItem(b -> b.tableName("durable").key(Map.of("id", AttributeValue.fromS("k"))))
                    .item()).containsEntry("v", AttributeValue.fromS("written before the crash"));
        }
    }

    private static void assertEverythingSurvived(URI edge, String inFlightId) {
        try (DynamoDbClient dynamoDb = TestClients.dynamoDb(edge); S3Client s3 = TestClients.s3(edge);
             SqsClient sqs = TestClients.sqs(edge); LambdaClient lambda = TestClients.lambda(edge)) {
            assertThat(dynamoDb.getItem(b -> b.tableName("durable").key(Map.of("id", AttributeValue.fromS("k"))))
                    .item()).containsEntry("v", AttributeValue.fromS("written before the crash"));
            assertThat(s3.getObject(b -> b.bucket("durable").key("obj"), ResponseTransformer.toBytes())
                    .asUtf8String()).isEqualTo("object before the crash");
            assertThat(lambda.invoke(b -> b.functionName("survivor")
                    .payload(SdkBytes.fromUtf8String("{\"name\":\"restart\"}"))).payload().asUtf8String())
                    .contains("hello restart");

            String url = sqs.getQueueUrl(b -> b.queueName("durable")).queueUrl();
            List<Message> received = new ArrayList<>();
            Poll.until(Duration.ofSeconds(20), "both messages, the in-flight one after its visibility timeout", () -> {
                received.addAll(sqs.receiveMessage(b -> b.queueUrl(url).waitTimeSeconds(1)
                        .maxNumberOfMessages(10)).messages());
                return received.size() >= 2;
            });
            assertThat(received).extracting(Message::body).containsExactlyInAnyOrder("in-flight", "undelivered");
            assertThat(received).extracting(Message::messageId).contains(inFlightId);
        }
    }
}
