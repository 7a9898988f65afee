package dev.skyloom.manifest;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The resources of Skyloom. Add a resource here and both the CDK app and the local cloud create it.
 *
 * <p>Handlers learn physical names through environment variables ({@code SKYLOOM_TABLE_MAIN} and the like);
 * the variable names are constants here so that handlers and deployers agree.
 */
public final class SkyloomResources {
    public static final String ENV_TABLE_MAIN = "SKYLOOM_TABLE_MAIN";
    public static final String ENV_TABLE_EVENTS = "SKYLOOM_TABLE_EVENTS";
    public static final String ENV_TABLE_IDEMPOTENCY = "SKYLOOM_TABLE_IDEMPOTENCY";
    public static final String ENV_QUEUE_EVENTS = "SKYLOOM_QUEUE_EVENTS_URL";
    public static final String ENV_BUCKET_WORKSPACES = "SKYLOOM_BUCKET_WORKSPACES";
    public static final String ENV_BUCKET_ARTIFACTS = "SKYLOOM_BUCKET_ARTIFACTS";
    /** Key material for secrets at rest (AES-256-GCM) and token signing; see {@link EnvValue.GeneratedKey}. */
    public static final String ENV_SECRETS_KEY = "SKYLOOM_SECRETS_KEY";

    /** The API Lambda behind API Gateway. */
    public static final String FUNCTION_API = "api";
    /** Creates the default tenant, its admin user and the platform admin key; invoked once per deployment. */
    public static final String FUNCTION_BOOTSTRAP = "bootstrap";

    private static final ResourceManifest MANIFEST = build();

    private SkyloomResources() {
    }

    public static ResourceManifest manifest() {
        return MANIFEST;
    }

    private static ResourceManifest build() {
        TableSpec main = new TableSpec("main",
                "Tenants, users, API keys, projects, agents, skills, secrets, pipelines, board tasks, runs: "
                        + "one table, tenant-scoped keys (see docs/decisions/0003-data-model.md)",
                Key.string("pk"), Key.string("sk"),
                List.of(IndexSpec.of("gsi1", Key.string("gsi1pk"), Key.string("gsi1sk")),
                        IndexSpec.of("gsi2", Key.string("gsi2pk"), Key.string("gsi2sk"))),
                "expiresAt");
        TableSpec events = new TableSpec("events",
                "Run and swarm events with a per-stream sequence number, deduplicated by event id",
                Key.string("pk"), Key.number("seq"), List.of(), "expiresAt");
        TableSpec idempotency = new TableSpec("idempotency",
                "Idempotency records (Idempotency-Key of API requests, per-turn tool side effects)",
                Key.string("id"), null, List.of(), "expiration");

        QueueSpec eventQueue = new QueueSpec("events",
                "Platform events from the EventBridge bus, consumed by the ingest function", 60, 345_600, 5);

        BucketSpec workspaces = new BucketSpec("workspaces",
                "Run workspaces and agent conversation checkpoints, one prefix per run", 0, 30);
        BucketSpec artifacts = new BucketSpec("artifacts",
                "Large step outputs (> 200 KB) passed by reference", 0, 30);

        FunctionSpec api = new FunctionSpec(FUNCTION_API, "The REST API behind API Gateway",
                "dev.skyloom.handlers.ApiHandler::handleRequest", 1024, 29, 0,
                withCommon(FUNCTION_API, Map.of(
                        ENV_TABLE_MAIN, EnvValue.tableName("main"),
                        ENV_TABLE_EVENTS, EnvValue.tableName("events"),
                        ENV_TABLE_IDEMPOTENCY, EnvValue.tableName("idempotency"),
                        ENV_QUEUE_EVENTS, EnvValue.queueUrl("events"),
                        ENV_BUCKET_WORKSPACES, EnvValue.bucketName("workspaces"),
                        ENV_BUCKET_ARTIFACTS, EnvValue.bucketName("artifacts"),
                        ENV_SECRETS_KEY, EnvValue.generatedKey("secrets"))),
                List.of(Grant.readWrite(ResourceKind.TABLE, "main"),
                        Grant.read(ResourceKind.TABLE, "events"),
                        Grant.readWrite(ResourceKind.TABLE, "idempotency"),
                        new Grant(ResourceKind.QUEUE, "events", Grant.Access.SEND),
                        Grant.readWrite(ResourceKind.BUCKET, "workspaces"),
                        Grant.read(ResourceKind.BUCKET, "artifacts")));
        FunctionSpec bootstrap = new FunctionSpec(FUNCTION_BOOTSTRAP,
                "Creates the default tenant, its admin user and the platform admin API key",
                "dev.skyloom.handlers.BootstrapHandler::handleRequest", 512, 60, 1,
                withCommon(FUNCTION_BOOTSTRAP, Map.of(ENV_TABLE_MAIN, EnvValue.tableName("main"))),
                List.of(Grant.readWrite(ResourceKind.TABLE, "main")));

        return new ResourceManifest(List.of(main, events, idempotency), List.of(eventQueue),
                List.of(workspaces, artifacts), List.of(api, bootstrap));
    }

    private static Map<String, EnvValue> withCommon(String function, Map<String, EnvValue> specific) {
        Map<String, EnvValue> environment = new LinkedHashMap<>(specific);
        environment.put("POWERTOOLS_SERVICE_NAME", EnvValue.literal("skyloom-" + function));
        return environment;
    }
}
