package dev.skyloom.handlers;

import dev.skyloom.aws.AwsHealthChecks;
import dev.skyloom.aws.DynamoDbBootstrapStore;
import dev.skyloom.core.health.HealthService;
import dev.skyloom.core.identity.BootstrapService;
import dev.skyloom.manifest.SkyloomResources;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The composition root of the deployment jar: configuration, SDK clients and services, each built once per
 * execution environment and only when a handler first needs it (holder classes keep cold starts small).
 */
final class Composition {
    private Composition() {
    }

    static final SkyloomConfig CONFIG = SkyloomConfig.fromEnv(LambdaEnvironment.read());

    private static final class Http {
        static final SdkHttpClient CLIENT = UrlConnectionHttpClient.builder()
                .connectionTimeout(Duration.ofSeconds(2)).socketTimeout(Duration.ofSeconds(20)).build();
    }

    private static final class DynamoDb {
        static final DynamoDbClient CLIENT = configure(DynamoDbClient.builder()).build();
    }

    private static final class Sqs {
        static final SqsClient CLIENT = configure(SqsClient.builder()).build();
    }

    private static final class S3 {
        static final S3Client CLIENT = configure(S3Client.builder().forcePathStyle(CONFIG.endpoint().isPresent()))
                .build();
    }

    private static final class Health {
        static final HealthService SERVICE = new HealthService(AwsHealthChecks.of(
                DynamoDb.CLIENT,
                List.of(SkyloomConfig.require(CONFIG.mainTable(), SkyloomResources.ENV_TABLE_MAIN),
                        SkyloomConfig.require(CONFIG.eventsTable(), SkyloomResources.ENV_TABLE_EVENTS),
                        SkyloomConfig.require(CONFIG.idempotencyTable(), SkyloomResources.ENV_TABLE_IDEMPOTENCY)),
                Sqs.CLIENT,
                List.of(SkyloomConfig.require(CONFIG.eventsQueueUrl(), SkyloomResources.ENV_QUEUE_EVENTS)),
                S3.CLIENT,
                List.of(SkyloomConfig.require(CONFIG.workspacesBucket(), SkyloomResources.ENV_BUCKET_WORKSPACES),
                        SkyloomConfig.require(CONFIG.artifactsBucket(), SkyloomResources.ENV_BUCKET_ARTIFACTS))),
                Duration.ofSeconds(5));
    }

    private static final class Bootstrap {
        static final BootstrapService SERVICE = new BootstrapService(new DynamoDbBootstrapStore(DynamoDb.CLIENT,
                SkyloomConfig.require(CONFIG.mainTable(), SkyloomResources.ENV_TABLE_MAIN)), Clock.systemUTC());
    }

    static HealthService health() {
        return Health.SERVICE;
    }

    static BootstrapService bootstrap() {
        return Bootstrap.SERVICE;
    }

    private static <B extends AwsClientBuilder<B, ?> & AwsSyncClientBuilder<B, ?>> B configure(B builder) {
        builder.region(Region.of(CONFIG.region()))
                .credentialsProvider(credentials())
                .httpClient(Http.CLIENT)
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .apiCallTimeout(Duration.ofSeconds(10))
                        .apiCallAttemptTimeout(Duration.ofSeconds(4)).build());
        CONFIG.endpoint().ifPresent(builder::endpointOverride);
        return builder;
    }

    private static AwsCredentialsProvider credentials() {
        return CONFIG.credentials()
                .<AwsCredentialsProvider>map(c -> StaticCredentialsProvider.create(AwsSessionCredentials.create(
                        c.accessKeyId(), c.secretAccessKey(), c.sessionToken() == null ? "" : c.sessionToken())))
                .orElseGet(() -> DefaultCredentialsProvider.builder().build());
    }
}
