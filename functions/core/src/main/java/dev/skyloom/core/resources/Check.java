package dev.skyloom.core.resources;

import dev.skyloom.core.api.ApiError;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/** Collects every problem of a request body, then fails once with all of them (400, one detail per field). */
public final class Check {
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}");
    public static final Pattern SLUG = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
    private final List<ApiError.Detail> details = new ArrayList<>();

    public Check problem(String field, String problem) {
        details.add(new ApiError.Detail(field, problem));
        return this;
    }

    public Check required(String field, Object value) {
        if (value == null) {
            problem(field, "is required");
        }
        return this;
    }

    public Check text(String field, String value, boolean required, int maxLength) {
        if (value == null) {
            return required ? problem(field, "is required") : this;
        }
        if (required && value.isBlank()) {
            return problem(field, "must not be blank");
        }
        if (value.length() > maxLength) {
            problem(field, "must be at most " + maxLength + " characters (was " + value.length() + ")");
        }
        if (value.chars().anyMatch(c -> c == 0)) {
            problem(field, "must not contain NUL characters");
        }
        return this;
    }

    public Check matches(String field, String value, Pattern pattern, String describe) {
        if (value != null && !pattern.matcher(value).matches()) {
            problem(field, "must be " + describe);
        }
        return this;
    }

    public Check range(String field, Number value, double min, double max) {
        if (value != null && (value.doubleValue() < min || value.doubleValue() > max
                || Double.isNaN(value.doubleValue()))) {
            problem(field, "must be between " + format(min) + " and " + format(max) + " (was " + value + ")");
        }
        return this;
    }

    public Check oneOf(String field, String value, Collection<String> valid) {
        if (value != null && !valid.contains(value)) {
            problem(field, "must be one of " + String.join(", ", valid));
        }
        return this;
    }

    public Check list(String field, List<String> values, int maxItems, Pattern pattern, String describe) {
        if (values == null) {
            return this;
        }
        if (values.size() > maxItems) {
            problem(field, "must have at most " + maxItems + " items (had " + values.size() + ")");
            return this;
        }
        for (int i = 0; i < values.size(); i++) {
            String v = values.get(i);
            if (v == null) {
                problem(field + "[" + i + "]", "must not be null");
            } else {
                matches(field + "[" + i + "]", v, pattern, describe);
            }
        }
        if (values.stream().distinct().count() != values.size()) {
            problem(field, "must not contain duplicates");
        }
        return this;
    }

    public void orThrow() {
        if (!details.isEmpty()) {
            throw ApiError.badRequest("Invalid request: " + details.size() + " problem(s), first: "
                    + details.getFirst().field() + " " + details.getFirst().problem(), details);
        }
    }

    private static String format(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }
}
