package dev.skyloom.manifest;

import java.util.Objects;

/**
 * A global secondary index.
 *
 * @param sortKey null when the index has a partition key only
 */
public record IndexSpec(String name, Key partitionKey, Key sortKey, Projection projection) {
    public IndexSpec {
        Objects.requireNonNull(name, "index name");
        Objects.requireNonNull(partitionKey, "index partition key");
        Objects.requireNonNull(projection, "index projection");
    }

    public static IndexSpec of(String name, Key partitionKey, Key sortKey) {
        return new IndexSpec(name, partitionKey, sortKey, Projection.ALL);
    }

    /** What an index copies from the base table. */
    public enum Projection { ALL, KEYS_ONLY }
}
