package dev.skyloom.core.swarm;

/** A task's state in a running swarm. */
public enum TaskStatus {
    PENDING, READY, RUNNING, COMPLETED, FAILED, CANCELLED, SKIPPED;

    public boolean terminal() {
        return this == COMPLETED || this == FAILED || this == CANCELLED || this == SKIPPED;
    }

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
