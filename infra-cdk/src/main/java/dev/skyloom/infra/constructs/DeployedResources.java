package dev.skyloom.infra.constructs;

import dev.skyloom.manifest.Naming;
import dev.skyloom.manifest.ResourceManifest;
import java.util.Map;
import java.util.Objects;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.ArnFormat;
import software.amazon.awscdk.services.dynamodb.ITable;
import software.amazon.awscdk.services.events.IEventBus;
import software.amazon.awscdk.services.kms.IKey;
import software.amazon.awscdk.services.s3.IBucket;
import software.amazon.awscdk.services.sqs.IQueue;

/**
 * The deployed form of the manifest's data and messaging resources, by logical name: what functions and state
 * machines are granted access to and learn the names of.
 */
public record DeployedResources(ResourceManifest manifest, Naming naming, Map<String, ITable> tables,
                                Map<String, IBucket> buckets, Map<String, IQueue> queues,
                                Map<String, IEventBus> eventBuses, IKey dataKey) {
    /** Functions are invoked through this alias, which points at the published version with the SnapStart snapshot. */
    public static final String FUNCTION_ALIAS = "live";

    public DeployedResources {
        Objects.requireNonNull(manifest, "manifest");
        Objects.requireNonNull(naming, "naming");
        tables = Map.copyOf(tables);
        buckets = Map.copyOf(buckets);
        queues = Map.copyOf(queues);
        eventBuses = Map.copyOf(eventBuses);
        Objects.requireNonNull(dataKey, "dataKey");
    }

    public ITable table(String name) {
        return require(tables, name, "table");
    }

    public IBucket bucket(String name) {
        return require(buckets, name, "bucket");
    }

    public IQueue queue(String name) {
        return require(queues, name, "queue");
    }

    public IEventBus eventBus(String name) {
        return require(eventBuses, name, "event bus");
    }

    /**
     * The ARN of a state machine ({@code statemachines/<name>.asl.json}), built from its physical name like a
     * function's alias ARN, so that a function may be granted a workflow that is deployed after it.
     */
    public String stateMachineArn(software.constructs.IConstruct scope, String stateMachine) {
        return Stack.of(scope).formatArn(ArnComponents.builder().service("states").resource("stateMachine")
                .resourceName(naming.physical(stateMachine)).arnFormat(ArnFormat.COLON_RESOURCE_NAME).build());
    }

    /** The ARN pattern of every execution of a state machine: {@code ...:execution:<physical name>:*}. */
    public String executionsArn(software.constructs.IConstruct scope, String stateMachine) {
        return Stack.of(scope).formatArn(ArnComponents.builder().service("states").resource("execution")
                .resourceName(naming.physical(stateMachine) + ":*").arnFormat(ArnFormat.COLON_RESOURCE_NAME).build());
    }

    /**
     * The ARN pattern of a family of state machines created at run time ({@code pipeline-} →
     * {@code ...:stateMachine:skyloom-<stage>-pipeline-*}); it also covers their published versions.
     */
    public String stateMachineFamilyArn(software.constructs.IConstruct scope, String prefix) {
        return Stack.of(scope).formatArn(ArnComponents.builder().service("states").resource("stateMachine")
                .resourceName(naming.physical(prefix) + "*").arnFormat(ArnFormat.COLON_RESOURCE_NAME).build());
    }

    /** The ARN pattern of every execution of a family: {@code ...:execution:skyloom-<stage>-pipeline-*:*}. */
    public String familyExecutionsArn(software.constructs.IConstruct scope, String prefix) {
        return Stack.of(scope).formatArn(ArnComponents.builder().service("states").resource("execution")
                .resourceName(naming.physical(prefix) + "*:*").arnFormat(ArnFormat.COLON_RESOURCE_NAME).build());
    }

    /**
     * The ARN of a declared execution role ({@code skyloom-<stage>-<name>}), built from its physical name so that
     * functions may refer to it in any order.
     */
    public String roleArn(software.constructs.IConstruct scope, String role) {
        manifest.role(role);
        return Stack.of(scope).formatArn(ArnComponents.builder().service("iam").region("").resource("role")
                .resourceName(naming.physical(role)).arnFormat(ArnFormat.SLASH_RESOURCE_NAME).build());
    }

    /** The physical name a caller invokes a function by: {@code skyloom-<stage>-<name>:live}. */
    public String functionInvokeName(String function) {
        manifest.function(function);
        return naming.physical(function) + ":" + FUNCTION_ALIAS;
    }

    /**
     * The ARN of a function's {@code live} alias, built from its physical name rather than referenced, so that
     * functions and state machines may refer to each other in any order without a dependency cycle.
     */
    public String functionAliasArn(software.constructs.IConstruct scope, String function) {
        manifest.function(function);
        return Stack.of(scope).formatArn(software.amazon.awscdk.ArnComponents.builder().service("lambda")
                .resource("function").resourceName(naming.physical(function) + ":" + FUNCTION_ALIAS)
                .arnFormat(software.amazon.awscdk.ArnFormat.COLON_RESOURCE_NAME).build());
    }

    private static <T> T require(Map<String, T> items, String name, String kind) {
        T item = items.get(name);
        if (item == null) {
            throw new IllegalArgumentException("no deployed " + kind + " named '" + name + "'; deployed " + kind
                    + "s: " + new java.util.TreeSet<>(items.keySet()));
        }
        return item;
    }
}
