package dev.skyloom.local.cloud;

import java.net.URI;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/** A set of SDK clients on one edge, for tests outside this package. */
public final class SdkClientsForTests implements AutoCloseable {
    public final DynamoDbClient dynamoDb;
    public final SqsClient sqs;
    public final S3Client s3;
    public final SfnClient sfn;

    public SdkClientsForTests(URI edge) {
        dynamoDb = TestClients.dynamoDb(edge);
        sqs = TestClients.sqs(edge);
        s3 = TestClients.s3(edge);
        sfn = TestClients.sfn(edge);
    }

    @Override
    public void close() {
        dynamoDb.close();
        sqs.close();
        s3.close();
        sfn.close();
    }
}
