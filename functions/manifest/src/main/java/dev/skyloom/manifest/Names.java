package dev.skyloom.manifest;

import java.util.regex.Pattern;

/** Validation of logical resource names, shared by every spec. */
final class Names {
    private static final Pattern LOGICAL = Pattern.compile("[a-z][a-z0-9-]{0,39}");

    private Names() {
    }

    static String requireLogical(String kind, String name) {
        if (name == null || !LOGICAL.matcher(name).matches()) {
            throw new IllegalArgumentException(kind + " name '" + name
                    + "' is invalid: use 1-40 characters of a-z, 0-9 and '-', starting with a letter");
        }
        return name;
    }

    static int requireRange(String what, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(what + " is " + value + ": valid range is " + min + ".." + max);
        }
        return value;
    }
}
