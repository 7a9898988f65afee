package dev.skyloom.infra.constructs;

import dev.skyloom.manifest.Grant;
import dev.skyloom.manifest.IndexSpec;
import dev.skyloom.manifest.TableSpec;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.ArnFormat;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.iam.Effect;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.constructs.IConstruct;

/**
 * Least-privilege IAM statements for the manifest's access levels: every action is named (no {@code *} and no
 * {@code s3:Get*}-style patterns) and every resource is the declared table, index, bucket, queue, function alias or
 * key. Wildcards appear only where the resource is created at run time: S3 object keys ({@code <bucket ARN>/*}),
 * executions of a named state machine ({@code execution:<name>:*}), a family of state machines the platform creates
 * ({@code stateMachine:skyloom-<stage>-pipeline-*} and their executions), and the Bedrock models and inference profiles of
 * the region ({@code foundation-model/*}, {@code inference-profile/*}).
 */
public final class AccessPolicies {
    static final List<String> TABLE_READ = List.of("dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem",
            "dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:Query");
    static final List<String> TABLE_WRITE = List.of("dynamodb:BatchWriteItem", "dynamodb:DeleteItem",
            "dynamodb:PutItem", "dynamodb:UpdateItem");
    static final List<String> BUCKET_LIST = List.of("s3:ListBucket");
    static final List<String> OBJECT_READ = List.of("s3:GetObject");
    static final List<String> OBJECT_WRITE = List.of("s3:AbortMultipartUpload", "s3:DeleteObject", "s3:PutObject");
    static final List<String> QUEUE_SEND = List.of("sqs:GetQueueAttributes", "sqs:SendMessage");
    static final List<String> QUEUE_CONSUME = List.of("sqs:ChangeMessageVisibility", "sqs:DeleteMessage",
            "sqs:GetQueueAttributes", "sqs:ReceiveMessage");
    static final List<String> FUNCTION_INVOKE = List.of("lambda:InvokeFunction");
    static final List<String> EVENTS_PUT = List.of("events:PutEvents");
    static final List<String> STATE_MACHINE_START = List.of("states:StartExecution");
    static final List<String> EXECUTION_CONTROL = List.of("states:DescribeExecution", "states:GetExecutionHistory",
            "states:RedriveExecution", "states:StopExecution");
    static final List<String> EXECUTION_WAIT = List.of("states:DescribeExecution", "states:StopExecution");
    /** What Step Functions needs to learn that a {@code .sync} child execution ended: its managed rule. */
    static final List<String> SYNC_RULE_ACTIONS = List.of("events:DescribeRule", "events:PutRule",
            "events:PutTargets");
    /** Creating or updating with {@code publish=true} also needs PublishStateMachineVersion. */
    static final List<String> FAMILY_DEPLOY = List.of("states:CreateStateMachine", "states:DeleteStateMachine",
            "states:PublishStateMachineVersion", "states:StartExecution", "states:UpdateStateMachine");
    static final List<String> FAMILY_EXECUTIONS = List.of("states:DescribeExecution", "states:GetExecutionHistory",
            "states:RedriveExecution", "states:StopExecution");
    static final List<String> TASK_ANSWER = List.of("states:SendTaskFailure", "states:SendTaskSuccess");
    static final List<String> ROLE_PASS = List.of("iam:PassRole");
    /** The service a {@link Grant.Access#PASS} grant may hand roles to. */
    static final String STATES_SERVICE = "states.amazonaws.com";
    /** Bedrock authorizes Converse with InvokeModel and ConverseStream with InvokeModelWithResponseStream. */
    static final List<String> MODEL_INVOKE = List.of("bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream");
    static final List<String> KEY_DECRYPT = List.of("kms:Decrypt", "kms:DescribeKey");
    static final List<String> KEY_ENCRYPT = List.of("kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom",
            "kms:ReEncryptTo");

    private AccessPolicies() {
    }

    /** The statements that give a principal the manifest grants, on the resources of {@code resources}. */
    public static List<PolicyStatement> forGrants(IConstruct scope, List<Grant> grants, DeployedResources resources) {
        List<PolicyStatement> statements = new ArrayList<>();
        Set<String> keyActions = new LinkedHashSet<>();
        Set<String> viaServices = new LinkedHashSet<>();
        String region = Stack.of(scope).getRegion();
        for (Grant grant : grants) {
            boolean write = grant.access() == Grant.Access.READ_WRITE;
            switch (grant.kind()) {
                case TABLE -> {
                    statements.add(allow(write ? concat(TABLE_READ, TABLE_WRITE) : TABLE_READ,
                            tableResources(resources, grant.name())));
                    keyActions.addAll(KEY_DECRYPT);
                    if (write) {
                        keyActions.addAll(KEY_ENCRYPT);
                    }
                    viaServices.add("dynamodb." + region + ".amazonaws.com");
                }
                case BUCKET -> {
                    String bucketArn = resources.bucket(grant.name()).getBucketArn();
                    statements.add(allow(BUCKET_LIST, List.of(bucketArn)));
                    statements.add(allow(write ? concat(OBJECT_READ, OBJECT_WRITE) : OBJECT_READ,
                            List.of(bucketArn + "/*")));
                    keyActions.addAll(KEY_DECRYPT);
                    if (write) {
                        keyActions.addAll(KEY_ENCRYPT);
                    }
                    viaServices.add("s3." + region + ".amazonaws.com");
                }
                case QUEUE -> statements.add(allow(grant.access() == Grant.Access.CONSUME ? QUEUE_CONSUME : QUEUE_SEND,
                        List.of(resources.queue(grant.name()).getQueueArn())));
                case FUNCTION -> statements.add(allow(FUNCTION_INVOKE,
                        List.of(resources.functionAliasArn(scope, grant.name()))));
                case EVENT_BUS -> statements.add(allow(EVENTS_PUT,
                        List.of(resources.eventBus(grant.name()).getEventBusArn())));
                case STATE_MACHINE -> statements.addAll(stateMachineStatements(scope, grant, resources));
                case ROLE -> statements.add(PolicyStatement.Builder.create().effect(Effect.ALLOW)
                        .actions(ROLE_PASS)
                        .resources(List.of(resources.roleArn(scope, grant.name())))
                        .conditions(Map.of("StringEquals", Map.of("iam:PassedToService", STATES_SERVICE)))
                        .build());
                case MODEL -> statements.add(allow(MODEL_INVOKE, modelResources(scope)));
            }
        }
        if (!keyActions.isEmpty()) {
            statements.add(PolicyStatement.Builder.create().effect(Effect.ALLOW)
                    .actions(List.copyOf(keyActions))
                    .resources(List.of(resources.dataKey().getKeyArn()))
                    .conditions(Map.of("StringEquals", Map.of("kms:ViaService", List.copyOf(viaServices))))
                    .build());
        }
        return statements;
    }

    private static List<PolicyStatement> stateMachineStatements(IConstruct scope, Grant grant,
                                                                DeployedResources resources) {
        if (grant.family()) {
            String machines = resources.stateMachineFamilyArn(scope, grant.familyPrefix());
            return switch (grant.access()) {
                case DEPLOY -> List.of(allow(FAMILY_DEPLOY, List.of(machines)),
                        allow(FAMILY_EXECUTIONS, List.of(resources.familyExecutionsArn(scope, grant.familyPrefix()))));
                case ANSWER_TASKS -> List.of(allow(TASK_ANSWER, List.of(machines)));
                default -> throw new IllegalArgumentException("no policy for " + grant);
            };
        }
        String machine = resources.stateMachineArn(scope, grant.name());
        String executions = resources.executionsArn(scope, grant.name());
        return switch (grant.access()) {
            case RUN -> List.of(allow(STATE_MACHINE_START, List.of(machine)),
                    allow(EXECUTION_CONTROL, List.of(executions)));
            case RUN_SYNC -> List.of(allow(STATE_MACHINE_START, List.of(machine)),
                    allow(EXECUTION_WAIT, List.of(executions)),
                    allow(SYNC_RULE_ACTIONS, List.of(syncRuleArn(scope))));
            case ANSWER_TASKS -> List.of(allow(TASK_ANSWER, List.of(machine)));
            default -> throw new IllegalArgumentException("no policy for " + grant);
        };
    }

    /** The rule Step Functions manages in the account to learn when {@code .sync} child executions end. */
    static String syncRuleArn(IConstruct scope) {
        return Stack.of(scope).formatArn(ArnComponents.builder().service("events").resource("rule")
                .resourceName(Placeholders.SYNC_RULE).build());
    }

    /**
     * The Bedrock foundation models of the stack's region ({@code arn:aws:bedrock:<region>::foundation-model/*}: AWS
     * owns them, so the account is empty) and the account's inference profiles in that region.
     */
    static List<String> modelResources(IConstruct scope) {
        Stack stack = Stack.of(scope);
        return List.of(
                stack.formatArn(ArnComponents.builder().service("bedrock").account("").resource("foundation-model")
                        .resourceName("*").arnFormat(ArnFormat.SLASH_RESOURCE_NAME).build()),
                stack.formatArn(ArnComponents.builder().service("bedrock").resource("inference-profile")
                        .resourceName("*").arnFormat(ArnFormat.SLASH_RESOURCE_NAME).build()));
    }

    /** The table's ARN and the ARN of each of its declared indexes (never {@code index/*}). */
    static List<String> tableResources(DeployedResources resources, String table) {
        String tableArn = resources.table(table).getTableArn();
        List<String> arns = new ArrayList<>();
        arns.add(tableArn);
        TableSpec spec = resources.manifest().table(table);
        for (IndexSpec index : spec.globalSecondaryIndexes()) {
            arns.add(tableArn + "/index/" + index.name());
        }
        return arns;
    }

    static PolicyStatement allow(List<String> actions, List<String> resources) {
        return PolicyStatement.Builder.create().effect(Effect.ALLOW).actions(actions).resources(resources).build();
    }

    static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return List.copyOf(all);
    }
}
