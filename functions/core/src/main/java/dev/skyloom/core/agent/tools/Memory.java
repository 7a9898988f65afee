package dev.skyloom.core.agent.tools;

import java.time.Instant;
import java.util.Arrays;
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
 * @param embedding      the content's embedding, computed once when it was remembered; null when embeddings were
 *                       off or failed then
 */
public record Memory(String id, Vault vault, Type type, String content, List<String> tags, String author,
                     Instant createdAt, long recalls, Instant lastRecalledAt, Embedding embedding) {
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

    /** A memory without an embedding. */
    public Memory(String id, Vault vault, Type type, String content, List<String> tags, String author,
                  Instant createdAt, long recalls, Instant lastRecalledAt) {
        this(id, vault, type, content, tags, author, createdAt, recalls, lastRecalledAt, null);
    }

    /**
     * A vector and the space it lives in ({@link Embeddings#space()}); only vectors of one space are compared.
     */
    public record Embedding(String space, float[] vector) {
        public Embedding {
            Objects.requireNonNull(space, "space");
            if (vector == null || vector.length == 0) {
                throw new IllegalArgumentException("an embedding needs at least one dimension");
            }
            vector = vector.clone();
        }

        @Override
        public float[] vector() {
            return vector.clone();
        }

        /** Cosine similarity with {@code other} when both are of one space and length, else null. */
        public Double cosine(Embedding other) {
            if (other == null || !space.equals(other.space) || vector.length != other.vector.length) {
                return null;
            }
            double dot = 0;
            double a = 0;
            double b = 0;
            for (int i = 0; i < vector.length; i++) {
                dot += (double) vector[i] * other.vector[i];
                a += (double) vector[i] * vector[i];
                b += (double) other.vector[i] * other.vector[i];
            }
            return a == 0 || b == 0 ? 0.0 : dot / Math.sqrt(a * b);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Embedding e && space.equals(e.space) && Arrays.equals(vector, e.vector);
        }

        @Override
        public int hashCode() {
            return 31 * space.hashCode() + Arrays.hashCode(vector);
        }

        @Override
        public String toString() {
            return "Embedding[space=" + space + ", dimensions=" + vector.length + "]";
        }
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
        return new Memory(id, vault, type, content, tags, author, createdAt, recalls + 1, at, embedding);
    }

    static String requireId(String what, String value) {
        if (value == null || !ID.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " '" + value + "' is invalid: use 1-64 characters of "
                    + "A-Z, a-z, 0-9, '_' and '-'");
        }
        return value;
    }
}
