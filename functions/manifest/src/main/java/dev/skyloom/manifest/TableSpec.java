package dev.skyloom.manifest;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A DynamoDB table, billed on demand.
 *
 * @param sortKey      null for a partition-key-only table
 * @param ttlAttribute null when items never expire
 */
public record TableSpec(String name, String description, Key partitionKey, Key sortKey,
                        List<IndexSpec> globalSecondaryIndexes, String ttlAttribute) {
    public TableSpec {
        Names.requireLogical("table", name);
        Objects.requireNonNull(partitionKey, "partition key of table " + name);
        globalSecondaryIndexes = List.copyOf(globalSecondaryIndexes);
        attributesOf(name, partitionKey, sortKey, globalSecondaryIndexes);
        if (globalSecondaryIndexes.stream().map(IndexSpec::name).distinct().count() != globalSecondaryIndexes.size()) {
            throw new IllegalArgumentException("table " + name + " declares two indexes with the same name");
        }
    }

    private static void declare(Map<String, Key.KeyType> attributes, Key key, String table) {
        if (key == null) {
            return;
        }
        Key.KeyType previous = attributes.putIfAbsent(key.name(), key.type());
        if (previous != null && previous != key.type()) {
            throw new IllegalArgumentException("table " + table + " uses attribute " + key.name()
                    + " as both " + previous + " and " + key.type());
        }
    }

    /** Every attribute that appears in a key of the table or of an index, with its type, in declaration order. */
    public Map<String, Key.KeyType> keyAttributes() {
        return attributesOf(name, partitionKey, sortKey, globalSecondaryIndexes);
    }

    private static Map<String, Key.KeyType> attributesOf(String table, Key partitionKey, Key sortKey,
                                                         List<IndexSpec> indexes) {
        Map<String, Key.KeyType> attributes = new LinkedHashMap<>();
        declare(attributes, partitionKey, table);
        declare(attributes, sortKey, table);
        for (IndexSpec index : indexes) {
            declare(attributes, index.partitionKey(), table);
            declare(attributes, index.sortKey(), table);
        }
        return attributes;
    }
}
