package dev.skyloom.local.cloud.sfn;

import dev.skyloom.local.cloud.http.EdgeJsonClient;
import dev.skyloom.local.sfn.StepFunctionsEngine;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The Step Functions engine of the local cloud with its service integrations, which reach Lambda, SQS, DynamoDB,
 * EventBridge and S3 through the edge with the real SDK clients or the AWS JSON wire, as Step Functions reaches
 * them on AWS. Integration calls are not retried by the client: Retry in the state machine decides, as on AWS.
 */
public final class LocalStepFunctions implements AutoCloseable {
    private final StepFunctionsEngine engine;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final SdkHttpClient http;
    private final LambdaClient lambda;
    private final S3Client s3;

    public LocalStepFunctions(Path dataDir, URI edge, String region, String accountId) {
        http = UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(5))
                .socketTimeout(Duration.ofMinutes(16)).build();
        StaticCredentialsProvider credentials =
                StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));
        ClientOverrideConfiguration config = ClientOverrideConfiguration.builder()
                .retryStrategy(AwsRetryStrategy.doNotRetry()).apiCallTimeout(Duration.ofMinutes(16)).build();
        lambda = LambdaClient.builder().endpointOverride(edge).region(Region.of(region)).credentialsProvider(credentials)
                .httpClient(http).overrideConfiguration(config).build();
        s3 = S3Client.builder().endpointOverride(edge).region(Region.of(region)).credentialsProvider(credentials)
                .forcePathStyle(true).httpClient(http).overrideConfiguration(config).build();
        EdgeJsonClient json = new EdgeJsonClient(edge, HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).executor(executor).build());
        engine = StepFunctionsEngine.builder()
                .dataDir(dataDir)
                .region(region)
                .accountId(accountId)
                .integration(new LambdaIntegration(lambda, executor))
                .integration(new JsonServiceIntegration(json))
                .integration(new S3Integration(s3, executor))
                .build();
    }

    /** Recovers and resumes the executions recorded in the data directory. */
    public void start() {
        engine.start();
    }

    public StepFunctionsEngine engine() {
        return engine;
    }

    @Override
    public void close() {
        engine.close();
        executor.shutdownNow();
        lambda.close();
        s3.close();
        http.close();
    }
}
