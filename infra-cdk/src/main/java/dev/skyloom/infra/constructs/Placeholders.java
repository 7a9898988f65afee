package dev.skyloom.infra.constructs;

import dev.skyloom.manifest.BucketSpec;
import dev.skyloom.manifest.DefinitionSubstitutions;
import dev.skyloom.manifest.FunctionSpec;
import dev.skyloom.manifest.QueueSpec;
import dev.skyloom.manifest.ResourceKind;
import dev.skyloom.manifest.StateMachineSpec;
import dev.skyloom.manifest.TableSpec;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.ArnFormat;
import software.amazon.awscdk.Stack;
import software.constructs.IConstruct;

/**
 * Builds the catalogue of {@link DefinitionSubstitutions} keys for a deployment: each declared table, queue, bucket,
 * function and state machine and the event bus, with its deployed value and the permissions a state machine gets
 * when its definition uses the key.
 */
public final class Placeholders {
    static final List<String> TABLE_TASK_ACTIONS = List.of("dynamodb:DeleteItem", "dynamodb:GetItem",
            "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem");
    /** The rule Step Functions manages to learn when a {@code .sync} child execution ends. */
    static final String SYNC_RULE = "StepFunctionsGetEventsForStepFunctionsExecutionRule";

    private Placeholders() {
    }

    public static Map<String, Placeholder> catalog(IConstruct scope, DeployedResources resources,
                                                   List<StateMachineSpec> stateMachines) {
        Stack stack = Stack.of(scope);
        String region = stack.getRegion();
        Map<String, Placeholder> catalog = new TreeMap<>();
        for (TableSpec table : resources.manifest().tables()) {
            catalog.put(DefinitionSubstitutions.key(ResourceKind.TABLE, table.name()),
                    new Placeholder(resources.table(table.name()).getTableName(), List.of(
                            new Placeholder.Permission(TABLE_TASK_ACTIONS,
                                    AccessPolicies.tableResources(resources, table.name())),
                            keyPermission(resources, "dynamodb." + region + ".amazonaws.com"))));
        }
        for (QueueSpec queue : resources.manifest().queues()) {
            catalog.put(DefinitionSubstitutions.key(ResourceKind.QUEUE, queue.name()),
                    new Placeholder(resources.queue(queue.name()).getQueueUrl(), List.of(new Placeholder.Permission(
                            List.of("sqs:SendMessage"), List.of(resources.queue(queue.name()).getQueueArn())))));
        }
        for (BucketSpec bucket : resources.manifest().buckets()) {
            String arn = resources.bucket(bucket.name()).getBucketArn();
            catalog.put(DefinitionSubstitutions.key(ResourceKind.BUCKET, bucket.name()),
                    new Placeholder(resources.bucket(bucket.name()).getBucketName(), List.of(
                            new Placeholder.Permission(AccessPolicies.BUCKET_LIST, List.of(arn)),
                            new Placeholder.Permission(List.of("s3:GetObject", "s3:PutObject"), List.of(arn + "/*")),
                            keyPermission(resources, "s3." + region + ".amazonaws.com"))));
        }
        for (FunctionSpec function : resources.manifest().functions()) {
            String aliasArn = resources.functionAliasArn(scope, function.name());
            catalog.put(DefinitionSubstitutions.key(ResourceKind.FUNCTION, function.name()),
                    new Placeholder(aliasArn, List.of(new Placeholder.Permission(AccessPolicies.FUNCTION_INVOKE,
                            List.of(aliasArn)))));
        }
        for (StateMachineSpec machine : stateMachines) {
            String arn = resources.stateMachineArn(scope, machine.name());
            String executions = resources.executionsArn(scope, machine.name());
            catalog.put(DefinitionSubstitutions.stateMachineArn(machine.name()), new Placeholder(arn, List.of(
                    new Placeholder.Permission(AccessPolicies.STATE_MACHINE_START, List.of(arn)),
                    new Placeholder.Permission(AccessPolicies.EXECUTION_WAIT, List.of(executions)),
                    new Placeholder.Permission(AccessPolicies.SYNC_RULE_ACTIONS,
                            List.of(AccessPolicies.syncRuleArn(scope))))));
        }
        resources.eventBuses().forEach((name, bus) -> catalog.put(DefinitionSubstitutions.key(ResourceKind.EVENT_BUS,
                name), new Placeholder(bus.getEventBusName(), List.of(new Placeholder.Permission(
                        AccessPolicies.EVENTS_PUT, List.of(bus.getEventBusArn()))))));
        return catalog;
    }

    private static Placeholder.Permission keyPermission(DeployedResources resources, String viaService) {
        return new Placeholder.Permission(AccessPolicies.concat(AccessPolicies.KEY_DECRYPT, AccessPolicies.KEY_ENCRYPT),
                List.of(resources.dataKey().getKeyArn()),
                Map.of("StringEquals", Map.of("kms:ViaService", viaService)));
    }
}
