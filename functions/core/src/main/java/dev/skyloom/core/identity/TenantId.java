package dev.skyloom.core.identity;

import java.util.Objects;
import java.util.regex.Pattern;

/** A validated tenant identifier: 1-40 characters of a-z, 0-9 and '-', starting with a letter. */
public record TenantId(String value) {
    private static final Pattern VALID = Pattern.compile("[a-z][a-z0-9-]{0,39}");

    /** The tenant every deployment starts with. */
    public static final TenantId DEFAULT = new TenantId("default");

    public TenantId {
        Objects.requireNonNull(value, "tenant id");
        if (!VALID.matcher(value).matches()) {
            throw new IllegalArgumentException("tenant id '" + value
                    + "' is invalid: use 1-40 characters of a-z, 0-9 and '-', starting with a letter");
        }
    }

    @Override
    public String toString() {
        return value;
    }
}
