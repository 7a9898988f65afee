package dev.skyloom.manifest;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Turns logical names into physical ones: {@code prefix + logical}. The local cloud uses the prefix
 * {@code skyloom-}; a cloud deployment uses {@code skyloom-<stage>-}.
 */
public record Naming(String prefix) {
    private static final Pattern PREFIX = Pattern.compile("[a-z][a-z0-9-]{0,22}-");

    /** The naming of the local cloud. */
    public static final Naming LOCAL = new Naming("skyloom-");

    public Naming {
        Objects.requireNonNull(prefix, "prefix");
        if (!PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("naming prefix '" + prefix
                    + "' is invalid: use 2-24 characters of a-z, 0-9 and '-', starting with a letter and ending with '-'");
        }
    }

    /** The naming of a cloud stage such as {@code dev} or {@code prod}. */
    public static Naming forStage(String stage) {
        return new Naming("skyloom-" + stage + "-");
    }

    public String physical(String logicalName) {
        return prefix + logicalName;
    }
}
