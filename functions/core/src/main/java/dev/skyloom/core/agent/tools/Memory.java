package dev.skyloom.core.agent.tools;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One remembered item of an agent's personal vault or a project's shared vault.
 *
 * @param author         the agent that remembered it
 * @param recalls        how often {@code recall} returned it (its usefulness)
 * @param lastRecalledAt when it was last returned, or null
 */
public record Memory(String id, Vault vault, Type type, String content, List<String> tags, String author,
                     Instant createdAt, long recalls, Instant lastRecalledAt) {
    /** Ids that can be part of a storage key: no '#', no '/'. */
    public static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    public Memory {
        requireId("memory id", id);
        Objects.requireNonNull(vault, "vault");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(content, "content");
        tags = tags == null ? List.of() : List.copyOf(tags);
        Objects.requireNonNull(createdAt, "createdAt");
    }

    /** What kind of thing is remembered. */
    public enum Type {
        LESSON, DECISION, PATTERN, FACT, PREFERENCE, HANDOFF, COMMITMENT;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Type fromWire(String value) {
            return valueOf(value.toUpperCase(Locale.ROOT));
        }
    }

    /** A personal vault belongs to an agent; a shared vault to a project. */
    public record Vault(Kind kind, String owner) {
        public enum Kind { AGENT, PROJECT }

        public Vault {
            Objects.requireNonNull(kind, "kind");
            requireId("vault owner", owner);
        }

        public static Vault agent(String agentId) {
            return new Vault(Kind.AGENT, agentId);
        }

        public static Vault project(String projectId) {
            return new Vault(Kind.PROJECT, projectId);
        }
    }

    public Memory withRecall(Instant at) {
        return new Memory(id, vault, type, content, tags, author, createdAt, recalls + 1, at);
    }

    static String requireId(String what, String value) {
        if (value == null || !ID.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " '" + value + "' is invalid: use 1-64 characters of "
                    + "A-Z, a-z, 0-9, '_' and '-'");
        }
        return value;
    }
}
