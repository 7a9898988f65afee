package dev.skyloom.manifest;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every resource of a Skyloom deployment. The constructor checks that names are unique and that every
 * environment reference and grant names a declared resource, so a deployer never meets a dangling one.
 */
public record ResourceManifest(List<TableSpec> tables, List<QueueSpec> queues, List<BucketSpec> buckets,
                               List<FunctionSpec> functions) {

    public ResourceManifest {
        tables = List.copyOf(tables);
        queues = List.copyOf(queues);
        buckets = List.copyOf(buckets);
        functions = List.copyOf(functions);
        requireUnique("table", tables, TableSpec::name);
        requireUnique("queue", queues, QueueSpec::name);
        requireUnique("bucket", buckets, BucketSpec::name);
        requireUnique("function", functions, FunctionSpec::name);
        Map<ResourceKind, Set<String>> declared = Map.of(
                ResourceKind.TABLE, names(tables, TableSpec::name),
                ResourceKind.QUEUE, names(queues, QueueSpec::name),
                ResourceKind.BUCKET, names(buckets, BucketSpec::name),
                ResourceKind.FUNCTION, names(functions, FunctionSpec::name));
        for (FunctionSpec function : functions) {
            function.environment().forEach((variable, value) -> {
                if (value instanceof EnvValue.Ref ref) {
                    requireDeclared(declared, ref.kind(), ref.name(),
                            "function " + function.name() + " environment " + variable);
                }
            });
            for (Grant grant : function.grants()) {
                requireDeclared(declared, grant.kind(), grant.name(), "function " + function.name() + " grant");
            }
        }
    }

    public TableSpec table(String name) {
        return find(tables, TableSpec::name, name, "table");
    }

    public QueueSpec queue(String name) {
        return find(queues, QueueSpec::name, name, "queue");
    }

    public BucketSpec bucket(String name) {
        return find(buckets, BucketSpec::name, name, "bucket");
    }

    public FunctionSpec function(String name) {
        return find(functions, FunctionSpec::name, name, "function");
    }

    private static <T> T find(List<T> items, Function<T, String> name, String wanted, String kind) {
        return items.stream().filter(item -> name.apply(item).equals(wanted)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no " + kind + " named '" + wanted + "'; "
                        + kind + "s are: " + names(items, name)));
    }

    private static <T> Set<String> names(List<T> items, Function<T, String> name) {
        return items.stream().map(name).collect(Collectors.toCollection(java.util.TreeSet::new));
    }

    private static <T> void requireUnique(String kind, List<T> items, Function<T, String> name) {
        Set<String> seen = new HashSet<>();
        for (T item : items) {
            if (!seen.add(name.apply(item))) {
                throw new IllegalArgumentException("two " + kind + "s are named '" + name.apply(item) + "'");
            }
        }
    }

    private static void requireDeclared(Map<ResourceKind, Set<String>> declared, ResourceKind kind, String name,
                                        String where) {
        if (!declared.get(kind).contains(name)) {
            throw new IllegalArgumentException(where + " refers to " + kind.name().toLowerCase() + " '" + name
                    + "', which is not declared; declared " + kind.name().toLowerCase() + "s: " + declared.get(kind));
        }
    }
}
