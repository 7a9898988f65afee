package dev.skyloom.manifest;

import java.util.Objects;

/** A key attribute of a table or index. */
public record Key(String name, KeyType type) {
    public Key {
        Objects.requireNonNull(name, "key name");
        Objects.requireNonNull(type, "key type");
        if (name.isBlank()) {
            throw new IllegalArgumentException("key name must not be blank");
        }
    }

    public static Key string(String name) {
        return new Key(name, KeyType.STRING);
    }

    public static Key number(String name) {
        return new Key(name, KeyType.NUMBER);
    }

    /** DynamoDB scalar attribute types usable in keys. */
    public enum KeyType {
        STRING("S"), NUMBER("N"), BINARY("B");

        private final String code;

        KeyType(String code) {
            this.code = code;
        }

        /** The DynamoDB attribute type code: S, N or B. */
        public String code() {
            return code;
        }
    }
}
