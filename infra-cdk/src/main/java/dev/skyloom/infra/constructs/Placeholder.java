package dev.skyloom.infra.constructs;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awscdk.services.iam.Effect;
import software.amazon.awscdk.services.iam.PolicyStatement;

/**
 * The deployed value of one {@code ${key}} of a state machine definition, and what a state machine that uses it
 * may do with the resource it names. A definition that never mentions a resource gets no permission on it.
 */
public record Placeholder(String value, List<Permission> permissions) {
    public Placeholder {
        Objects.requireNonNull(value, "value");
        permissions = List.copyOf(permissions);
    }

    /** One allow statement: named actions on named resources, with optional conditions. */
    public record Permission(List<String> actions, List<String> resources, Map<String, Object> conditions) {
        public Permission {
            actions = List.copyOf(actions);
            resources = List.copyOf(resources);
            conditions = conditions == null ? Map.of() : Map.copyOf(conditions);
        }

        public Permission(List<String> actions, List<String> resources) {
            this(actions, resources, Map.of());
        }

        /** A fresh statement (statements are mutable; each role gets its own). */
        public PolicyStatement toStatement() {
            PolicyStatement.Builder builder = PolicyStatement.Builder.create().effect(Effect.ALLOW)
                    .actions(actions).resources(resources);
            if (!conditions.isEmpty()) {
                builder.conditions(conditions);
            }
            return builder.build();
        }
    }
}
