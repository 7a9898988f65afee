package dev.skyloom.local.sfn;

import dev.skyloom.local.sfn.api.SfnApi;
import dev.skyloom.local.sfn.journal.FsyncPolicy;
import dev.skyloom.local.sfn.runtime.Operations;
import dev.skyloom.local.sfn.runtime.Runtime;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Skyloom's local Step Functions: the Step Functions API (AWS JSON 1.0) over a durable Amazon States Language
 * engine. Build it, {@link #start()} it (recovers and resumes executions from {@code dataDir}), pass it each
 * request's {@code X-Amz-Target} action and body, and {@link #close()} it.
 *
 * <pre>{@code
 * try (StepFunctionsEngine sfn = StepFunctionsEngine.builder().dataDir(dir).integration(lambda).build()) {
 *     sfn.start();
 *     SfnResponse r = sfn.handle("StartExecution", body);
 * }
 * }</pre>
 */
public final class StepFunctionsEngine implements AutoCloseable {
    private final Runtime runtime;
    private final SfnApi api;

    private StepFunctionsEngine(Builder b) {
        this.runtime = new Runtime(b.dataDir, b.fsync, b.region, b.accountId, b.clock, b.integrations, b.listeners,
                b.timerScale);
        this.api = new SfnApi(new Operations(runtime));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Recovers state from the data directory and resumes running executions. Idempotent. */
    public void start() {
        runtime.start();
    }

    /**
     * Handles one API call. {@code action} is the {@code X-Amz-Target} header without {@code AWSStepFunctions.},
     * e.g. {@code StartExecution}; {@code requestJson} the request body.
     */
    public SfnResponse handle(String action, byte[] requestJson) {
        runtime.start();
        return api.handle(action, requestJson);
    }

    /** Rewrites the journal as a compact snapshot now (it also happens at start and when the log grows large). */
    public void compact() {
        runtime.compact();
    }

    /** Stops timers and workers and closes the journal; a new engine may then open the same data directory. */
    @Override
    public void close() {
        runtime.close();
    }

    /** Configures an engine. */
    public static final class Builder {
        private Path dataDir;
        private String region = "us-east-1";
        private String accountId = "000000000000";
        private final List<TaskIntegration> integrations = new ArrayList<>();
        private final List<ExecutionListener> listeners = new ArrayList<>();
        private Clock clock = Clock.systemUTC();
        private FsyncPolicy fsync = FsyncPolicy.BATCH;
        private double timerScale = 1.0;

        private Builder() {
        }

        /** Where the journal and snapshots live; {@code null} keeps everything in memory (tests). */
        public Builder dataDir(Path dir) {
            this.dataDir = dir;
            return this;
        }

        public Builder region(String region) {
            this.region = Objects.requireNonNull(region, "region");
            return this;
        }

        public Builder accountId(String accountId) {
            this.accountId = Objects.requireNonNull(accountId, "accountId");
            return this;
        }

        /** Adds a service integration; integrations are tried in the order they were added. */
        public Builder integration(TaskIntegration integration) {
            integrations.add(Objects.requireNonNull(integration, "integration"));
            return this;
        }

        /** Adds a listener told of every execution status change. */
        public Builder listener(ExecutionListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** When journal writes are forced to disk; default {@link FsyncPolicy#BATCH}. */
        public Builder fsync(FsyncPolicy policy) {
            this.fsync = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * Multiplies the real delay of every timer (Wait, Retry intervals, task and execution timeouts) by
         * {@code factor}; recorded times are unchanged. For tests only: e.g. 0.001 runs a 1 s retry in 1 ms.
         */
        public Builder timerScale(double factor) {
            if (!(factor > 0)) {
                throw new IllegalArgumentException("timerScale must be > 0");
            }
            this.timerScale = factor;
            return this;
        }

        public StepFunctionsEngine build() {
            return new StepFunctionsEngine(this);
        }
    }
}
