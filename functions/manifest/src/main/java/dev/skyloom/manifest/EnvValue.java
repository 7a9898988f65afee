package dev.skyloom.manifest;

import java.util.Objects;

/** The value of a function's environment variable: a literal, or a reference resolved by the deployer. */
public sealed interface EnvValue {

    static EnvValue literal(String value) {
        return new Literal(value);
    }

    static EnvValue tableName(String table) {
        return new Ref(ResourceKind.TABLE, table);
    }

    static EnvValue queueUrl(String queue) {
        return new Ref(ResourceKind.QUEUE, queue);
    }

    static EnvValue bucketName(String bucket) {
        return new Ref(ResourceKind.BUCKET, bucket);
    }

    static EnvValue functionName(String function) {
        return new Ref(ResourceKind.FUNCTION, function);
    }

    /** A fixed string. */
    record Literal(String value) implements EnvValue {
        public Literal {
            Objects.requireNonNull(value, "literal value");
        }
    }

    /**
     * A reference to a declared resource: a table's name, a queue's URL, a bucket's name, a function's name.
     */
    record Ref(ResourceKind kind, String name) implements EnvValue {
        public Ref {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(name, "name");
        }
    }
}
