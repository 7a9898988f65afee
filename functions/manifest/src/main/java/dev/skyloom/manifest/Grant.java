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

    /** Levels of access. */
    public enum Access {
        READ(Set.of(ResourceKind.TABLE, ResourceKind.BUCKET)),
        READ_WRITE(Set.of(ResourceKind.TABLE, ResourceKind.BUCKET)),
        SEND(Set.of(ResourceKind.QUEUE)),
        CONSUME(Set.of(ResourceKind.QUEUE)),
        INVOKE(Set.of(ResourceKind.FUNCTION));

        private final Set<ResourceKind> appliesTo;

        Access(Set<ResourceKind> appliesTo) {
            this.appliesTo = appliesTo;
        }

        public Set<ResourceKind> appliesTo() {
            return appliesTo;
        }
    }
}
