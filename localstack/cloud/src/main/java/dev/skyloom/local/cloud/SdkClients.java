package dev.skyloom.local.cloud;

import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

/** The local cloud's own SDK clients, pointed at its edge like any user's would be. Built once per cloud. */
final class SdkClients implements AutoCloseable {
    private final SdkHttpClient http = UrlConnectionHttpClient.builder()
            .connectionTimeout(Duration.ofSeconds(5)).socketTimeout(Duration.ofSeconds(60)).build();
    final DynamoDbClient dynamoDb;
    final SqsClient sqs;
    final S3Client s3;

    SdkClients(URI edge, String region) {
        StaticCredentialsProvider credentials =
                StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));
        ClientOverrideConfiguration timeouts = ClientOverrideConfiguration.builder()
                .apiCallTimeout(Duration.ofSeconds(60)).apiCallAttemptTimeout(Duration.ofSeconds(30)).build();
        Region r = Region.of(region);
        dynamoDb = DynamoDbClient.builder().endpointOverride(edge).region(r).credentialsProvider(credentials)
                .httpClient(http).overrideConfiguration(timeouts).build();
        sqs = SqsClient.builder().endpointOverride(edge).region(r).credentialsProvider(credentials)
                .httpClient(http).overrideConfiguration(timeouts).build();
        s3 = S3Client.builder().endpointOverride(edge).region(r).credentialsProvider(credentials)
                .forcePathStyle(true).httpClient(http).overrideConfiguration(timeouts).build();
    }

    @Override
    public void close() {
        dynamoDb.close();
        sqs.close();
        s3.close();
        http.close();
    }
}
