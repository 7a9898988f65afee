package dev.skyloom.local.cloud.lambda;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.manifest.LocalLambdaContract;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local Lambda service: functions hosted in this JVM by handler class name, each in its own class loader, with
 * Lambda's per-function timeout, reserved concurrency, account concurrency limit, payload limits and error
 * reporting. Configurations and code are stored under the data directory and survive restarts.
 */
public final class LocalLambda implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalLambda.class);

    /** Payload limits of the Invoke API. */
    public static final int MAX_SYNC_PAYLOAD = 6 * 1024 * 1024;
    public static final int MAX_ASYNC_PAYLOAD = 1024 * 1024;

    static final Set<String> JAVA_RUNTIMES = Set.of("java21", "java17", "java11", "java8.al2", "java25");
    private static final Pattern NAME = Pattern.compile(
            "(?:arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\\d{12}:function:|\\d{12}:function:)?([a-zA-Z0-9_-]{1,64})(?::(\\$LATEST|[a-zA-Z0-9_-]+))?");
    private static final Pattern ROLE = Pattern.compile("arn:aws[a-zA-Z-]*:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-/]+");
    private static final DateTimeFormatter LAST_MODIFIED =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ").withZone(ZoneOffset.UTC);

    private final String region;
    private final String accountId;
    private final URI edgeEndpoint;
    private final FunctionStore store;
    private final ObjectMapper json;
    private final Semaphore accountConcurrency;
    private final int accountLimit;
    private final Map<String, FunctionState> functions = new ConcurrentHashMap<>();
    private final ExecutorService invokers;
    private volatile AsyncInvoker asyncInvoker;

    /** A function and its warm execution environment, if any. */
    private static final class FunctionState {
        volatile FunctionConfig config;
        volatile Semaphore reserved;
        FunctionInstance instance;

        FunctionState(FunctionConfig config) {
            this.config = config;
            this.reserved = config.reservedConcurrency() == null ? null : new Semaphore(config.reservedConcurrency());
        }

        /** Closes the environment at once: its invocation timed out, or the service stops. */
        synchronized void discardInstance() {
            if (instance != null) {
                instance.close();
                instance = null;
            }
        }

        /** The code or configuration changed: new invocations get a new environment, running ones finish. */
        synchronized void retireInstance() {
            if (instance != null) {
                instance.retire();
                instance = null;
            }
        }
    }

    public LocalLambda(Path dataDir, String region, String accountId, URI edgeEndpoint, int accountLimit) {
        this.region = region;
        this.accountId = accountId;
        this.edgeEndpoint = edgeEndpoint;
        this.json = new ObjectMapper();
        this.store = new FunctionStore(dataDir, json);
        this.accountLimit = accountLimit;
        this.accountConcurrency = new Semaphore(accountLimit);
        AtomicInteger threads = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, "lambda-invoke-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.invokers = Executors.newCachedThreadPool(factory);
        InvocationLog.installRouting();
        for (FunctionConfig config : store.loadAll()) {
            functions.put(config.functionName(), new FunctionState(config));
        }
    }

    /** Connects durable {@code Event} invocations; until then they are refused. */
    public void asyncInvoker(AsyncInvoker invoker) {
        this.asyncInvoker = invoker;
    }

    public String region() {
        return region;
    }

    public String functionArn(String name) {
        return "arn:aws:lambda:" + region + ":" + accountId + ":function:" + name;
    }

    // ---------------------------------------------------------------- control plane

    /** The request of CreateFunction, already parsed from JSON. */
    public record CreateRequest(String functionName, String runtime, String handler, String role, String description,
                                Integer timeout, Integer memorySize, Map<String, String> environment,
                                byte[] zipFile, String s3Bucket, String s3Key) {
    }

    /** The bucket name that, as in LocalStack, makes {@code S3Key} a path on this machine loaded as it is. */
    public static final String HOT_RELOAD_BUCKET = "hot-reload";

    public FunctionConfig create(CreateRequest request) {
        String name = requireName(request.functionName(), "functionName");
        if (request.role() == null) {
            throw LambdaException.validation("role", "null", "Member must not be null");
        }
        if (!ROLE.matcher(request.role()).matches()) {
            throw LambdaException.validation("role", request.role(),
                    "Member must satisfy regular expression pattern: " + ROLE.pattern());
        }
        if (request.runtime() == null || !JAVA_RUNTIMES.contains(request.runtime())) {
            throw LambdaException.invalid("The runtime parameter of " + request.runtime()
                    + " is not supported by the Skyloom local Lambda service, which hosts Java handlers in-process. "
                    + "Supported runtimes: " + String.join(", ", new java.util.TreeSet<>(JAVA_RUNTIMES)));
        }
        if (request.handler() == null || request.handler().isBlank()) {
            throw LambdaException.invalid("The handler is required for Zip package type functions");
        }
        int timeout = request.timeout() == null ? 3 : request.timeout();
        int memory = request.memorySize() == null ? 128 : request.memorySize();
        checkLimits(timeout, memory);
        Code code = resolveCode(name, request.zipFile(), request.s3Bucket(), request.s3Key());
        FunctionConfig config = new FunctionConfig(name, request.runtime(), request.handler(), request.role(),
                request.description(), timeout, memory, request.environment(), code.kind(), code.location(),
                code.sha256(), code.size(), now(), UUID.randomUUID().toString(), null);
        FunctionState state = new FunctionState(config);
        if (functions.putIfAbsent(name, state) != null) {
            throw new LambdaException(409, "ResourceConflictException", "Function already exist: " + name);
        }
        store.save(config);
        LOG.info("lambda function created name={} handler={} runtime={}", name, config.handler(), config.runtime());
        return config;
    }

    /** UpdateFunctionConfiguration: only the fields given change. */
    public FunctionConfig updateConfiguration(String nameOrArn, String handler, String runtime, String role,
                                              String description, Integer timeout, Integer memorySize,
                                              Map<String, String> environment) {
        FunctionState state = state(nameOrArn);
        synchronized (state) {
            FunctionConfig c = state.config;
            if (runtime != null && !JAVA_RUNTIMES.contains(runtime)) {
                throw LambdaException.invalid("The runtime parameter of " + runtime + " is not supported");
            }
            if (role != null && !ROLE.matcher(role).matches()) {
                throw LambdaException.validation("role", role,
                        "Member must satisfy regular expression pattern: " + ROLE.pattern());
            }
            int newTimeout = timeout == null ? c.timeout() : timeout;
            int newMemory = memorySize == null ? c.memorySize() : memorySize;
            checkLimits(newTimeout, newMemory);
            FunctionConfig updated = new FunctionConfig(c.functionName(), runtime == null ? c.runtime() : runtime,
                    handler == null ? c.handler() : handler, role == null ? c.role() : role,
                    description == null ? c.description() : description, newTimeout, newMemory,
                    environment == null ? c.environment() : environment, c.codeKind(), c.codeLocation(),
                    c.codeSha256(), c.codeSize(), now(), UUID.randomUUID().toString(), c.reservedConcurrency());
            store.save(updated);
            state.config = updated;
            state.retireInstance();
            return updated;
        }
    }

    public FunctionConfig updateCode(String nameOrArn, byte[] zipFile, String s3Bucket, String s3Key) {
        FunctionState state = state(nameOrArn);
        synchronized (state) {
            FunctionConfig c = state.config;
            Code code = resolveCode(c.functionName(), zipFile, s3Bucket, s3Key);
            FunctionConfig updated = new FunctionConfig(c.functionName(), c.runtime(), c.handler(), c.role(),
                    c.description(), c.timeout(), c.memorySize(), c.environment(), code.kind(), code.location(),
                    code.sha256(), code.size(), now(), UUID.randomUUID().toString(), c.reservedConcurrency());
            store.save(updated);
            state.config = updated;
            state.retireInstance();
            return updated;
        }
    }

    public FunctionConfig putConcurrency(String nameOrArn, Integer reserved) {
        FunctionState state = state(nameOrArn);
        if (reserved != null && (reserved < 0 || reserved > accountLimit)) {
            throw LambdaException.invalid("Specified ReservedConcurrentExecutions for function is " + reserved
                    + "; it must be between 0 and the account limit " + accountLimit);
        }
        synchronized (state) {
            FunctionConfig updated = state.config.withReservedConcurrency(reserved, UUID.randomUUID().toString());
            store.save(updated);
            state.config = updated;
            state.reserved = reserved == null ? null : new Semaphore(reserved);
            return updated;
        }
    }

    public FunctionConfig get(String nameOrArn) {
        return state(nameOrArn).config;
    }

    public List<FunctionConfig> list() {
        List<FunctionConfig> all = new ArrayList<>();
        functions.values().forEach(s -> all.add(s.config));
        all.sort(Comparator.comparing(FunctionConfig::functionName));
        return all;
    }

    public void delete(String nameOrArn) {
        FunctionState state = state(nameOrArn);
        String name = state.config.functionName();
        synchronized (state) {
            functions.remove(name, state);
            store.delete(name);
            state.retireInstance();
            store.deleteCode(name);
        }
        LOG.info("lambda function deleted name={}", name);
    }

    private static void checkLimits(int timeout, int memory) {
        if (timeout < 1 || timeout > 900) {
            throw LambdaException.validation("timeout", Integer.toString(timeout),
                    "Member must have value between 1 and 900");
        }
        if (memory < 128 || memory > 10240) {
            throw LambdaException.validation("memorySize", Integer.toString(memory),
                    "Member must have value between 128 and 10240");
        }
    }

    private record Code(FunctionConfig.CodeKind kind, String location, String sha256, long size) {
    }

    private Code resolveCode(String name, byte[] zipFile, String s3Bucket, String s3Key) {
        if (zipFile != null) {
            FunctionStore.StoredCode stored = store.storeZip(name, zipFile);
            return new Code(FunctionConfig.CodeKind.ZIP, stored.dir().toString(), stored.sha256Base64(),
                    stored.size());
        }
        if (HOT_RELOAD_BUCKET.equals(s3Bucket) && s3Key != null) {
            Path path = Path.of(s3Key).toAbsolutePath();
            if (!Files.exists(path)) {
                throw LambdaException.invalid("Hot-reload code path " + path + " does not exist; S3Key must be the "
                        + "absolute path of a jar or a class directory on this machine");
            }
            String digest = java.util.Base64.getEncoder().encodeToString(
                    (path + "@" + path.toFile().lastModified()).getBytes(StandardCharsets.UTF_8));
            return new Code(FunctionConfig.CodeKind.HOT_RELOAD, path.toString(), digest, path.toFile().length());
        }
        if (s3Bucket != null) {
            throw LambdaException.invalid("Code from S3 bucket '" + s3Bucket + "' is not supported locally: upload "
                    + "the package as ZipFile, or use S3Bucket=" + HOT_RELOAD_BUCKET + " with S3Key=<local path>");
        }
        throw LambdaException.invalid("Please provide a source for function code: ZipFile, or S3Bucket and S3Key");
    }

    private FunctionState state(String nameOrArn) {
        String name = requireName(nameOrArn, "functionName");
        FunctionState state = functions.get(name);
        if (state == null) {
            throw LambdaException.notFound(functionArn(name));
        }
        return state;
    }

    private static String requireName(String nameOrArn, String field) {
        if (nameOrArn == null) {
            throw LambdaException.validation(field, "null", "Member must not be null");
        }
        Matcher m = NAME.matcher(nameOrArn);
        if (!m.matches()) {
            throw LambdaException.validation(field, nameOrArn,
                    "Member must satisfy regular expression pattern: " + NAME.pattern());
        }
        return m.group(1);
    }

    private static String now() {
        return LAST_MODIFIED.format(Instant.now());
    }

    // ---------------------------------------------------------------- data plane

    /** Invokes a function and waits for its result (InvocationType RequestResponse). */
    public InvocationResult invoke(String nameOrArn, byte[] payload, boolean tail) {
        FunctionState state = state(nameOrArn);
        if (payload.length > MAX_SYNC_PAYLOAD) {
            throw new LambdaException(413, "RequestTooLargeException", "Request must be smaller than "
                    + MAX_SYNC_PAYLOAD + " bytes for the InvokeFunction operation");
        }
        validateJson(payload);
        Semaphore reserved = state.reserved;
        if (reserved != null && !reserved.tryAcquire()) {
            throw LambdaException.throttled("ReservedFunctionConcurrentInvocationLimitExceeded",
                    "Rate Exceeded.");
        }
        try {
            if (reserved == null && !accountConcurrency.tryAcquire()) {
                throw LambdaException.throttled("ConcurrentInvocationLimitExceeded", "Rate Exceeded.");
            }
            try {
                return run(state, payload, tail);
            } finally {
                if (reserved == null) {
                    accountConcurrency.release();
                }
            }
        } finally {
            if (reserved != null) {
                reserved.release();
            }
        }
    }

    /** Queues a durable asynchronous invocation (InvocationType Event); returns its request id. */
    public String invokeAsync(String nameOrArn, byte[] payload) {
        FunctionState state = state(nameOrArn);
        if (payload.length > MAX_ASYNC_PAYLOAD) {
            throw new LambdaException(413, "RequestTooLargeException", "Request must be smaller than "
                    + MAX_ASYNC_PAYLOAD + " bytes for the InvokeFunction operation");
        }
        validateJson(payload);
        AsyncInvoker invoker = asyncInvoker;
        if (invoker == null) {
            throw new LambdaException(503, "ServiceException", "Asynchronous invocation is not ready yet");
        }
        return invoker.enqueue(state.config.functionName(), payload);
    }

    /** Checks that a function exists and the payload could be invoked (InvocationType DryRun). */
    public void dryRun(String nameOrArn, byte[] payload) {
        state(nameOrArn);
        validateJson(payload);
    }

    private void validateJson(byte[] payload) {
        if (payload.length == 0) {
            return;
        }
        try (var parser = json.getFactory().createParser(payload)) {
            while (parser.nextToken() != null) {
                parser.skipChildren();
            }
        } catch (IOException e) {
            throw new LambdaException(400, "InvalidRequestContentException",
                    "Could not parse request body into json: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
    }

    private InvocationResult run(FunctionState state, byte[] payload, boolean tail) {
        FunctionConfig config = state.config;
        String requestId = UUID.randomUUID().toString();
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(config.timeout());
        InvocationLog log = new InvocationLog();
        log.append("START RequestId: " + requestId + " Version: $LATEST\n");
        Future<byte[]> future = invokers.submit(() -> {
            InvocationLog.bind(log);
            try {
                FunctionInstance instance = instance(state, config);
                while (!instance.acquire()) {
                    instance = instance(state, state.config);
                }
                LocalContext context = new LocalContext(requestId, config, functionArn(config.functionName()),
                        deadline, logStream(requestId), log);
                try {
                    return instance.invoke(payload, context);
                } catch (Throwable thrown) {
                    throw new HandlerFailure(thrown);
                } finally {
                    instance.release();
                }
            } finally {
                InvocationLog.unbind();
            }
        });
        byte[] body;
        String error = null;
        try {
            body = future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (body.length > MAX_SYNC_PAYLOAD) {
                error = "Unhandled";
                body = errorJson("Function.ResponseSizeTooLarge", "Response payload size (" + body.length
                        + " bytes) exceeded maximum allowed payload size (" + MAX_SYNC_PAYLOAD + " bytes).", null);
            }
        } catch (TimeoutException e) {
            future.cancel(true);
            state.discardInstance();
            error = "Unhandled";
            body = errorJson("Sandbox.Timedout", "RequestId: " + requestId + " Error: Task timed out after "
                    + String.format("%.2f", (double) config.timeout()) + " seconds", null);
            log.append(LAST_MODIFIED.format(Instant.now()) + " " + requestId + " Task timed out after "
                    + config.timeout() + " seconds\n");
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new LambdaException(500, "ServiceException", "Invocation interrupted");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof HandlerFailure failure ? failure.getCause() : e.getCause();
            error = "Unhandled";
            if (cause instanceof FunctionInstance.InitException init) {
                body = errorJson(init.errorType(), init.getMessage(), init.getCause());
            } else {
                body = errorJson(cause.getClass().getName(), cause.getMessage(), cause);
            }
            log.append(cause + "\n");
        }
        long elapsedMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        log.append("END RequestId: " + requestId + "\nREPORT RequestId: " + requestId + "\tDuration: " + elapsedMs
                + " ms\tBilled Duration: " + elapsedMs + " ms\tMemory Size: " + config.memorySize() + " MB\t\n");
        return new InvocationResult(200, body, error, tail ? log.tail() : null);
    }

    private FunctionInstance instance(FunctionState state, FunctionConfig config) throws Exception {
        synchronized (state) {
            if (state.instance == null) {
                Properties environment = environmentOf(config);
                Path envRoot = store.writeEnvironment(config.functionName(), config.revisionId(), environment);
                List<Path> classpath = new ArrayList<>(FunctionInstance.classpathOf(Path.of(config.codeLocation())));
                classpath.add(envRoot);
                long t0 = System.nanoTime();
                state.instance = FunctionInstance.load(config, classpath, LocalLambda.class.getClassLoader());
                LOG.info("lambda cold start name={} initMs={}", config.functionName(),
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            }
            return state.instance;
        }
    }

    private Properties environmentOf(FunctionConfig config) {
        Properties env = new Properties();
        env.putAll(config.environment());
        env.put("AWS_REGION", region);
        env.put("AWS_DEFAULT_REGION", region);
        env.put("AWS_ACCESS_KEY_ID", "test");
        env.put("AWS_SECRET_ACCESS_KEY", "test");
        env.put("AWS_SESSION_TOKEN", "test");
        env.put("AWS_LAMBDA_FUNCTION_NAME", config.functionName());
        env.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(config.memorySize()));
        env.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + config.functionName());
        env.put("AWS_EXECUTION_ENV", "AWS_Lambda_" + config.runtime());
        env.put("_HANDLER", config.handler());
        env.put("LAMBDA_TASK_ROOT", config.codeLocation());
        env.put(LocalLambdaContract.ENDPOINT_VARIABLE, edgeEndpoint.toString());
        return env;
    }

    private static String logStream(String requestId) {
        return java.time.LocalDate.now(ZoneOffset.UTC).toString().replace('-', '/') + "/[$LATEST]"
                + requestId.replace("-", "");
    }

    private byte[] errorJson(String type, String message, Throwable cause) {
        ObjectNode error = json.createObjectNode();
        error.put("errorMessage", message);
        error.put("errorType", type);
        if (cause != null) {
            ArrayNode trace = error.putArray("stackTrace");
            for (StackTraceElement element : cause.getStackTrace()) {
                if (element.getClassName().startsWith(LocalLambda.class.getPackageName())
                        || element.getClassName().startsWith("java.lang.reflect")
                        || element.getClassName().startsWith("jdk.internal.reflect")) {
                    break;
                }
                trace.add(element.toString());
            }
            if (cause.getCause() != null && cause.getCause() != cause) {
                Throwable inner = cause.getCause();
                error.set("cause", json.createObjectNode().put("errorMessage", inner.getMessage())
                        .put("errorType", inner.getClass().getName()));
            }
        }
        try {
            return json.writeValueAsBytes(error);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Carries whatever a handler threw (errors included) out of the invocation thread. */
    private static final class HandlerFailure extends Exception {
        private static final long serialVersionUID = 1L;

        HandlerFailure(Throwable cause) {
            super(cause);
        }
    }

    /** Exposed for the async invoker: the current configuration, if the function still exists. */
    Optional<FunctionConfig> find(String name) {
        return Optional.ofNullable(functions.get(name)).map(s -> s.config);
    }

    @Override
    public void close() {
        invokers.shutdownNow();
        functions.values().forEach(FunctionState::discardInstance);
    }
}
