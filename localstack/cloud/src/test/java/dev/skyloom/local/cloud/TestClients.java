package dev.skyloom.local.cloud;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

/** Real SDK v2 clients pointed at a local cloud's edge, as an application would build them. */
final class TestClients {
    private TestClients() {
    }

    private static final StaticCredentialsProvider CREDENTIALS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));

    private static ClientOverrideConfiguration config() {
        // no retries: a test must see the first answer of the service, errors included
        return ClientOverrideConfiguration.builder().retryStrategy(AwsRetryStrategy.doNotRetry())
                .apiCallTimeout(Duration.ofSeconds(60)).build();
    }

    static DynamoDbClient dynamoDb(URI edge) {
        return DynamoDbClient.builder().endpointOverride(edge).region(Region.US_EAST_1)
                .credentialsProvider(CREDENTIALS).overrideConfiguration(config()).build();
    }

    static SqsClient sqs(URI edge) {
        return SqsClient.builder().endpointOverride(edge).region(Region.US_EAST_1)
                .credentialsProvider(CREDENTIALS).overrideConfiguration(config()).build();
    }

    static S3Client s3(URI edge) {
        return S3Client.builder().endpointOverride(edge).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(CREDENTIALS).overrideConfiguration(config()).build();
    }

    static LambdaClient lambda(URI edge) {
        return LambdaClient.builder().endpointOverride(edge).region(Region.US_EAST_1)
                .credentialsProvider(CREDENTIALS).overrideConfiguration(config()).build();
    }

    static software.amazon.awssdk.services.sfn.SfnClient sfn(URI edge) {
        return software.amazon.awssdk.services.sfn.SfnClient.builder().endpointOverride(edge).region(Region.US_EAST_1)
                .credentialsProvider(CREDENTIALS).overrideConfiguration(config()).build();
    }

    /** A deployment package of the test functions, built from the compiled test classes. */
    static byte[] testFunctionsZip() {
        Path root;
        try {
            root = Path.of(TestClients.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        Path dir = root.resolve("dev/skyloom/local/cloud/testfunctions");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes); Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).sorted().toList()) {
                zip.putNextEntry(new ZipEntry(root.relativize(file).toString().replace('\\', '/')));
                zip.write(Files.readAllBytes(file));
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
