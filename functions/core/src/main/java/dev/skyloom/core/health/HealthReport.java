package dev.skyloom.core.health;

import java.util.Map;

/** The health of every component; {@code healthy} only when all are. */
public record HealthReport(boolean healthy, Map<String, Component> components) {

    public HealthReport {
        components = Map.copyOf(components);
    }

    /** One component's state. */
    public record Component(boolean healthy, String detail, long latencyMillis) {
    }
}
