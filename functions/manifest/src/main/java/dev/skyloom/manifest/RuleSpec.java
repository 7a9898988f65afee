package dev.skyloom.manifest;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * An EventBridge rule: events of {@link #bus()} that match {@link #eventPattern()} go to each target.
 *
 * @param eventPattern    the EventBridge event pattern, as JSON text (an object); deployers hand it over unchanged
 * @param deadLetterQueue a declared queue whose dead-letter queue receives events the rule could not deliver
 *                        (after EventBridge's retries)
 */
public record RuleSpec(String name, String description, String bus, String eventPattern, List<Target> targets,
                       String deadLetterQueue) {

    public RuleSpec {
        Names.requireLogical("rule", name);
        Names.requireLogical("event bus of rule " + name, bus);
        Objects.requireNonNull(eventPattern, "event pattern of rule " + name);
        String pattern = eventPattern.strip();
        if (!pattern.startsWith("{") || !pattern.endsWith("}") || pattern.length() < 3) {
            throw new IllegalArgumentException("rule " + name + ": the event pattern must be a non-empty JSON object, "
                    + "such as {\"source\":[{\"prefix\":\"skyloom.\"}]}");
        }
        targets = List.copyOf(targets);
        if (targets.isEmpty() || targets.size() > 5) {
            throw new IllegalArgumentException("rule " + name + " has " + targets.size()
                    + " targets: valid range is 1..5 (EventBridge's limit)");
        }
        Set<String> ids = new HashSet<>();
        for (Target target : targets) {
            if (!ids.add(target.id())) {
                throw new IllegalArgumentException("rule " + name + " names target " + target.id() + " twice");
            }
        }
        Names.requireLogical("dead-letter queue of rule " + name, deadLetterQueue);
    }

    /**
     * Where matched events go: a declared queue, function or state machine (started with the event as input).
     */
    public record Target(ResourceKind kind, String name) {
        private static final Set<ResourceKind> KINDS = Set.of(ResourceKind.QUEUE, ResourceKind.FUNCTION,
                ResourceKind.STATE_MACHINE);

        public Target {
            Objects.requireNonNull(kind, "kind");
            if (!KINDS.contains(kind)) {
                throw new IllegalArgumentException("a rule target is a queue, a function or a state machine, not a "
                        + kind);
            }
            Names.requireLogical("rule target", name);
        }

        public static Target queue(String name) {
            return new Target(ResourceKind.QUEUE, name);
        }

        public static Target function(String name) {
            return new Target(ResourceKind.FUNCTION, name);
        }

        public static Target stateMachine(String name) {
            return new Target(ResourceKind.STATE_MACHINE, name);
        }

        /** The target's id within its rule: {@code queue-events}, {@code function-ingest}. */
        public String id() {
            return kind.name().toLowerCase().replace('_', '-') + "-" + name;
        }
    }
}
