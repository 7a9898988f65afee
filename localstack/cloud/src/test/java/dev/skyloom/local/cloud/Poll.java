package dev.skyloom.local.cloud;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/** Waits for a condition with a deadline, polling: tests never sleep and hope. */
final class Poll {
    private Poll() {
    }

    static <T> T until(Duration timeout, String what, Supplier<T> probe) {
        long deadline = System.nanoTime() + timeout.toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            try {
                T value = probe.get();
                if (value != null && !Boolean.FALSE.equals(value)) {
                    return value;
                }
            } catch (RuntimeException e) {
                last = e;
            }
            LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
        }
        AssertionError error = new AssertionError("timed out after " + timeout + " waiting for " + what);
        if (last != null) {
            error.initCause(last);
        }
        throw error;
    }
}
