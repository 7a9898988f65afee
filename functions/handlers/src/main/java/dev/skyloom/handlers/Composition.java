package dev.skyloom.handlers;

import dev.skyloom.aws.AwsHealthChecks;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.aws.DynamoDbBootstrapStore;
import dev.skyloom.aws.DynamoDbDocumentStore;
import dev.skyloom.aws.DynamoDbIdentityStore;
import dev.skyloom.aws.DynamoDbRateCounter;
import dev.skyloom.core.ratelimit.RateLimits;
import dev.skyloom.core.api.Api;
import dev.skyloom.core.api.ApiError;
import dev.skyloom.core.api.Idempotency;
import dev.skyloom.aws.DynamoDbIdempotencyStore;
import dev.skyloom.aws.KmsEnvelopeSecretCipher;
import software.amazon.awssdk.services.kms.KmsClient;
import dev.skyloom.core.secrets.AesGcmSecretCipher;
import dev.skyloom.core.secrets.SecretCipher;
import dev.skyloom.core.secrets.SecretService;
import dev.skyloom.core.api.Json;
import dev.skyloom.core.health.HealthReport;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.SecurityContext;
import dev.skyloom.aws.DynamoDbLlmCallStore;
import dev.skyloom.aws.DynamoDbUserStore;
import dev.skyloom.core.usage.UsageService;
import dev.skyloom.core.identity.IdentityService;
import dev.skyloom.core.identity.JwksTokenVerifier;
import dev.skyloom.core.identity.Tokens;
import dev.skyloom.core.identity.UserService;
import java.net.URI;
import java.util.Optional;
import dev.skyloom.core.resources.AgentService;
import dev.skyloom.core.resources.ProjectService;
import dev.skyloom.core.resources.PipelineService;
import dev.skyloom.core.resources.SkillService;
import dev.skyloom.core.resources.TaskService;
import dev.skyloom.core.store.DocumentStore;
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

    static final class Http {
        static final SdkHttpClient CLIENT = UrlConnectionHttpClient.builder()
                .connectionTimeout(Duration.ofSeconds(2)).socketTimeout(Duration.ofSeconds(20)).build();
    }

    static final class DynamoDb {
        static final DynamoDbClient CLIENT = configure(DynamoDbClient.builder()).build();
    }

    private static final class Sqs {
        static final SqsClient CLIENT = configure(SqsClient.builder()).build();
    }

    static final class S3 {
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

    static final class Services {
        static final String TABLE = SkyloomConfig.require(CONFIG.mainTable(), SkyloomResources.ENV_TABLE_MAIN);
        static final DocumentStore DOCUMENTS = new DynamoDbDocumentStore(DynamoDb.CLIENT, TABLE);
        static final IdentityService IDENTITY = new IdentityService(new DynamoDbIdentityStore(DynamoDb.CLIENT, TABLE),
                Clock.systemUTC(), () -> Optional.ofNullable(Secrets.TOKENS), CONFIG.externalIdentity().map(
                        external -> new JwksTokenVerifier(jwkSource(external.jwksUrl()), external.issuer(),
                                external.clientIds(), Clock.systemUTC())));
        static final UserService USERS = new UserService(new DynamoDbUserStore(DynamoDb.CLIENT, TABLE),
                Composition::tokens, Clock.systemUTC(), new DynamoDbRateCounter(DynamoDb.CLIENT, TABLE));
        static final ProjectService PROJECTS = new ProjectService(DOCUMENTS, Clock.systemUTC());
        static final AgentService AGENTS = new AgentService(DOCUMENTS, Clock.systemUTC());
        static final TaskService TASKS = new TaskService(DOCUMENTS, Clock.systemUTC(), PROJECTS, AGENTS);
        static final UsageService USAGE = new UsageService(new DynamoDbLlmCallStore(DynamoDb.CLIENT, TABLE),
                Clock.systemUTC());
        static final SkillService SKILLS = new SkillService(DOCUMENTS, Clock.systemUTC());
        // pipelines are compiled on create and update (every error at once, with line and column); the ASL of a
        // version is produced with placeholders here and bound to the deployment's ARNs when it is deployed
        static final PipelineService PIPELINES = new PipelineService(DOCUMENTS, Clock.systemUTC(),
                Pipelines.target(), Pipelines.deployer());
        static final SecretService SECRETS = new SecretService(DOCUMENTS, Clock.systemUTC(), Composition::cipher,
                AGENTS);
    }

    /**
     * Pipelines compile against the deployment's ARNs (agent-step from {@value SkyloomResources#ENV_STATE_MACHINE_AGENT_STEP},
     * the bus from {@value SkyloomResources#ENV_EVENT_BUS}) and are deployed as state machines on store; without the
     * agent-step ARN (a deployment that cannot run pipelines) they compile with placeholders and are only stored.
     * The built-in functions ({@code http_request}, {@code json_transform}) are the {@code builtins} Lambda named by
     * {@value SkyloomResources#ENV_FUNCTION_BUILTINS}; without it a built-in's name is a 400 and {@code lambda}
     * steps take Lambda ARNs only.
     */
    static final class Pipelines {
        static final String ENV_ROLE_ARN = SkyloomResources.ENV_PIPELINE_ROLE_ARN;

        static java.util.Map<String, String> builtIns() {
            return Optional.ofNullable(LambdaEnvironment.read().get(SkyloomResources.ENV_FUNCTION_BUILTINS))
                    .filter(v -> !v.isBlank()).map(dev.skyloom.core.pipeline.CompileTarget::builtIns)
                    .orElse(java.util.Map.of());
        }

        static Optional<String> agentStepArn() {
            return Optional.ofNullable(LambdaEnvironment.read().get(SkyloomResources.ENV_STATE_MACHINE_AGENT_STEP))
                    .filter(v -> !v.isBlank());
        }

        static dev.skyloom.core.pipeline.CompileTarget target() {
            String bus = LambdaEnvironment.read().get(SkyloomResources.ENV_EVENT_BUS);
            return agentStepArn().filter(arn -> bus != null && !bus.isBlank())
                    .map(arn -> new dev.skyloom.core.pipeline.CompileTarget(arn,
                            arn.replaceFirst(SkyloomResources.STATE_MACHINE_AGENT_STEP + "$",
                                    SkyloomResources.STATE_MACHINE_SWARM), builtIns(),
                            bus, dev.skyloom.core.pipeline.CompileTarget.Limits.DEFAULT))
                    .orElseGet(dev.skyloom.core.pipeline.CompileTarget::placeholders);
        }

        static PipelineService.Deployer deployer() {
            if (agentStepArn().isEmpty()) {
                return null;
            }
            return new PipelineService.Deployer() {
                @Override
                public void deploy(dev.skyloom.core.identity.Principal caller, String pipelineId, long version,
                                   dev.skyloom.core.pipeline.Compilation compilation) {
                    Runs.DEPLOYMENTS.deploy(caller, pipelineId, version, compilation);
                }

                @Override
                public void undeploy(dev.skyloom.core.identity.Principal caller, String pipelineId) {
                    Runs.DEPLOYMENTS.undeploy(caller, pipelineId);
                }
            };
        }

        /**
         * Pipelines' state machine names start like the deployment's own: agent-step's physical name without
         * {@code agent-step}, then {@code pipeline-} ({@code skyloom-pipeline-} locally, {@code skyloom-<stage>-pipeline-}
         * on AWS).
         */
        static String namePrefix(String agentStepArn) {
            String name = agentStepArn.substring(agentStepArn.lastIndexOf(':') + 1);
            String platform = name.endsWith(SkyloomResources.STATE_MACHINE_AGENT_STEP)
                    ? name.substring(0, name.length() - SkyloomResources.STATE_MACHINE_AGENT_STEP.length())
                    : "skyloom-";
            return platform + "pipeline-";
        }

        /** The pipelines' execution role: {@value #ENV_ROLE_ARN}, else {@code skyloom-pipelines} of the account. */
        static String roleArn(String agentStepArn) {
            String role = LambdaEnvironment.read().get(ENV_ROLE_ARN);
            if (role != null && !role.isBlank()) {
                return role;
            }
            String[] parts = agentStepArn.split(":");
            return "arn:aws:iam::" + parts[4] + ":role/skyloom-pipelines";
        }
    }

    static final class Runs {
        static final software.amazon.awssdk.services.sfn.SfnClient SFN = configure(
                software.amazon.awssdk.services.sfn.SfnClient.builder()).build();
        static final software.amazon.awssdk.services.eventbridge.EventBridgeClient EVENTS = configure(
                software.amazon.awssdk.services.eventbridge.EventBridgeClient.builder()).build();
        static final String AGENT_STEP = Pipelines.agentStepArn().orElseThrow(() -> new ApiError(503,
                "RUNS_UNAVAILABLE", "Pipelines cannot run on this deployment: "
                + SkyloomResources.ENV_STATE_MACHINE_AGENT_STEP + " is not set", List.of(), java.util.Map.of()));
        static final dev.skyloom.core.runs.PipelineEngine ENGINE = new dev.skyloom.aws.runs.SfnPipelineEngine(SFN,
                AGENT_STEP, Pipelines.roleArn(AGENT_STEP));
        static final dev.skyloom.core.runs.PipelineDeployments DEPLOYMENTS =
                new dev.skyloom.core.runs.PipelineDeployments(Services.DOCUMENTS, Clock.systemUTC(), ENGINE,
                        Services.AGENTS, Pipelines.namePrefix(AGENT_STEP));
        static final dev.skyloom.core.runs.RunService RUNS = new dev.skyloom.core.runs.RunService(Services.DOCUMENTS,
                Clock.systemUTC(), Services.PIPELINES, DEPLOYMENTS, ENGINE,
                new DynamoDbLlmCallStore(DynamoDb.CLIENT, Services.TABLE), Runs::emit);

        private static void emit(String type, String eventId, ObjectNode detail) {
            String bus = SkyloomConfig.require(Optional.ofNullable(LambdaEnvironment.read()
                    .get(SkyloomResources.ENV_EVENT_BUS)), SkyloomResources.ENV_EVENT_BUS);
            EVENTS.putEvents(b -> b.entries(e -> e.eventBusName(bus).source("skyloom.api").detailType(type)
                    .detail(detail.toString())));
        }
    }

    /** Runs of pipelines. */
    static dev.skyloom.core.runs.RunService runs() {
        return Runs.RUNS;
    }

    /** Built on first use, so the other run routes do not depend on the events table being configured. */
    private static final class RunApprovals {
        static final dev.skyloom.core.runs.RunApprovals SERVICE = new dev.skyloom.core.runs.RunApprovals(Runs.RUNS,
                IngestComposition.events(), Runs.ENGINE, Services.PROJECTS, Clock.systemUTC(), Runs::emit);
    }

    /** The approvals of runs: pipeline steps' and agent steps' tool calls. */
    static dev.skyloom.core.runs.RunApprovals runApprovals() {
        return RunApprovals.SERVICE;
    }

    /**
     * Swarms (decision 0700): started on the swarm state machine, named like agent-step's with {@code swarm} in
     * place of {@code agent-step}; the scheduler's state and documents through the same store as the scheduler's.
     */
    static final class Swarms {
        static final String STATE_MACHINE = Runs.AGENT_STEP.replaceFirst(
                SkyloomResources.STATE_MACHINE_AGENT_STEP + "$", SkyloomResources.STATE_MACHINE_SWARM);
        static final dev.skyloom.core.swarm.SwarmStore STORE = new dev.skyloom.aws.swarm.AwsSwarmStore(
                DynamoDb.CLIENT, Services.TABLE, S3.CLIENT,
                SkyloomConfig.require(CONFIG.workspacesBucket(), SkyloomResources.ENV_BUCKET_WORKSPACES), Json.MAPPER);
        static final dev.skyloom.core.swarm.SwarmService SERVICE = new dev.skyloom.core.swarm.SwarmService(
                Services.DOCUMENTS, Clock.systemUTC(), Services.AGENTS,
                tenant -> dev.skyloom.core.swarm.SwarmValidator.DEFAULT_MAX_TASKS, Runs.ENGINE, STATE_MACHINE, STORE,
                new dev.skyloom.core.swarm.SwarmRuntime(STORE, (token, output) -> {
                    throw new IllegalStateException("the API does not wake swarm workers");
                }, Clock.systemUTC(), Json.MAPPER, SwarmEventSink.fromEnvironment(Runs.EVENTS)));
    }

    static dev.skyloom.core.swarm.SwarmService swarms() {
        return Swarms.SERVICE;
    }

    private static final class Kms {
        static final KmsClient CLIENT = configure(KmsClient.builder()).build();
    }

    private static final class Secrets {
        /** KMS envelope encryption when a KMS key is configured, else the local AES key; none: secrets answer 503. */
        static final SecretCipher CIPHER = CONFIG.kmsKeyId()
                .<SecretCipher>map(keyId -> new KmsEnvelopeSecretCipher(Kms.CLIENT, keyId))
                .or(() -> CONFIG.secretsKey().map(AesGcmSecretCipher::fromBase64)).orElse(null);
        static final Tokens TOKENS = CONFIG.secretsKey().map(k -> new Tokens(AesGcmSecretCipher.keyBytes(k),
                Clock.systemUTC())).orElse(null);
    }

    /** Skyloom's access token signer; a 503 when the deployment has no secrets key. */
    static Tokens tokens() {
        if (Secrets.TOKENS == null) {
            throw new ApiError(503, "LOGIN_UNAVAILABLE", "Password login is not configured on this deployment: set "
                    + SkyloomConfig.ENV_SECRETS_KEY + "; API keys work without it", List.of(), java.util.Map.of());
        }
        return Secrets.TOKENS;
    }

    private static JWKSource<SecurityContext> jwkSource(URI url) {
        try {
            return JWKSourceBuilder.create(url.toURL()).build();
        } catch (java.net.MalformedURLException e) {
            throw new IllegalStateException(SkyloomConfig.ENV_JWKS_URL + " is not a URL: " + url, e);
        }
    }

    /** The secrets cipher; a 503 when the deployment has no {@value SkyloomConfig#ENV_SECRETS_KEY}. */
    static SecretCipher cipher() {
        if (Secrets.CIPHER == null) {
            throw new ApiError(503, "SECRETS_UNAVAILABLE", "Secrets are not configured on this deployment: set "
                    + SkyloomConfig.ENV_KMS_KEY_ID + " to a KMS key or " + SkyloomConfig.ENV_SECRETS_KEY
                    + " to a base64 256-bit key", List.of(), java.util.Map.of());
        }
        return Secrets.CIPHER;
    }

    private static final class RestApi {
        static final Api API = new Api(ApiRoutes.router(new ApiRoutes.Services(Composition::healthJson,
                Services.IDENTITY, Services.PROJECTS, Services.AGENTS, Services.TASKS, Services.SECRETS,
                Services.SKILLS, Services.PIPELINES, Services.USERS, Services.USAGE)),
                request -> Services.IDENTITY.authenticate(request.header("Authorization")),
                new RateLimits(new DynamoDbRateCounter(DynamoDb.CLIENT, Services.TABLE), Clock.systemUTC(),
                        CONFIG.rateLimitPerKey(), CONFIG.rateLimitPerTenant()),
                MAX_BODY_BYTES, System.err::println,
                CONFIG.idempotencyTable().map(table -> new Idempotency(new DynamoDbIdempotencyStore(DynamoDb.CLIENT,
                        table), Clock.systemUTC(), System.err::println)),
                route -> ApiRoutes.IDEMPOTENT.contains(route.toString()));
    }

    /** The largest request body the API reads (API Gateway allows 10 MB; no Skyloom resource needs more). */
    static final int MAX_BODY_BYTES = 256 * 1024;

    static Api api() {
        return RestApi.API;
    }

    /** The API's identity service, which the API Gateway authorizer authenticates with too. */
    static IdentityService identity() {
        return Services.IDENTITY;
    }

    static JsonNode healthJson() {
        HealthReport report = Health.SERVICE.check();
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("status", report.healthy() ? "ok" : "degraded");
        ObjectNode components = body.putObject("components");
        components.putObject("api").put("status", "ok").put("detail", "serving").put("latencyMs", 0);
        report.components().forEach((name, component) -> components.putObject(name)
                .put("status", component.healthy() ? "ok" : "down")
                .put("detail", component.detail())
                .put("latencyMs", component.latencyMillis()));
        return body;
    }

    static HealthService health() {
        return Health.SERVICE;
    }

    static BootstrapService bootstrap() {
        return Bootstrap.SERVICE;
    }

    static <B extends AwsClientBuilder<B, ?> & AwsSyncClientBuilder<B, ?>> B configure(B builder) {
        builder.region(Region.of(CONFIG.region()))
                .credentialsProvider(credentials())
                .httpClient(Http.CLIENT)
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .apiCallTimeout(Duration.ofSeconds(10))
                        .apiCallAttemptTimeout(Duration.ofSeconds(4)).build());
        CONFIG.endpoint().ifPresent(builder::endpointOverride);
        return builder;
    }

    static AwsCredentialsProvider credentials() {
        return CONFIG.credentials()
                .<AwsCredentialsProvider>map(c -> StaticCredentialsProvider.create(AwsSessionCredentials.create(
                        c.accessKeyId(), c.secretAccessKey(), c.sessionToken() == null ? "" : c.sessionToken())))
                .orElseGet(() -> DefaultCredentialsProvider.builder().build());
    }
}
