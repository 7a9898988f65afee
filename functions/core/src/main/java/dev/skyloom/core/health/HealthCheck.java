package dev.skyloom.core.health;

import java.util.Objects;

/** One dependency's check: its probe throws when the dependency is not usable and returns a short detail otherwise. */
public record HealthCheck(String component, Probe probe) {

    public HealthCheck {
        Objects.requireNonNull(component, "component");
        Objects.requireNonNull(probe, "probe");
    }

    /** The work of a check. */
    @FunctionalInterface
    public interface Probe {
        String run() throws Exception;
    }
}
