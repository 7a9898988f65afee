package dev.skyloom.local.cloud;

import dev.skyloom.local.cloud.apigw.ApiGateway;
import dev.skyloom.local.cloud.apigw.StaticSite;
import dev.skyloom.local.cloud.bedrock.BedrockApi;
import dev.skyloom.local.cloud.bedrock.LocalModelServer;
import dev.skyloom.local.cloud.edge.AwsService;
import dev.skyloom.local.cloud.edge.EdgeServer;
import dev.skyloom.local.cloud.edge.EdgeTimings;
import dev.skyloom.local.cloud.edge.JsonBodyValidator;
import dev.skyloom.local.cloud.edge.ProxyHandler;
import dev.skyloom.local.cloud.idp.LocalIdentityProvider;
import dev.skyloom.local.cloud.emulators.DynamoDbEmulator;
import dev.skyloom.local.cloud.emulators.Emulator;
import dev.skyloom.local.cloud.emulators.S3Emulator;
import dev.skyloom.local.cloud.emulators.SqsEmulator;
import dev.skyloom.local.cloud.lambda.AsyncInvoker;
import dev.skyloom.local.cloud.lambda.LambdaApi;
import dev.skyloom.local.cloud.lambda.LocalLambda;
import dev.skyloom.local.cloud.lambda.esm.EventSourceMappings;
import dev.skyloom.local.cloud.events.EventBridgeApi;
import dev.skyloom.local.cloud.events.LocalEventBridge;
import dev.skyloom.local.cloud.http.EdgeJsonClient;
import dev.skyloom.local.cloud.provision.Bootstrapper;
import dev.skyloom.local.cloud.provision.LocalKeys;
import dev.skyloom.local.cloud.sfn.EngineStateMachineDeployer;
import dev.skyloom.local.cloud.sfn.LocalStepFunctions;
import dev.skyloom.local.cloud.sfn.StepFunctionsApi;
import dev.skyloom.local.cloud.provision.ResourceProvisioner;
import dev.skyloom.manifest.Naming;
import dev.skyloom.manifest.ResourceManifest;
import dev.skyloom.manifest.SkyloomResources;
import dev.skyloom.manifest.StateMachineSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded local cloud: DynamoDB Local, ElasticMQ and s3proxy behind one AWS-compatible edge, the local Lambda
 * service, and the local API Gateway, all in this JVM on loopback, with every byte of state under one data
 * directory. {@link #start()} brings it up and creates Skyloom's resources; {@link #close()} stops it cleanly.
 */
public final class LocalCloud implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalCloud.class);
    static final String ADMIN_KEY_FILE = "admin.key";
    static final String LAMBDA_ASYNC_QUEUE = "skyloom-local-lambda-async";
    /** DynamoDB accepts requests up to 16 MB (BatchWriteItem); SQS batches up to 1 MB of messages. */
    private static final int MAX_DYNAMODB_REQUEST = 16 * 1024 * 1024 + 64 * 1024;
    private static final int MAX_SQS_REQUEST = 2 * 1024 * 1024;

    private final LocalCloudConfig config;
    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private FileChannel lockChannel;
    private EdgeServer edge;
    private LocalLambda lambda;
    private ApiGateway apiGateway;
    private SdkClients clients;
    private LocalStepFunctions stepFunctions;
    private LocalEventBridge eventBridge;
    private Bootstrapper.Outcome bootstrap;
    private ResourceProvisioner.Provisioned provisioned;
    private EventSourceMappings eventSourceMappings;

    public LocalCloud(LocalCloudConfig config) {
        this.config = config;
    }

    public LocalCloud start() throws Exception {
        try {
            Files.createDirectories(config.dataDir());
            lock();
            edge = new EdgeServer(new InetSocketAddress(config.host(), config.edgePort()));
            bind("edge", config.edgePort(), edge::start);
            started.push(edge);
            URI publicEdge = URI.create("http://localhost:" + edge.port());

            HttpClient proxyClient = ProxyHandler.newClient();
            // the emulators are independent: start them side by side (ElasticMQ's actor system is the slowest)
            List<Emulator> emulators = startEmulators(List.of(
                    new DynamoDbEmulator(config.dataDir().resolve("dynamodb")),
                    new SqsEmulator(config.dataDir().resolve("sqs"), publicEdge, config.region(), config.accountId()),
                    new S3Emulator(config.dataDir().resolve("s3"))));
            edge.route(AwsService.DYNAMODB, new JsonBodyValidator(new ProxyHandler(emulators.get(0).endpoint(),
                    proxyClient, ex -> ex.getRequestURI().getRawPath()), MAX_DYNAMODB_REQUEST));
            edge.route(AwsService.SQS, new JsonBodyValidator(new ProxyHandler(emulators.get(1).endpoint(),
                    proxyClient, ex -> ex.getRequestURI().getRawPath()), MAX_SQS_REQUEST));
            edge.route(AwsService.S3, new ProxyHandler(emulators.get(2).endpoint(), proxyClient, EdgeServer::s3Path));

            lambda = new LocalLambda(config.dataDir().resolve("lambda"), config.region(), config.accountId(),
                    publicEdge, config.lambdaConcurrency());
            started.push(lambda);
            edge.route(AwsService.LAMBDA, new LambdaApi(lambda));

            clients = new SdkClients(publicEdge, config.region());
            started.push(clients);
            AsyncInvoker asyncInvoker = new AsyncInvoker(lambda, clients.sqs, LAMBDA_ASYNC_QUEUE,
                    config.asyncRetryDelaySeconds());
            lambda.asyncInvoker(asyncInvoker);
            asyncInvoker.start();
            started.push(asyncInvoker);

            // Step Functions last among the services: recovered executions may call Lambda, SQS, ... at once
            stepFunctions = new LocalStepFunctions(config.dataDir().resolve("stepfunctions"),
                    publicEdge, config.region(), config.accountId());
            started.push(stepFunctions);
            edge.route(AwsService.STEPFUNCTIONS, new StepFunctionsApi(stepFunctions.engine()));
            stepFunctions.start();
            eventBridge = new LocalEventBridge(config.dataDir().resolve("events"), config.region(),
                    config.accountId(), publicEdge, new EdgeJsonClient(publicEdge, HttpClient.newBuilder()
                            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build()),
                    lambda, stepFunctions.engine());
            edge.route(AwsService.EVENTS, new EventBridgeApi(eventBridge));
            Files.createDirectories(config.effectiveModelsDir());
            edge.route(AwsService.BEDROCK, new BedrockApi(new LocalModelServer(config.effectiveModelsDir())));

            if (config.functionsCode() != null) {
                ResourceManifest manifest = SkyloomResources.manifest();
                List<StateMachineSpec> stateMachines = config.stateMachines() == null ? List.of()
                        : StateMachineSpec.discover(config.stateMachines());
                LocalIdentityProvider identityProvider = new LocalIdentityProvider(config.dataDir().resolve("keys"),
                        publicEdge, java.time.Clock.systemUTC());
                edge.routePath(LocalIdentityProvider.PATH, identityProvider);
                provisioned = new ResourceProvisioner(clients.dynamoDb, clients.sqs, clients.s3, lambda, eventBridge,
                        Naming.LOCAL, new LocalKeys(config.dataDir().resolve("keys")))
                        .withIdentity(identityProvider.identityValues())
                        .provision(manifest, config.functionsCode().toAbsolutePath(), stateMachines,
                                new EngineStateMachineDeployer(stepFunctions.engine(), config.region(),
                                        config.accountId()));
                bootstrap = new Bootstrapper(lambda).run(Naming.LOCAL.physical(SkyloomResources.FUNCTION_BOOTSTRAP),
                        config.dataDir().resolve(ADMIN_KEY_FILE));
                // after the bootstrap: a mapping may invoke its function at once with messages left from the last run
                eventSourceMappings = EventSourceMappings.start(manifest.eventSources(), provisioned.queueUrls(),
                        provisioned.functions(), clients.sqs, lambda);
                started.push(eventSourceMappings);
                apiGateway = new ApiGateway(new InetSocketAddress(config.host(), config.apiPort()), lambda,
                        Naming.LOCAL.physical(SkyloomResources.FUNCTION_API), new StaticSite(config.webRoot()));
                bind("API gateway", config.apiPort(), apiGateway::start);
                started.push(apiGateway);
            }
            return this;
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    private interface Starter {
        void start() throws IOException;
    }

    private static void bind(String what, int port, Starter starter) throws IOException {
        try {
            starter.start();
        } catch (BindException e) {
            throw new IllegalStateException("the " + what + " cannot listen on port " + port + ": it is in use. "
                    + "Is another local cloud (or LocalStack) running? Stop it or choose another port.", e);
        }
    }

    private List<Emulator> startEmulators(List<Emulator> emulators) throws Exception {
        List<CompletableFuture<Void>> starts = new ArrayList<>();
        for (Emulator emulator : emulators) {
            started.push(emulator);
            starts.add(CompletableFuture.runAsync(() -> {
                long t0 = System.nanoTime();
                try {
                    emulator.start();
                } catch (Exception e) {
                    throw new CompletionException("the " + emulator.service() + " emulator failed to start", e);
                }
                LOG.info("emulator started service={} ms={}", emulator.service(), (System.nanoTime() - t0) / 1_000_000);
            }, runnable -> Thread.ofPlatform().name("start-" + emulator.service()).start(runnable)));
        }
        try {
            CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new)).join();
        } catch (CompletionException e) {
            throw new IllegalStateException(e.getMessage(), e.getCause());
        }
        return emulators;
    }

    private void lock() throws IOException {
        lockChannel = FileChannel.open(config.dataDir().resolve(".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            lockChannel.close();
            lockChannel = null;
            throw new IllegalStateException("another local cloud is using the data directory " + config.dataDir()
                    + "; stop it first or pass another --data-dir");
        }
    }

    public URI edgeEndpoint() {
        return URI.create("http://localhost:" + edge.port());
    }

    /** The local API Gateway, when the platform's functions were provisioned. */
    public Optional<URI> apiEndpoint() {
        return apiGateway == null ? Optional.empty() : Optional.of(URI.create("http://localhost:" + apiGateway.port()));
    }

    public Optional<Bootstrapper.Outcome> bootstrap() {
        return Optional.ofNullable(bootstrap);
    }

    public Optional<ResourceProvisioner.Provisioned> provisioned() {
        return Optional.ofNullable(provisioned);
    }

    /** The SQS event source mappings the manifest declares, running. */
    public Optional<EventSourceMappings> eventSourceMappings() {
        return Optional.ofNullable(eventSourceMappings);
    }

    /** Per-operation request counts and times on the edge (S3, DynamoDB, events, Lambda invokes, ...). */
    public EdgeTimings edgeTimings() {
        return edge.timings();
    }

    public LocalLambda lambda() {
        return lambda;
    }

    /** The local EventBridge (buses, rules, targets). */
    public LocalEventBridge eventBridge() {
        return eventBridge;
    }

    /** The Step Functions engine, for the platform's own deployers. */
    public dev.skyloom.local.sfn.StepFunctionsEngine stepFunctions() {
        return stepFunctions.engine();
    }

    public LocalCloudConfig config() {
        return config;
    }

    @Override
    public synchronized void close() {
        while (!started.isEmpty()) {
            AutoCloseable component = started.pop();
            try {
                component.close();
            } catch (Exception e) {
                LOG.warn("stop failed component={} reason={}", component.getClass().getSimpleName(), e.toString());
            }
        }
        if (lockChannel != null) {
            try {
                lockChannel.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            lockChannel = null;
        }
    }
}
