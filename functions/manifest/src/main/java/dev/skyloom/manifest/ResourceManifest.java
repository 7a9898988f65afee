package dev.skyloom.manifest;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every resource of a Skyloom deployment. The constructor checks that names are unique and that every
 * environment reference, grant and rule target names a declared resource, so a deployer never meets a dangling one.
 *
 * <p>State machines are declared by their files ({@link StateMachineSpec#discover}), not here: deployers report
 * references to state machines without a definition ({@link #missingStateMachines}). There is at most one
 * event bus, the platform's: {@link DefinitionSubstitutions#EVENT_BUS_NAME} names it. Execution roles
 * ({@link RoleSpec}) are for state machines the platform creates at run time.
 */
public record ResourceManifest(List<TableSpec> tables, List<QueueSpec> queues, List<BucketSpec> buckets,
                               List<FunctionSpec> functions, List<EventBusSpec> eventBuses, List<RuleSpec> rules,
                               List<ScheduleGroupSpec> scheduleGroups, List<EventSourceSpec> eventSources,
                               List<RoleSpec> roles) {

    public ResourceManifest {
        roles = List.copyOf(roles);
        tables = List.copyOf(tables);
        queues = List.copyOf(queues);
        buckets = List.copyOf(buckets);
        functions = List.copyOf(functions);
        eventBuses = List.copyOf(eventBuses);
        rules = List.copyOf(rules);
        scheduleGroups = List.copyOf(scheduleGroups);
        eventSources = List.copyOf(eventSources);
        requireUnique("table", tables, TableSpec::name);
        requireUnique("queue", queues, QueueSpec::name);
        requireUnique("bucket", buckets, BucketSpec::name);
        requireUnique("function", functions, FunctionSpec::name);
        requireUnique("rule", rules, RuleSpec::name);
        requireUnique("schedule group", scheduleGroups, ScheduleGroupSpec::name);
        requireUnique("role", roles, RoleSpec::name);
        if (eventBuses.size() > 1) {
            throw new IllegalArgumentException("the manifest declares " + eventBuses.size() + " event buses; one, the "
                    + "platform's, is allowed (definitions refer to it as ${" + DefinitionSubstitutions.EVENT_BUS_NAME
                    + "})");
        }
        Map<ResourceKind, Set<String>> declared = Map.of(
                ResourceKind.TABLE, names(tables, TableSpec::name),
                ResourceKind.QUEUE, names(queues, QueueSpec::name),
                ResourceKind.BUCKET, names(buckets, BucketSpec::name),
                ResourceKind.FUNCTION, names(functions, FunctionSpec::name),
                ResourceKind.EVENT_BUS, names(eventBuses, EventBusSpec::name),
                ResourceKind.ROLE, names(roles, RoleSpec::name));
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
        for (RoleSpec role : roles) {
            for (Grant grant : role.grants()) {
                requireDeclared(declared, grant.kind(), grant.name(), "role " + role.name() + " grant");
            }
        }
        for (RuleSpec rule : rules) {
            requireDeclared(declared, ResourceKind.EVENT_BUS, rule.bus(), "rule " + rule.name());
            requireDeclared(declared, ResourceKind.QUEUE, rule.deadLetterQueue(), "rule " + rule.name()
                    + " dead-letter queue");
            for (RuleSpec.Target target : rule.targets()) {
                requireDeclared(declared, target.kind(), target.name(), "rule " + rule.name() + " target");
            }
        }
        requireUnique("event source", eventSources, EventSourceSpec::name);
        for (EventSourceSpec source : eventSources) {
            String where = "event source " + source.name();
            requireDeclared(declared, ResourceKind.QUEUE, source.queue(), where);
            requireDeclared(declared, ResourceKind.FUNCTION, source.function(), where);
            QueueSpec queue = queues.stream().filter(q -> q.name().equals(source.queue())).findFirst().orElseThrow();
            FunctionSpec function = functions.stream().filter(f -> f.name().equals(source.function())).findFirst()
                    .orElseThrow();
            if (queue.visibilityTimeoutSeconds() < function.timeoutSeconds()) {
                // Lambda refuses such a mapping: a batch could become visible again while still being processed
                throw new IllegalArgumentException(where + ": the visibility timeout of queue " + queue.name() + " ("
                        + queue.visibilityTimeoutSeconds() + " s) must be at least the timeout of function "
                        + function.name() + " (" + function.timeoutSeconds() + " s)");
            }
            boolean consumes = function.grants().stream().anyMatch(g -> g.kind() == ResourceKind.QUEUE
                    && g.name().equals(queue.name()) && g.access() == Grant.Access.CONSUME);
            if (!consumes) {
                throw new IllegalArgumentException(where + ": function " + function.name() + " needs the grant "
                        + "CONSUME on queue " + queue.name() + " (the mapping polls with the function's role)");
            }
        }
    }

    /** A manifest without execution roles. */
    public ResourceManifest(List<TableSpec> tables, List<QueueSpec> queues, List<BucketSpec> buckets,
                            List<FunctionSpec> functions, List<EventBusSpec> eventBuses, List<RuleSpec> rules,
                            List<ScheduleGroupSpec> scheduleGroups, List<EventSourceSpec> eventSources) {
        this(tables, queues, buckets, functions, eventBuses, rules, scheduleGroups, eventSources, List.of());
    }

    /** A manifest without event source mappings. */
    public ResourceManifest(List<TableSpec> tables, List<QueueSpec> queues, List<BucketSpec> buckets,
                            List<FunctionSpec> functions, List<EventBusSpec> eventBuses, List<RuleSpec> rules,
                            List<ScheduleGroupSpec> scheduleGroups) {
        this(tables, queues, buckets, functions, eventBuses, rules, scheduleGroups, List.of());
    }

    /** A manifest of tables, queues, buckets and functions only. */
    public ResourceManifest(List<TableSpec> tables, List<QueueSpec> queues, List<BucketSpec> buckets,
                            List<FunctionSpec> functions) {
        this(tables, queues, buckets, functions, List.of(), List.of(), List.of(), List.of(), List.of());
    }

    /**
     * The state machines the manifest refers to (environment, grant, rule target, schedule group target) that have no
     * definition among {@code found}, each with the first place that refers to it. Deployers warn about them rather
     * than fail: an ARN is built from the name, so a function may be granted a workflow whose definition lands later.
     */
    public Map<String, String> missingStateMachines(List<StateMachineSpec> found) {
        Set<String> names = names(found, StateMachineSpec::name);
        Map<String, String> missing = new java.util.TreeMap<>(stateMachineReferences());
        missing.keySet().removeAll(names);
        return missing;
    }

    /** Each state machine the manifest refers to, with the first place that refers to it. */
    public Map<String, String> stateMachineReferences() {
        Map<String, String> references = new java.util.TreeMap<>();
        for (FunctionSpec function : functions) {
            function.environment().forEach((variable, value) -> {
                if (value instanceof EnvValue.Ref ref && ref.kind() == ResourceKind.STATE_MACHINE) {
                    references.putIfAbsent(ref.name(), "function " + function.name() + " environment " + variable);
                }
            });
            function.grants().stream().filter(g -> g.kind() == ResourceKind.STATE_MACHINE && !g.family())
                    .forEach(g -> references.putIfAbsent(g.name(), "function " + function.name() + " grant"));
        }
        for (RoleSpec role : roles) {
            role.grants().stream().filter(g -> g.kind() == ResourceKind.STATE_MACHINE && !g.family())
                    .forEach(g -> references.putIfAbsent(g.name(), "role " + role.name() + " grant"));
        }
        for (RuleSpec rule : rules) {
            rule.targets().stream().filter(t -> t.kind() == ResourceKind.STATE_MACHINE)
                    .forEach(t -> references.putIfAbsent(t.name(), "rule " + rule.name() + " target"));
        }
        for (ScheduleGroupSpec group : scheduleGroups) {
            group.targets().forEach(t -> references.putIfAbsent(t, "schedule group " + group.name() + " target"));
        }
        return references;
    }

    /**
     * The logical name prefixes of the state machine families the manifest grants or roles name ({@code pipeline-}):
     * state machines the platform creates at run time.
     */
    public Set<String> stateMachineFamilies() {
        Set<String> prefixes = new java.util.TreeSet<>();
        functions.forEach(f -> f.grants().stream().filter(Grant::family).forEach(g -> prefixes.add(g.familyPrefix())));
        roles.forEach(r -> prefixes.add(r.stateMachinePrefix()));
        return prefixes;
    }

    /**
     * Fails when a state machine file is named into a family ({@code statemachines/pipeline-x.asl.json}): the
     * platform's own workflow would then be within reach of every grant on the family.
     */
    public void requireOutsideFamilies(List<StateMachineSpec> found) {
        for (StateMachineSpec spec : found) {
            for (String prefix : stateMachineFamilies()) {
                if (spec.name().startsWith(prefix)) {
                    throw new IllegalArgumentException("state machine " + spec.name() + StateMachineSpec.SUFFIX
                            + " is named like the state machines the platform creates at run time (" + prefix
                            + "*); rename it");
                }
            }
        }
    }

    public RoleSpec role(String name) {
        return find(roles, RoleSpec::name, name, "role");
    }

    /** The functions pipelines may call ({@link FunctionSpec#pipelineCallable()}), in declaration order. */
    public List<FunctionSpec> pipelineCallableFunctions() {
        return functions.stream().filter(FunctionSpec::pipelineCallable).toList();
    }

    public EventBusSpec eventBus(String name) {
        return find(eventBuses, EventBusSpec::name, name, "event bus");
    }

    public RuleSpec rule(String name) {
        return find(rules, RuleSpec::name, name, "rule");
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

    private static String plural(ResourceKind kind) {
        String singular = kind.name().toLowerCase().replace('_', ' ');
        return singular.endsWith("s") ? singular + "es" : singular + "s";
    }

    private static void requireDeclared(Map<ResourceKind, Set<String>> declared, ResourceKind kind, String name,
                                        String where) {
        if (kind == ResourceKind.STATE_MACHINE || kind == ResourceKind.MODEL) {
            return; // state machines: see requireStateMachines; models: the region's, never declared
        }
        if (!declared.get(kind).contains(name)) {
            throw new IllegalArgumentException(where + " refers to " + kind.name().toLowerCase().replace('_', ' ') + " '"
                    + name
                    + "', which is not declared; declared " + plural(kind) + ": " + declared.get(kind));
        }
    }
}
