package dev.skyloom.local.sfn.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.local.sfn.ExecutionListener;
import dev.skyloom.local.sfn.TaskIntegration;
import dev.skyloom.local.sfn.asl.AslParser;
import dev.skyloom.local.sfn.asl.Definition;
import dev.skyloom.local.sfn.asl.InvalidDefinitionException;
import dev.skyloom.local.sfn.expr.Json;
import dev.skyloom.local.sfn.journal.FsyncPolicy;
import dev.skyloom.local.sfn.journal.Journal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine core: the state machines and executions, the journal, the actors that run executions (one at a time
 * per execution, many executions in parallel), timers and task tokens. Every change goes through
 * {@link #commit}: written to the journal, then applied.
 */
public final class Runtime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Runtime.class);
    private static final long MIN_COMPACT_THRESHOLD = 256L * 1024 * 1024;
    /** The log is compacted when it grows past twice the last snapshot (at least 256 MiB): amortized O(1). */
    private volatile long compactThreshold = MIN_COMPACT_THRESHOLD;

    final String region;
    final String accountId;
    final Clock clock;
    final List<TaskIntegration> integrations;
    final List<ExecutionListener> listeners;
    private final Path dataDir;
    private final FsyncPolicy fsync;
    private final double timerScale;

    final Map<String, StateMachineRecord> machines = new ConcurrentHashMap<>();
    final Map<String, Execution> executions = new ConcurrentHashMap<>(4096);
    final Map<Long, Execution> executionsById = new ConcurrentHashMap<>(4096);
    private final Map<String, Definition> definitionCache = new ConcurrentHashMap<>();
    private final AtomicLong nextExecutionId = new AtomicLong(1);
    private final ReentrantReadWriteLock commitLock = new ReentrantReadWriteLock();
    private final Object machineLock = new Object();

    private Journal journal;
    private ExecutorService workers;
    private ScheduledExecutorService timers;
    final Interpreter interpreter;
    private volatile boolean running;

    public Runtime(Path dataDir, FsyncPolicy fsync, String region, String accountId, Clock clock,
            List<TaskIntegration> integrations, List<ExecutionListener> listeners, double timerScale) {
        this.timerScale = timerScale;
        this.dataDir = dataDir;
        this.fsync = fsync;
        this.region = region;
        this.accountId = accountId;
        this.clock = clock;
        this.integrations = List.copyOf(integrations);
        this.listeners = List.copyOf(listeners);
        this.interpreter = new Interpreter(this);
    }

    // ---------------------------------------------------------------- lifecycle

    /** Recovers the journal (if any) and resumes every running execution. */
    public synchronized void start() {
        if (running) {
            return;
        }
        AtomicInteger threadNo = new AtomicInteger();
        int n = Math.max(2, java.lang.Runtime.getRuntime().availableProcessors());
        // a work-stealing pool in async (FIFO) mode: idle workers spin briefly before parking, which keeps the
        // hand-off from an API thread to an execution's actor cheap
        workers = new java.util.concurrent.ForkJoinPool(n, pool -> {
            java.util.concurrent.ForkJoinWorkerThread t =
                    java.util.concurrent.ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
            t.setName("sfn-worker-" + threadNo.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, null, true);
        ScheduledThreadPoolExecutor stpe = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "sfn-timer");
            t.setDaemon(true);
            return t;
        });
        stpe.setRemoveOnCancelPolicy(true);
        timers = stpe;
        if (dataDir != null) {
            long t0 = System.nanoTime();
            int[] count = {0};
            journal = Journal.open(dataDir, fsync, rec -> {
                if (rec.length > 0 && rec[0] == TxnCodec.TXN) {
                    TxnCodec.Decoded d = TxnCodec.decode(rec);
                    Execution ex = executionsById.get(d.executionId());
                    if (ex == null) {
                        throw new IllegalStateException("journal transaction for unknown execution " + d.executionId());
                    }
                    Model.apply(ex, d.ops(), d.events());
                } else {
                    replay(Json.parse(rec));
                }
                count[0]++;
            });
            LOG.info("sfn_recovered records={} executions={} machines={} millis={}", count[0], executions.size(),
                    machines.size(), (System.nanoTime() - t0) / 1_000_000);
            if (count[0] > 0) {
                compact();
            }
        }
        running = true;
        for (Execution ex : executions.values()) {
            if (ex.isRunning() && !ex.express) {
                post(ex, () -> interpreter.recover(ex));
            }
        }
    }

    @Override
    public synchronized void close() {
        if (!running) {
            return;
        }
        running = false;
        workers.shutdown();
        timers.shutdownNow();
        try {
            if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
                workers.shutdownNow();
                workers.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (journal != null) {
            commitLock.writeLock().lock();
            try {
                journal.close();
                journal = null;
            } finally {
                commitLock.writeLock().unlock();
            }
        }
    }

    boolean isRunning() {
        return running;
    }

    long now() {
        return clock.millis();
    }

    // ---------------------------------------------------------------- definitions

    public Definition compile(String text) throws InvalidDefinitionException {
        Definition d = definitionCache.get(text);
        if (d == null) {
            d = AslParser.parse(text);
            if (definitionCache.size() > 10_000) {
                definitionCache.clear();
            }
            definitionCache.put(text, d);
        }
        return d;
    }

    Definition compileTrusted(String text) {
        try {
            return compile(text);
        } catch (InvalidDefinitionException e) {
            throw new IllegalStateException("a stored definition no longer validates: " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- starting executions

    private static final String BAD_NAME_CHARS = "<>{}[]?*\"#%\\^|~`$&,;:/";

    /** Validates a state machine or execution name as Step Functions does; throws InvalidName. */
    static void checkName(String name) {
        boolean ok = name != null && !name.isEmpty() && name.length() <= 80;
        for (int i = 0; ok && i < name.length(); i++) {
            char c = name.charAt(i);
            ok = !Character.isWhitespace(c) && !(c <= 0x1f || (c >= 0x7f && c <= 0x9f))
                    && BAD_NAME_CHARS.indexOf(c) < 0;
        }
        if (!ok) {
            throw new ServiceException("InvalidName", "Invalid Name: '" + name + "' (a name has 1 to 80 characters "
                    + "and no whitespace, brackets, wildcards or any of \" # % \\ ^ | ~ ` $ & , ; : /)");
        }
    }

    /** A state machine (or one of its versions) resolved from an ARN. */
    record Target(StateMachineRecord machine, StateMachineRecord.Version version) {
        String definition() {
            return version != null ? version.definition() : machine.definition;
        }

        String roleArn() {
            return version != null ? version.roleArn() : machine.roleArn;
        }
    }

    Target resolve(String arn) {
        if (arn == null || !arn.startsWith("arn:aws:states:") || !arn.contains(":stateMachine:")) {
            throw new ServiceException("InvalidArn", "Invalid Arn: '" + arn + "'");
        }
        String rest = arn.substring(arn.indexOf(":stateMachine:") + 14);
        int colon = rest.indexOf(':');
        String base = colon < 0 ? arn : arn.substring(0, arn.length() - rest.length() + colon);
        StateMachineRecord m = machines.get(base);
        if (m == null) {
            throw new ServiceException("StateMachineDoesNotExist", "State Machine Does Not Exist: '" + arn + "'");
        }
        if (colon < 0) {
            return new Target(m, null);
        }
        String qualifier = rest.substring(colon + 1);
        if (!qualifier.matches("\\d+")) {
            throw new ServiceException("StateMachineDoesNotExist", "State Machine Does Not Exist: '" + arn + "'");
        }
        StateMachineRecord.Version v = m.version(Integer.parseInt(qualifier));
        if (v == null) {
            throw new ServiceException("StateMachineDoesNotExist", "State Machine Does Not Exist: '" + arn + "'");
        }
        return new Target(m, v);
    }

    /**
     * The ARN a Standard execution named {@code name} of the state machine (or version) {@code smArn} has or would
     * have; null for an Express state machine (their ARNs are unique per start). Throws as StartExecution would for
     * an unknown state machine.
     */
    String standardExecutionArn(String smArn, String name) {
        Target t = resolve(smArn);
        if ("EXPRESS".equals(t.machine().type)) {
            return null;
        }
        return "arn:aws:states:" + region + ":" + accountId + ":execution:" + t.machine().name + ":" + name;
    }

    /**
     * StartExecution: name idempotency as AWS (same name and input while running returns the same execution,
     * otherwise ExecutionAlreadyExists).
     */
    public Execution startExecution(String smArn, String name, String inputText, String traceHeader,
            Execution.ParentLink parent) {
        Target t = resolve(smArn);
        if (name == null) {
            java.util.concurrent.ThreadLocalRandom r = java.util.concurrent.ThreadLocalRandom.current();
            // a version-4 UUID without SecureRandom's cost: names need uniqueness, not secrecy
            name = new java.util.UUID((r.nextLong() & ~0xF000L) | 0x4000L,
                    (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L).toString();
        }
        checkName(name);
        if (inputText == null) {
            inputText = "{}";
        }
        if (inputText.length() > Json.MAX_PAYLOAD_BYTES
                || inputText.getBytes(StandardCharsets.UTF_8).length > Json.MAX_PAYLOAD_BYTES) {
            throw new ServiceException("ValidationException", "1 validation error detected: Value at 'input' failed "
                    + "to satisfy constraint: Member must have length less than or equal to 262144");
        }
        JsonNode input;
        try {
            input = Json.parse(inputText);
        } catch (IllegalArgumentException e) {
            throw new ServiceException("InvalidExecutionInput", "Invalid State Machine Execution Input: '"
                    + e.getMessage() + "'");
        }
        boolean express = "EXPRESS".equals(t.machine().type);
        String arn = "arn:aws:states:" + region + ":" + accountId + (express ? ":express:" : ":execution:")
                + t.machine().name + ":" + name + (express ? ":" + java.util.UUID.randomUUID() : "");
        Execution ex;
        synchronized (machineLock) {
            Execution existing = executions.get(arn);
            if (existing != null) {
                synchronized (existing) {
                    if (existing.isRunning() && existing.inputText.equals(inputText)
                            && existing.stateMachineArn.equals(t.machine().arn)) {
                        return existing;
                    }
                }
                throw new ServiceException("ExecutionAlreadyExists", "Execution Already Exists: '" + arn + "'");
            }
            ex = createExecution(arn, name, t.machine().arn, t.version() == null ? null : t.version().arn(),
                    t.machine().name, t.roleArn(), t.definition(), express, input, inputText, traceHeader, parent,
                    null);
        }
        Execution started = ex;
        post(ex, () -> interpreter.begin(started));
        return ex;
    }

    // ---------------------------------------------------------------- journal

    private void append(ObjectNode record) {
        if (journal != null) {
            journal.append(Json.write(record).getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Persists and applies a state machine change. */
    void putMachine(StateMachineRecord r) {
        commitLock.readLock().lock();
        try {
            ObjectNode rec = Json.object().put("t", "sm");
            rec.set("sm", r.toJson());
            append(rec);
            machines.put(r.arn, r);
        } finally {
            commitLock.readLock().unlock();
        }
    }

    void deleteMachine(String arn) {
        commitLock.readLock().lock();
        try {
            append(Json.object().put("t", "smdel").put("arn", arn));
            machines.remove(arn);
        } finally {
            commitLock.readLock().unlock();
        }
    }

    Object machineLock() {
        return machineLock;
    }

    /** Writes the transaction to the journal, then applies it. Nothing takes effect before it is recorded. */
    void commit(Txn tx) {
        if (tx.isEmpty()) {
            return;
        }
        if (tx.ex.express || journal == null) {
            synchronized (tx.ex) {
                Model.apply(tx.ex, tx);
            }
            return;
        }
        commitLock.readLock().lock();
        try {
            TxnCodec enc = ENCODER.get();
            enc.encode(tx);
            journal.append(enc.buffer(), enc.length());
            synchronized (tx.ex) {
                Model.apply(tx.ex, tx);
            }
        } finally {
            commitLock.readLock().unlock();
        }
        if (journal != null && journal.size() > compactThreshold) {
            compact();
        }
    }

    private static final ThreadLocal<TxnCodec> ENCODER = ThreadLocal.withInitial(TxnCodec::new);

    /** Creates an execution (journaled) and returns it; the caller commits its first transaction. */
    Execution createExecution(String arn, String name, String smArn, String versionArn, String smName, String roleArn,
            String definitionText, boolean express, JsonNode input, String inputText, String traceHeader,
            Execution.ParentLink parent, String mapRunArn) {
        Definition def = compileTrusted(definitionText);
        long id = nextExecutionId.getAndIncrement();
        Execution ex = new Execution(id, arn, name, smArn, versionArn, smName, roleArn, definitionText, def, express,
                input, inputText, now(), traceHeader, parent, mapRunArn);
        if (!express) {
            commitLock.readLock().lock();
            try {
                append(startRecord(ex, null));
                register(ex);
            } finally {
                commitLock.readLock().unlock();
            }
        } else {
            register(ex);
        }
        return ex;
    }

    private void register(Execution ex) {
        executions.put(ex.arn, ex);
        executionsById.put(ex.id, ex);
    }

    /** Drops an express execution once its caller has its result. */
    void forget(Execution ex) {
        if (ex.express) {
            executions.remove(ex.arn);
            executionsById.remove(ex.id);
        }
    }

    /** Definition texts already in the journal, by id: a start record refers to its definition by id. */
    private final Map<String, Integer> definitionIds = new java.util.HashMap<>();
    private final Map<Integer, String> definitionsById = new java.util.HashMap<>();

    /** The id of a definition text, journaling it first if this journal generation has not seen it. */
    private int definitionId(String text, List<byte[]> sink) {
        synchronized (definitionIds) {
            Integer id = definitionIds.get(text);
            if (id == null) {
                id = definitionIds.size() + 1;
                definitionIds.put(text, id);
                definitionsById.put(id, text);
                byte[] rec = Json.bytes(Json.object().put("t", "def").put("id", id).put("text", text));
                if (sink != null) {
                    sink.add(rec);
                } else if (journal != null) {
                    journal.append(rec);
                }
            }
            return id;
        }
    }

    private ObjectNode startRecord(Execution ex, List<byte[]> sink) {
        ObjectNode r = Json.object().put("t", "start");
        r.put("id", ex.id).put("arn", ex.arn).put("name", ex.name).put("sm", ex.stateMachineArn)
                .put("ver", ex.versionArn).put("smName", ex.stateMachineName).put("role", ex.roleArn)
                .put("defId", definitionId(ex.definitionText, sink)).put("start", ex.startDate)
                .put("trace", ex.traceHeader).put("in", ex.inputText).put("run", ex.mapRunArn);
        r.set("parent", ex.parent == null ? null : ex.parent.toJson());
        return r;
    }

    private void replay(JsonNode rec) {
        JsonNode t = rec.get("t");
        if (t == null) {
            Execution ex = executionsById.get(rec.get("x").longValue());
            if (ex == null) {
                throw new IllegalStateException("journal transaction for unknown execution " + rec.get("x"));
            }
            Model.apply(ex, rec);
            return;
        }
        switch (t.textValue()) {
            case "sm" -> {
                StateMachineRecord r = StateMachineRecord.fromJson(rec.get("sm"));
                machines.put(r.arn, r);
            }
            case "smdel" -> machines.remove(rec.get("arn").textValue());
            case "def" -> {
                int id = rec.get("id").intValue();
                String text = rec.get("text").textValue();
                synchronized (definitionIds) {
                    definitionIds.put(text, id);
                    definitionsById.put(id, text);
                }
            }
            case "start" -> {
                String inputText = rec.get("in").textValue();
                String def = rec.has("def") ? rec.get("def").textValue()
                        : definitionsById.get(rec.get("defId").intValue());
                Execution ex = new Execution(rec.get("id").longValue(), rec.get("arn").textValue(),
                        rec.get("name").textValue(), rec.get("sm").textValue(), rec.path("ver").textValue(),
                        rec.get("smName").textValue(), rec.path("role").textValue(), def,
                        compileTrusted(def), false, Json.parse(inputText), inputText,
                        rec.get("start").longValue(), rec.path("trace").textValue(),
                        Execution.ParentLink.fromJson(rec.get("parent")), rec.path("run").textValue());
                register(ex);
                nextExecutionId.set(Math.max(nextExecutionId.get(), ex.id + 1));
            }
            case "snap" -> {
                Execution ex = executionsById.get(rec.get("x").longValue());
                Snapshots.restore(ex, rec);
            }
            default -> throw new IllegalStateException("unknown journal record " + t);
        }
    }

    /** Rewrites the journal as a snapshot of the current state. Blocks commits while it runs. */
    public void compact() {
        if (journal == null) {
            return;
        }
        commitLock.writeLock().lock();
        try {
            if (journal == null) {
                return;
            }
            List<byte[]> records = new ArrayList<>();
            synchronized (definitionIds) {
                definitionIds.clear();
                definitionsById.clear();
            }
            for (StateMachineRecord r : machines.values()) {
                ObjectNode rec = Json.object().put("t", "sm");
                rec.set("sm", r.toJson());
                records.add(Json.bytes(rec));
            }
            List<Execution> all = new ArrayList<>(executionsById.values());
            all.sort((a, b) -> Long.compare(a.id, b.id));
            for (Execution ex : all) {
                if (ex.express) {
                    continue;
                }
                records.add(Json.bytes(startRecord(ex, records)));
                synchronized (ex) {
                    records.add(Json.bytes(Snapshots.snapshot(ex)));
                }
            }
            journal.compact(records);
            long snapshotBytes = 0;
            for (byte[] r : records) {
                snapshotBytes += r.length;
            }
            compactThreshold = Math.max(MIN_COMPACT_THRESHOLD, 2 * snapshotBytes);
        } finally {
            commitLock.writeLock().unlock();
        }
    }

    // ---------------------------------------------------------------- actors and timers

    /** Runs {@code task} in the execution's actor: tasks of one execution never run concurrently. */
    void post(Execution ex, Runnable task) {
        ex.mailbox.add(task);
        if (ex.wip.getAndIncrement() == 0) {
            try {
                workers.execute(() -> drain(ex));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                ex.wip.set(0); // engine closed
            }
        }
    }

    private void drain(Execution ex) {
        int missed = 1;
        while (true) {
            Runnable r;
            while ((r = ex.mailbox.poll()) != null) {
                if (!running) {
                    ex.mailbox.clear();
                    ex.wip.set(0);
                    return;
                }
                try {
                    r.run();
                } catch (RuntimeException | Error e) {
                    LOG.error("sfn_actor_failure execution={}", ex.arn, e);
                }
            }
            missed = ex.wip.addAndGet(-missed);
            if (missed == 0) {
                return;
            }
        }
    }

    /** Posts {@code task} to the execution's actor at {@code atMillis} (engine clock). */
    void schedule(Execution ex, long atMillis, Runnable task) {
        long delay = (long) (Math.max(0, atMillis - now()) * timerScale);
        if (!running) {
            return;
        }
        try {
            timers.schedule(() -> post(ex, task), delay, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException ignored) {
            // closed
        }
    }

    void runAsync(Runnable r) {
        try {
            workers.execute(r);
        } catch (java.util.concurrent.RejectedExecutionException ignored) {
            // closed
        }
    }

    // ---------------------------------------------------------------- tokens

    static String newToken(Execution ex, int frameId, long seq) {
        byte[] rnd = new byte[18];
        java.util.concurrent.ThreadLocalRandom.current().nextBytes(rnd);
        String raw = "v1:" + ex.id + ":" + frameId + ":" + seq + ":" + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(rnd);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8))
                + "AAAAKgAAAAIAAAAAAAAAAQ";
    }

    /** Decodes a task token into {execution id, frame id, task seq}; null if it is not one of ours. */
    static long[] parseToken(String token) {
        try {
            if (token == null || !token.endsWith("AAAAKgAAAAIAAAAAAAAAAQ")) {
                return null;
            }
            String b = token.substring(0, token.length() - 22);
            String raw = new String(Base64.getUrlDecoder().decode(b), StandardCharsets.UTF_8);
            String[] parts = raw.split(":");
            if (parts.length != 5 || !parts[0].equals("v1")) {
                return null;
            }
            return new long[] {Long.parseLong(parts[1]), Long.parseLong(parts[2]), Long.parseLong(parts[3])};
        } catch (RuntimeException e) {
            return null;
        }
    }

    Execution executionById(long id) {
        return executionsById.get(id);
    }

    Collection<Execution> allExecutions() {
        return executions.values();
    }

    void notifyListeners(Execution ex) {
        if (listeners.isEmpty()) {
            return;
        }
        ExecutionListener.ExecutionStatusChange change = new ExecutionListener.ExecutionStatusChange(ex.arn,
                ex.stateMachineArn, ex.status, ex.output, ex.error, ex.cause);
        for (ExecutionListener l : listeners) {
            try {
                l.onStatusChange(change);
            } catch (RuntimeException e) {
                LOG.warn("sfn_listener_failed execution={} error={}", ex.arn, e.toString());
            }
        }
    }

    /** A future completed when the execution leaves RUNNING. */
    CompletableFuture<Execution> whenDone(Execution ex) {
        CompletableFuture<Execution> f = new CompletableFuture<>();
        synchronized (ex) {
            if (!ex.isRunning()) {
                f.complete(ex);
            } else {
                ex.waiters.add(f);
            }
        }
        return f;
    }
}
