package dev.skyloom.core.swarm;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** What a failed task does to the rest of the swarm. */
public enum FailurePolicy {
    /** Every task that depends on the failed one, directly or not, is skipped; the others go on. The default. */
    SKIP_DEPENDENTS("skip-dependents"),
    /** The first failure cancels the running tasks and skips every task not started; the swarm fails. */
    FAIL_FAST("fail-fast"),
    /** A failed task counts as finished: its dependents run (their {@code deps.<key>} says it failed). */
    CONTINUE("continue");

    private final String wire;

    FailurePolicy(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    public static Optional<FailurePolicy> fromWire(String value) {
        return Arrays.stream(values()).filter(p -> p.wire.equals(value)).findFirst();
    }

    public static List<String> wireNames() {
        return Arrays.stream(values()).map(FailurePolicy::wire).toList();
    }
}
