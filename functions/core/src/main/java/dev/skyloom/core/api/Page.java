package dev.skyloom.core.api;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** One page of a list, and where the next one starts (empty on the last page). */
public record Page<T>(List<T> items, Optional<Map<String, String>> next) {
    public Page {
        items = List.copyOf(items);
    }

    public <R> Page<R> map(Function<T, R> f) {
        return new Page<>(items.stream().map(f).toList(), next);
    }
}
