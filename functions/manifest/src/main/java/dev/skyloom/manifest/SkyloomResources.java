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
    /** The name of the platform's EventBridge bus. */
    public static final String ENV_EVENT_BUS = "SKYLOOM_EVENT_BUS";
    /** The Bedrock model that embeds memories for semantic recall; unset for lexical ranking only. */
    public static final String ENV_EMBEDDINGS_MODEL = "SKYLOOM_EMBEDDINGS_MODEL";
    public static final String EMBEDDINGS_MODEL = "amazon.titan-embed-text-v2:0";
    /** The identity provider whose JWTs the API accepts (Cognito on AWS, the local issuer locally). */
    public static final String ENV_JWKS_URL = "SKYLOOM_JWKS_URL";
    public static final String ENV_JWT_ISSUER = "SKYLOOM_JWT_ISSUER";
    public static final String ENV_JWT_CLIENT_IDS = "SKYLOOM_JWT_CLIENT_IDS";
    /** The ARN of the agent-step workflow, which the API starts for a run. */
    public static final String ENV_STATE_MACHINE_AGENT_STEP = "SKYLOOM_STATE_MACHINE_AGENT_STEP";
    /** The name of the built-in functions' Lambda, which pipelines' {@code lambda} steps invoke. */
    public static final String ENV_FUNCTION_BUILTINS = "SKYLOOM_FUNCTION_BUILTINS";

    /** The platform's EventBridge bus ({@code skyloom-bus} locally, {@code skyloom-<stage>-bus} on AWS). */
    public static final String EVENT_BUS = "bus";
    /** The rule that feeds every {@code skyloom.*} event of the bus into the {@code events} queue (the ingest path). */
    public static final String RULE_INGEST = "ingest-events";
    /** The EventBridge Scheduler group of agent pulses. */
    public static final String SCHEDULE_GROUP_PULSES = "pulses";
    /** The workflow of one agent step (turns until done), started by the API for a run. */
    public static final String STATE_MACHINE_AGENT_STEP = "agent-step";
    /** The workflow a pulse schedule starts. */
    public static final String STATE_MACHINE_PULSE = "pulse";

    /**
     * Pipelines' state machines, created by the API at run time (decision 0501): {@code skyloom-<stage>-pipeline-...}
     * on AWS, {@code skyloom-pipeline-...} locally.
     */
    public static final String STATE_MACHINE_FAMILY_PIPELINES = "pipeline-*";
    /** The execution role pipelines' state machines run as. */
    public static final String ROLE_PIPELINES = "pipelines";
    /** The execution role of pipelines' state machines, which the API passes to Step Functions when it deploys one. */
    public static final String ENV_PIPELINE_ROLE_ARN = "SKYLOOM_PIPELINE_ROLE_ARN";

    /** The API Lambda behind API Gateway. */
    public static final String FUNCTION_API = "api";
    /** Creates the default tenant, its admin user and the platform admin key; invoked once per deployment. */
    public static final String FUNCTION_BOOTSTRAP = "bootstrap";
    /** One agent turn: a model call with tools, invoked by the agent-step workflow. */
    public static final String FUNCTION_AGENT_TURN = "agent-turn";
    /** API Gateway's Lambda REQUEST authorizer: API keys and access tokens, checked before the API function runs. */
    public static final String FUNCTION_AUTHORIZER = "authorizer";
    /** Stores the events of the {@code events} queue in the events table: per-stream sequence, deduplicated. */
    public static final String FUNCTION_INGEST = "ingest";
    /** Swarms (decision 0700): the scheduler the swarm workflow's workers ask for their next task. */
    public static final String FUNCTION_SWARM_SCHEDULER = "swarm-scheduler";
    /** The built-in functions of pipeline {@code lambda} steps: {@code http_request}, {@code json_transform}. */
    public static final String FUNCTION_BUILTINS = "builtins";
    /** The workflow of one swarm: a DAG of agent steps run eagerly by a pool of workers. */
    public static final String STATE_MACHINE_SWARM = "swarm";

    /**
     * The API routes anyone may call, {@code METHOD /path}: API Gateway sends them to the API function without the
     * authorizer. {@code ApiRoutes} must declare exactly these as public (a test in the handlers checks it).
     */
    public static final List<String> PUBLIC_API_ROUTES = List.of("GET /api/v1/health", "GET /api/v1/openapi.json",
            "POST /api/v1/auth/login", "POST /api/v1/auth/refresh");

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
                withIdentity(withCommon(FUNCTION_API, Map.of(
                        ENV_TABLE_MAIN, EnvValue.tableName("main"),
                        ENV_TABLE_EVENTS, EnvValue.tableName("events"),
                        ENV_TABLE_IDEMPOTENCY, EnvValue.tableName("idempotency"),
                        ENV_QUEUE_EVENTS, EnvValue.queueUrl("events"),
                        ENV_BUCKET_WORKSPACES, EnvValue.bucketName("workspaces"),
                        ENV_BUCKET_ARTIFACTS, EnvValue.bucketName("artifacts"),
                        ENV_SECRETS_KEY, EnvValue.generatedKey("secrets"),
                        ENV_EVENT_BUS, EnvValue.eventBusName(EVENT_BUS),
                        ENV_STATE_MACHINE_AGENT_STEP, EnvValue.stateMachineArn(STATE_MACHINE_AGENT_STEP),
                        ENV_FUNCTION_BUILTINS, EnvValue.functionName(FUNCTION_BUILTINS)))),
                List.of(Grant.readWrite(ResourceKind.TABLE, "main"),
                        Grant.read(ResourceKind.TABLE, "events"),
                        Grant.readWrite(ResourceKind.TABLE, "idempotency"),
                        new Grant(ResourceKind.QUEUE, "events", Grant.Access.SEND),
                        Grant.readWrite(ResourceKind.BUCKET, "workspaces"),
                        Grant.read(ResourceKind.BUCKET, "artifacts"),
                        Grant.putEvents(EVENT_BUS),
                        Grant.runStateMachine(STATE_MACHINE_AGENT_STEP),
                        // agents' dangerous tool calls wait on a task token that the approvals API answers (0502)
                        Grant.answerTasks(STATE_MACHINE_AGENT_STEP),
                        // pipelines (decision 0501): deploy their state machines as the pipelines role, run them,
                        // answer their approvals
                        Grant.deployStateMachines(STATE_MACHINE_FAMILY_PIPELINES),
                        Grant.answerTasks(STATE_MACHINE_FAMILY_PIPELINES),
                        Grant.passRole(ROLE_PIPELINES),
                        // swarms through the API (decision 0700): start, describe and stop swarm executions
                        Grant.runStateMachine(STATE_MACHINE_SWARM)))
                // the role it passes, as SKYLOOM_PIPELINE_ROLE_ARN
                .withEnvironment(ENV_PIPELINE_ROLE_ARN, EnvValue.roleArn(ROLE_PIPELINES));
        // reserved concurrency 0 (the unreserved pool) on both sides: Bedrock's per-model quotas are guarded by the
        // agent runtime's retries on ThrottlingException; see docs/decisions/0201-events-rules-agent-turn.md
        FunctionSpec agentTurn = new FunctionSpec(FUNCTION_AGENT_TURN,
                "One agent turn: a model call through Bedrock with tool calls, checkpointed to the workspace",
                "dev.skyloom.handlers.AgentTurnHandler::handleRequest", 1536, 300, 0,
                withCommon(FUNCTION_AGENT_TURN, Map.of(
                        ENV_TABLE_MAIN, EnvValue.tableName("main"),
                        ENV_TABLE_EVENTS, EnvValue.tableName("events"),
                        ENV_TABLE_IDEMPOTENCY, EnvValue.tableName("idempotency"),
                        ENV_BUCKET_WORKSPACES, EnvValue.bucketName("workspaces"),
                        ENV_BUCKET_ARTIFACTS, EnvValue.bucketName("artifacts"),
                        ENV_SECRETS_KEY, EnvValue.generatedKey("secrets"),
                        ENV_EVENT_BUS, EnvValue.eventBusName(EVENT_BUS),
                        // semantic memory recall (docs/decisions/0401): Titan Text Embeddings V2 must be enabled
                        // in the account's Bedrock model access; recall falls back to lexical ranking when it fails
                        ENV_EMBEDDINGS_MODEL, EnvValue.literal(EMBEDDINGS_MODEL))),
                List.of(Grant.readWrite(ResourceKind.TABLE, "main"),
                        Grant.readWrite(ResourceKind.TABLE, "events"),
                        Grant.readWrite(ResourceKind.TABLE, "idempotency"),
                        Grant.readWrite(ResourceKind.BUCKET, "workspaces"),
                        Grant.readWrite(ResourceKind.BUCKET, "artifacts"),
                        Grant.putEvents(EVENT_BUS),
                        Grant.invokeModels()));
        FunctionSpec authorizer = new FunctionSpec(FUNCTION_AUTHORIZER,
                "API Gateway REQUEST authorizer: API keys and access tokens from the Authorization header",
                "dev.skyloom.handlers.AuthorizerHandler::handleRequest", 512, 10, 0,
                withIdentity(withCommon(FUNCTION_AUTHORIZER, Map.of(
                        ENV_TABLE_MAIN, EnvValue.tableName("main"),
                        ENV_SECRETS_KEY, EnvValue.generatedKey("secrets")))),
                // read-write: authenticating an API key records when it was last used
                List.of(Grant.readWrite(ResourceKind.TABLE, "main")));
        FunctionSpec bootstrap = new FunctionSpec(FUNCTION_BOOTSTRAP,
                "Creates the default tenant, its admin user and the platform admin API key",
                "dev.skyloom.handlers.BootstrapHandler::handleRequest", 512, 60, 1,
                withCommon(FUNCTION_BOOTSTRAP, Map.of(ENV_TABLE_MAIN, EnvValue.tableName("main"))),
                List.of(Grant.readWrite(ResourceKind.TABLE, "main")));

        // timeout 30 s, under the events queue's 60 s visibility timeout, as Lambda requires of an SQS mapping
        FunctionSpec ingest = new FunctionSpec(FUNCTION_INGEST,
                "Stores platform events from the events queue in the events table (per-stream sequence, deduplicated "
                        + "by event id)",
                "dev.skyloom.handlers.IngestHandler::handleRequest", 512, 30, 0,
                withCommon(FUNCTION_INGEST, Map.of(ENV_TABLE_EVENTS, EnvValue.tableName("events"))),
                List.of(Grant.readWrite(ResourceKind.TABLE, "events"),
                        new Grant(ResourceKind.QUEUE, "events", Grant.Access.CONSUME)));
        EventSourceSpec ingestEvents = new EventSourceSpec(FUNCTION_INGEST, "events", 10, 0, 5, true);

        // swarms (decision 0700): state in the main table, spec and task results in the workspaces bucket
        FunctionSpec swarmScheduler = new FunctionSpec(FUNCTION_SWARM_SCHEDULER,
                "The swarm scheduler: stores a swarm's state and tells each worker of the swarm workflow its next task",
                "dev.skyloom.handlers.SwarmSchedulerHandler::handleRequest", 1024, 60, 0,
                withCommon(FUNCTION_SWARM_SCHEDULER, Map.of(
                        ENV_TABLE_MAIN, EnvValue.tableName("main"),
                        ENV_BUCKET_WORKSPACES, EnvValue.bucketName("workspaces"),
                        ENV_EVENT_BUS, EnvValue.eventBusName(EVENT_BUS))),
                List.of(Grant.readWrite(ResourceKind.TABLE, "main"),
                        Grant.readWrite(ResourceKind.BUCKET, "workspaces"),
                        // wakes parked workers: SendTaskSuccess of their task tokens (decision 0700)
                        Grant.answerTasks(STATE_MACHINE_SWARM),
                        // SWARM_* events at the scheduler's commits (decision 0700 "Events")
                        Grant.putEvents(EVENT_BUS)));

        // pipelines' lambda steps (decision 0500): no AWS access of its own; http_request reaches public addresses only
        FunctionSpec builtins = new FunctionSpec(FUNCTION_BUILTINS,
                "The built-in functions of pipeline lambda steps: http_request (public addresses only) and json_transform",
                "dev.skyloom.handlers.BuiltInFunctionHandler::handleRequest", 512, 60, 0,
                withCommon(FUNCTION_BUILTINS, Map.of()), List.of());

        EventBusSpec bus = new EventBusSpec(EVENT_BUS,
                "Skyloom platform events: runs, steps, swarms, tool calls, model calls");
        RuleSpec ingestRule = new RuleSpec(RULE_INGEST,
                "Every skyloom.* event of the bus into the events queue, for the ingest function",
                EVENT_BUS, "{\"source\":[{\"prefix\":\"skyloom.\"}]}", List.of(RuleSpec.Target.queue("events")),
                "events");
        ScheduleGroupSpec pulses = new ScheduleGroupSpec(SCHEDULE_GROUP_PULSES,
                "Agent pulses: schedules the platform creates at run time, each starting the pulse workflow",
                List.of(STATE_MACHINE_PULSE));

        List<FunctionSpec> functions = List.of(api, bootstrap, agentTurn, authorizer, ingest, swarmScheduler,
                builtins.callableFromPipelines());
        return new ResourceManifest(List.of(main, events, idempotency), List.of(eventQueue),
                List.of(workspaces, artifacts), functions,
                List.of(bus), List.of(ingestRule), List.of(pulses), List.of(ingestEvents), List.of(pipelinesRole(functions)));
    }

    /**
     * The role pipelines' state machines run as: what {@code AslWriter} compiles steps to — agent, gate and council
     * steps start agent-step and wait ({@code .sync:2}), swarm steps the swarm workflow, run events and approval
     * requests go on the bus, {@code lambda} steps invoke the functions declared {@link FunctionSpec#pipelineCallable}.
     */
    static RoleSpec pipelinesRole(List<FunctionSpec> functions) {
        List<Grant> grants = new java.util.ArrayList<>(List.of(Grant.runAndWait(STATE_MACHINE_AGENT_STEP),
                Grant.runAndWait(STATE_MACHINE_SWARM), Grant.putEvents(EVENT_BUS)));
        functions.stream().filter(FunctionSpec::pipelineCallable)
                .forEach(function -> grants.add(Grant.invoke(function.name())));
        return new RoleSpec(ROLE_PIPELINES, "Runs pipelines' state machines: agent-step and swarm children, events "
                + "on the bus, the built-in functions", STATE_MACHINE_FAMILY_PIPELINES, grants);
    }

    /** The identity provider's JWKS, issuer and client ids: the functions that authenticate JWTs need them. */
    private static Map<String, EnvValue> withIdentity(Map<String, EnvValue> environment) {
        Map<String, EnvValue> with = new LinkedHashMap<>(environment);
        with.put(ENV_JWKS_URL, EnvValue.identity(EnvValue.IdentityValue.Field.JWKS_URL));
        with.put(ENV_JWT_ISSUER, EnvValue.identity(EnvValue.IdentityValue.Field.ISSUER));
        with.put(ENV_JWT_CLIENT_IDS, EnvValue.identity(EnvValue.IdentityValue.Field.CLIENT_IDS));
        return with;
    }

    private static Map<String, EnvValue> withCommon(String function, Map<String, EnvValue> specific) {
        Map<String, EnvValue> environment = new LinkedHashMap<>(specific);
        environment.put("POWERTOOLS_SERVICE_NAME", EnvValue.literal("skyloom-" + function));
        return environment;
    }
}
