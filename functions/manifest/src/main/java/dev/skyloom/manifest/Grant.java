package dev.skyloom.manifest;

import java.util.Objects;
import java.util.Set;

/**
 * What a function may do with a declared resource. The CDK app turns grants into least-privilege IAM
 * statements; the local cloud keeps them as documentation of intent.
 */
public record Grant(ResourceKind kind, String name, Access access) {
    public Grant {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(access, "access");
        if (kind == ResourceKind.MODEL && !BEDROCK.equals(name)) {
            throw new IllegalArgumentException("a model grant is named '" + BEDROCK + "' (the Bedrock models of the "
                    + "region), not '" + name + "'");
        }
        if (!access.appliesTo().contains(kind)) {
            throw new IllegalArgumentException("access " + access + " does not apply to a " + kind
                    + "; it applies to " + access.appliesTo());
        }
    }

    public static Grant readWrite(ResourceKind kind, String name) {
        return new Grant(kind, name, Access.READ_WRITE);
    }

    public static Grant read(ResourceKind kind, String name) {
        return new Grant(kind, name, Access.READ);
    }

    /** Put events on a declared event bus. */
    public static Grant putEvents(String bus) {
        return new Grant(ResourceKind.EVENT_BUS, bus, Access.PUT_EVENTS);
    }

    /** Start, describe, stop and redrive executions of a state machine. */
    public static Grant runStateMachine(String stateMachine) {
        return new Grant(ResourceKind.STATE_MACHINE, stateMachine, Access.RUN);
    }

    /**
     * Invoke the Bedrock foundation models and inference profiles of the deployment's region ({@code InvokeModel}
     * and {@code InvokeModelWithResponseStream}, which also authorize {@code Converse} and {@code ConverseStream}).
     */
    public static Grant invokeModels() {
        return new Grant(ResourceKind.MODEL, BEDROCK, Access.INVOKE);
    }

    /** The name of the {@link ResourceKind#MODEL} grant: every Bedrock model of the region. */
    public static final String BEDROCK = "bedrock";

    /** Levels of access. */
    public enum Access {
        READ(Set.of(ResourceKind.TABLE, ResourceKind.BUCKET)),
        READ_WRITE(Set.of(ResourceKind.TABLE, ResourceKind.BUCKET)),
        SEND(Set.of(ResourceKind.QUEUE)),
        CONSUME(Set.of(ResourceKind.QUEUE)),
        INVOKE(Set.of(ResourceKind.FUNCTION, ResourceKind.MODEL)),
        PUT_EVENTS(Set.of(ResourceKind.EVENT_BUS)),
        /** Start, describe, stop and redrive executions. */
        RUN(Set.of(ResourceKind.STATE_MACHINE));

        private final Set<ResourceKind> appliesTo;

        Access(Set<ResourceKind> appliesTo) {
            this.appliesTo = appliesTo;
        }

        public Set<ResourceKind> appliesTo() {
            return appliesTo;
        }
    }
}
