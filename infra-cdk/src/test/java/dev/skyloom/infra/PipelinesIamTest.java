package dev.skyloom.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skyloom.infra.constructs.DeployedResources;
import dev.skyloom.infra.constructs.ExecutionRoles;
import dev.skyloom.infra.constructs.Placeholders;
import dev.skyloom.infra.constructs.Workflows;
import dev.skyloom.manifest.BucketSpec;
import dev.skyloom.manifest.DefinitionSubstitutions;
import dev.skyloom.manifest.EventBusSpec;
import dev.skyloom.manifest.FunctionSpec;
import dev.skyloom.manifest.Grant;
import dev.skyloom.manifest.Naming;
import dev.skyloom.manifest.QueueSpec;
import dev.skyloom.manifest.ResourceManifest;
import dev.skyloom.manifest.RoleSpec;
import dev.skyloom.manifest.SkyloomResources;
import dev.skyloom.manifest.StateMachineSpec;
import dev.skyloom.manifest.TableSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.dynamodb.ITable;
import software.amazon.awscdk.services.dynamodb.Table;
import software.amazon.awscdk.services.events.EventBus;
import software.amazon.awscdk.services.events.IEventBus;
import software.amazon.awscdk.services.kms.Key;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.s3.IBucket;
import software.amazon.awscdk.services.sqs.IQueue;
import software.amazon.awscdk.services.sqs.Queue;

/**
 * IAM for pipelines and swarms on AWS (decisions 0501 and 0700), statement by statement: the API deploys, runs and
 * answers the pipelines' state machines ({@code skyloom-<stage>-pipeline-*}) and passes them the pipelines' role; that
 * role may do what compiled pipelines do; the swarm scheduler may wake the swarm workflow's parked workers.
 */
class PipelinesIamTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String STATES = "arn:{AWS::Partition}:states:{AWS::Region}:{AWS::AccountId}:";
    private static final String PIPELINES = STATES + "stateMachine:" + SynthesizedApp.PREFIX + "pipeline-*";
    private static final String PIPELINE_EXECUTIONS = STATES + "execution:" + SynthesizedApp.PREFIX + "pipeline-*:*";
    private static final String ROLE = "arn:{AWS::Partition}:iam::{AWS::AccountId}:role/" + SynthesizedApp.PREFIX
            + "pipelines";
    private static final String SYNC_RULE = "arn:{AWS::Partition}:events:{AWS::Region}:{AWS::AccountId}:rule/"
            + "StepFunctionsGetEventsForStepFunctionsExecutionRule";

    private final SynthesizedApp app = SynthesizedApp.get();
    private final Template platform = app.platform;

    @Test
    void api_mayDeployStartControlAndAnswer_thePipelineStateMachines_andAgentStepAndSwarm_only() {
        Map<String, Set<String>> states = actionsByResource(statementsOfFunction("api"), "states:");

        assertThat(states).containsExactlyInAnyOrderEntriesOf(Map.of(
                PIPELINES, Set.of("states:CreateStateMachine", "states:DeleteStateMachine",
                        "states:PublishStateMachineVersion", "states:StartExecution", "states:UpdateStateMachine",
                        "states:SendTaskFailure", "states:SendTaskSuccess"),
                PIPELINE_EXECUTIONS, Set.of("states:DescribeExecution", "states:GetExecutionHistory",
                        "states:RedriveExecution", "states:StopExecution"),
                STATES + "stateMachine:" + SynthesizedApp.PREFIX + "agent-step", Set.of("states:StartExecution",
                        "states:SendTaskFailure", "states:SendTaskSuccess"),
                STATES + "execution:" + SynthesizedApp.PREFIX + "agent-step:*", Set.of("states:DescribeExecution",
                        "states:GetExecutionHistory", "states:RedriveExecution", "states:StopExecution"),
                STATES + "stateMachine:" + SynthesizedApp.PREFIX + "swarm", Set.of("states:StartExecution"),
                STATES + "execution:" + SynthesizedApp.PREFIX + "swarm:*", Set.of("states:DescribeExecution",
                        "states:GetExecutionHistory", "states:RedriveExecution", "states:StopExecution")));
    }

    @Test
    void api_mayPassThePipelinesRole_toStepFunctions_only_andLearnsItsArn() {
        List<Templates.Statement> pass = statementsOfFunction("api").stream()
                .filter(s -> s.actions().contains("iam:PassRole")).toList();

        assertThat(pass).singleElement().satisfies(s -> {
            assertThat(s.actions()).containsExactly("iam:PassRole");
            assertThat(s.resources().stream().map(r -> Templates.render(r, app.data))).containsExactly(ROLE);
            assertThat(s.raw().get("Condition")).isEqualTo(Map.of("StringEquals",
                    Map.of("iam:PassedToService", "states.amazonaws.com")));
        });
        Map<String, Object> variables = environment("api");
        assertThat(Templates.render(variables.get(SkyloomResources.ENV_PIPELINE_ROLE_ARN), app.data)).isEqualTo(ROLE);
        for (String other : List.of("agent-turn", "bootstrap", "authorizer", "ingest", "swarm-scheduler")) {
            assertThat(statementsOfFunction(other).stream().flatMap(s -> s.actions().stream())).as(other)
                    .doesNotContain("iam:PassRole", "states:CreateStateMachine");
        }
    }

    @Test
    void pipelinesRole_isNamedForTheStage_andOnlyStepFunctions_runningThisAccountsPipelines_mayAssumeIt() {
        Map<String, Object> role = Templates.resource(platform, "AWS::IAM::Role", "RoleName",
                SynthesizedApp.PREFIX + "pipelines");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> trust = (List<Map<String, Object>>) ((Map<String, Object>)
                role.get("AssumeRolePolicyDocument")).get("Statement");

        assertThat(trust).singleElement().satisfies(s -> {
            assertThat(s.get("Action")).isEqualTo("sts:AssumeRole");
            assertThat(s.get("Principal")).isEqualTo(Map.of("Service", "states.amazonaws.com"));
            @SuppressWarnings("unchecked")
            Map<String, Map<String, Object>> condition = (Map<String, Map<String, Object>>) s.get("Condition");
            assertThat(Templates.render(condition.get("StringEquals").get("aws:SourceAccount"), app.data))
                    .isEqualTo("{AWS::AccountId}");
            assertThat(Templates.render(condition.get("ArnLike").get("aws:SourceArn"), app.data)).isEqualTo(PIPELINES);
        });
        assertThat(role).doesNotContainKey("ManagedPolicyArns");
    }

    @Test
    void pipelinesRole_mayRunAgentStepAndSwarm_andWait_putEvents_invokeBuiltIns_traceAndLog_andNothingElse() {
        List<Templates.Statement> statements = statementsOfRole("pipelines");
        Map<String, Set<String>> byResource = actionsByResource(statements, "");
        String bus = "{GetAtt:" + Templates.logicalId(platform, "AWS::Events::EventBus", "Name",
                SynthesizedApp.PREFIX + "bus") + ".Arn}";

        Map<String, Set<String>> expected = new TreeMap<>();
        for (String child : List.of("agent-step", "swarm")) {
            expected.put(STATES + "stateMachine:" + SynthesizedApp.PREFIX + child, Set.of("states:StartExecution"));
            expected.put(STATES + "execution:" + SynthesizedApp.PREFIX + child + ":*",
                    Set.of("states:DescribeExecution", "states:StopExecution"));
        }
        expected.put(SYNC_RULE, Set.of("events:DescribeRule", "events:PutRule", "events:PutTargets"));
        expected.put(bus, Set.of("events:PutEvents"));
        expected.put("*", Set.of("xray:GetSamplingRules", "xray:GetSamplingTargets", "xray:PutTelemetryRecords",
                "xray:PutTraceSegments", "logs:CreateLogDelivery", "logs:DeleteLogDelivery", "logs:DescribeLogGroups",
                "logs:DescribeResourcePolicies", "logs:GetLogDelivery", "logs:ListLogDeliveries",
                "logs:PutResourcePolicy", "logs:UpdateLogDelivery"));
        // the built-in functions of lambda steps, through their live alias
        for (FunctionSpec function : SkyloomResources.manifest().pipelineCallableFunctions()) {
            expected.put("arn:{AWS::Partition}:lambda:{AWS::Region}:{AWS::AccountId}:function:" + SynthesizedApp.PREFIX
                    + function.name() + ":live", Set.of("lambda:InvokeFunction"));
        }
        assertThat(byResource).containsExactlyInAnyOrderEntriesOf(expected);
    }

    @Test
    void swarmScheduler_mayAnswerTheTasksOfTheSwarmWorkflow_only() {
        Map<String, Set<String>> states = actionsByResource(statementsOfFunction("swarm-scheduler"), "states:");

        assertThat(states).containsExactly(Map.entry(STATES + "stateMachine:" + SynthesizedApp.PREFIX + "swarm",
                Set.of("states:SendTaskFailure", "states:SendTaskSuccess")));
    }

    /**
     * Every integration and placeholder a compiled pipeline uses (the golden files are the compiler's output for the
     * reference pipelines) is one the pipelines' role is granted: a new integration in the compiler fails here.
     */
    @Test
    void whatCompiledPipelinesCall_isCoveredByThePipelinesRole() throws Exception {
        Set<String> integrations = new TreeSet<>();
        Set<String> placeholders = new TreeSet<>();
        try (Stream<Path> files = Files.list(SynthesizedApp.root().resolve("statemachines/golden"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".asl.json")).toList()) {
                String text = Files.readString(file);
                collectResources(JSON.readTree(text), integrations);
                placeholders.addAll(DefinitionSubstitutions.referencedKeys(text));
            }
        }
        assertThat(integrations).containsExactlyInAnyOrder("arn:aws:states:::events:putEvents",
                "arn:aws:states:::events:putEvents.waitForTaskToken", "arn:aws:states:::lambda:invoke",
                "arn:aws:states:::states:startExecution.sync:2");

        ResourceManifest manifest = SkyloomResources.manifest();
        RoleSpec role = manifest.role(SkyloomResources.ROLE_PIPELINES);
        for (String key : placeholders) {
            if (key.equals(DefinitionSubstitutions.EVENT_BUS_NAME)) {
                assertThat(role.grants()).contains(Grant.putEvents(SkyloomResources.EVENT_BUS));
            } else if (key.startsWith("StateMachineArn_")) {
                assertThat(role.grants()).as(key)
                        .contains(Grant.runAndWait(key.substring("StateMachineArn_".length()).replace('_', '-')));
            } else if (key.startsWith("FunctionArn_")) {
                // a built-in function: once the manifest declares it, it must be callable from pipelines
                String function = key.substring("FunctionArn_".length()).replace('_', '-');
                manifest.functions().stream().filter(f -> f.name().equals(function)).forEach(f -> {
                    assertThat(f.pipelineCallable()).as(function + " is a built-in of lambda steps").isTrue();
                    assertThat(role.grants()).contains(Grant.invoke(function));
                });
            } else {
                throw new AssertionError("compiled pipelines use ${" + key + "}, which no grant of the role covers");
            }
        }
        assertThat(placeholders).contains("StateMachineArn_agent_step", "StateMachineArn_swarm", "EventBusName");
    }

    /** A function declared pipeline-callable is invoked by the role through its live alias, nothing else. */
    @Test
    void aPipelineCallableFunction_isInvokedByTheRole_throughItsLiveAlias() {
        Stack stack = new Stack(SynthesizedApp.newApp(), "PipelineCallable");
        FunctionSpec builtin = new FunctionSpec("json-transform", "", "a.Builtins", 256, 10, 0, Map.of(), List.of())
                .callableFromPipelines();
        FunctionSpec other = new FunctionSpec("private", "", "a.Private", 256, 10, 0, Map.of(), List.of());
        List<FunctionSpec> functions = List.of(builtin, other);
        List<Grant> grants = new ArrayList<>();
        functions.stream().filter(FunctionSpec::pipelineCallable).forEach(f -> grants.add(Grant.invoke(f.name())));
        ResourceManifest manifest = new ResourceManifest(List.of(), List.of(), List.of(), functions, List.of(),
                List.of(), List.of(), List.of(), List.of(new RoleSpec("pipelines", "", "pipeline-*", grants)));
        assertThat(manifest.pipelineCallableFunctions()).containsExactly(builtin);
        new ExecutionRoles(stack, "Roles", new DeployedResources(manifest, Naming.forStage("pc"), Map.of(), Map.of(),
                Map.of(), Map.of(), Key.Builder.create(stack, "DataKey").build()));
        Template template = Template.fromStack(stack);

        Map<String, Set<String>> lambda = actionsByResource(Templates.identityStatements(template), "lambda:");
        assertThat(lambda).containsExactly(Map.entry(
                "arn:{AWS::Partition}:lambda:{AWS::Region}:{AWS::AccountId}:function:skyloom-pc-json-transform:live",
                Set.of("lambda:InvokeFunction")));
    }

    /**
     * The swarm workflow as it is in {@code statemachines/swarm.asl.json} (the synthesized app deploys fixtures):
     * its role may invoke the scheduler's live alias and run agent-step children to completion.
     */
    @Test
    void theRealSwarmWorkflowsRole_coversEverythingItsDefinitionDoes() throws Exception {
        Stack stack = new Stack(SynthesizedApp.newApp(), "Swarm");
        ResourceManifest manifest = SkyloomResources.manifest();
        Map<String, ITable> tables = new LinkedHashMap<>();
        for (TableSpec table : manifest.tables()) {
            tables.put(table.name(), Table.fromTableName(stack, "T-" + table.name(), "skyloom-sw-" + table.name()));
        }
        Map<String, IBucket> buckets = new LinkedHashMap<>();
        for (BucketSpec bucket : manifest.buckets()) {
            buckets.put(bucket.name(), Bucket.fromBucketName(stack, "B-" + bucket.name(), "skyloom-sw-" + bucket.name()));
        }
        Map<String, IQueue> queues = new LinkedHashMap<>();
        for (QueueSpec queue : manifest.queues()) {
            queues.put(queue.name(), Queue.fromQueueArn(stack, "Q-" + queue.name(),
                    "arn:aws:sqs:eu-west-1:111111111111:skyloom-sw-" + queue.name()));
        }
        Map<String, IEventBus> buses = new LinkedHashMap<>();
        for (EventBusSpec bus : manifest.eventBuses()) {
            buses.put(bus.name(), EventBus.fromEventBusName(stack, "E-" + bus.name(), "skyloom-sw-" + bus.name()));
        }
        DeployedResources resources = new DeployedResources(manifest, Naming.forStage("sw"), tables, buckets, queues,
                buses, Key.Builder.create(stack, "DataKey").build());
        List<StateMachineSpec> machines = StateMachineSpec.discover(SynthesizedApp.root().resolve("statemachines"));
        StateMachineSpec swarm = machines.stream()
                .filter(s -> s.name().equals(SkyloomResources.STATE_MACHINE_SWARM)).findFirst().orElseThrow();
        new Workflows(stack, "Workflows", Workflows.WorkflowsProps.builder().stateMachines(List.of(swarm))
                .naming(Naming.forStage("sw")).placeholders(Placeholders.catalog(stack, resources, machines)).build());
        Template template = Template.fromStack(stack);

        Set<String> integrations = new TreeSet<>();
        collectResources(JSON.readTree(swarm.definition()), integrations);
        assertThat(integrations).as("what swarm.asl.json calls; extend the checks below when this grows")
                .containsExactlyInAnyOrder("arn:aws:states:::lambda:invoke",
                        "arn:aws:states:::lambda:invoke.waitForTaskToken",
                        "arn:aws:states:::states:startExecution.sync:2");
        Map<String, Set<String>> byResource = actionsByResource(Templates.identityStatements(template), "");
        String states = "arn:{AWS::Partition}:states:{AWS::Region}:{AWS::AccountId}:";
        assertThat(byResource).contains(
                Map.entry("arn:{AWS::Partition}:lambda:{AWS::Region}:{AWS::AccountId}:function:"
                        + "skyloom-sw-swarm-scheduler:live", Set.of("lambda:InvokeFunction")),
                Map.entry(states + "stateMachine:skyloom-sw-agent-step", Set.of("states:StartExecution")),
                Map.entry(states + "execution:skyloom-sw-agent-step:*",
                        Set.of("states:DescribeExecution", "states:StopExecution")),
                Map.entry(SYNC_RULE, Set.of("events:DescribeRule", "events:PutRule", "events:PutTargets")));
        assertThat(byResource.keySet()).noneMatch(r -> r.contains("dynamodb") || r.contains(":sqs:")
                || r.contains("function:skyloom-sw-api"));
        if (Workflows.hasDistributedMap(swarm)) {
            // workers past 40 slots: a distributed Map, whose iterations are child executions of the swarm machine
            assertThat(byResource).contains(
                    Map.entry(states + "stateMachine:skyloom-sw-swarm", Set.of("states:StartExecution")),
                    Map.entry(states + "execution:skyloom-sw-swarm:*",
                            Set.of("states:DescribeExecution", "states:StopExecution")));
        }
    }

    @Test
    void aDistributedMap_mayStartDescribeAndStop_itsOwnMachinesExecutions_andAnInlineMapMayNot() {
        String map = """
                {"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","ItemProcessor":{%s
                  "StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}""";
        StateMachineSpec distributed = new StateMachineSpec("wide", map.formatted(
                "\"ProcessorConfig\":{\"Mode\":\"DISTRIBUTED\",\"ExecutionType\":\"STANDARD\"},"));
        StateMachineSpec inline = new StateMachineSpec("narrow", map.formatted(
                "\"ProcessorConfig\":{\"Mode\":\"INLINE\"},"));
        Stack stack = new Stack(SynthesizedApp.newApp(), "Maps");
        new Workflows(stack, "Workflows", Workflows.WorkflowsProps.builder().stateMachines(List.of(distributed, inline))
                .naming(Naming.forStage("dm")).placeholders(Map.of()).build());
        Template template = Template.fromStack(stack);

        String wideRole = roleOfMachine(template, "skyloom-dm-wide");
        String narrowRole = roleOfMachine(template, "skyloom-dm-narrow");
        Map<String, Set<String>> wide = actionsByResource(Templates.identityStatements(template).stream()
                .filter(s -> s.roles().contains(wideRole)).toList(), "states:");
        Map<String, Set<String>> narrow = actionsByResource(Templates.identityStatements(template).stream()
                .filter(s -> s.roles().contains(narrowRole)).toList(), "states:");
        String states = "arn:{AWS::Partition}:states:{AWS::Region}:{AWS::AccountId}:";
        assertThat(wide).containsExactlyInAnyOrderEntriesOf(Map.of(
                states + "stateMachine:skyloom-dm-wide", Set.of("states:StartExecution"),
                states + "execution:skyloom-dm-wide:*", Set.of("states:DescribeExecution", "states:StopExecution")));
        assertThat(narrow).isEmpty();
    }

    private static String roleOfMachine(Template template, String name) {
        Map<String, Object> machine = Templates.resource(template, "AWS::StepFunctions::StateMachine",
                "StateMachineName", name);
        return ((List<?>) ((Map<?, ?>) machine.get("RoleArn")).get("Fn::GetAtt")).get(0).toString();
    }

    @Test
    void aStateMachineFile_namedIntoThePipelineFamily_isRefused() {
        StateMachineSpec clash = new StateMachineSpec("pipeline-audit", "{\"StartAt\":\"A\",\"States\":{\"A\":"
                + "{\"Type\":\"Pass\",\"End\":true}}}");

        assertThatThrownBy(() -> SkyloomResources.manifest().requireOutsideFamilies(List.of(clash)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pipeline-audit.asl.json is named like the state machines the platform creates");
    }

    private static void collectResources(JsonNode node, Set<String> into) {
        if (node.isObject()) {
            JsonNode resource = node.get("Resource");
            if (resource != null && resource.isTextual() && "Task".equals(node.path("Type").asText())) {
                into.add(resource.asText());
            }
            for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
                collectResources(it.next(), into);
            }
        } else if (node.isArray()) {
            node.forEach(child -> collectResources(child, into));
        }
    }

    /** Allowed actions starting with {@code prefix}, by rendered resource. */
    private Map<String, Set<String>> actionsByResource(List<Templates.Statement> statements, String prefix) {
        Map<String, Set<String>> byResource = new TreeMap<>();
        for (Templates.Statement s : statements) {
            if (!s.allows()) {
                continue;
            }
            List<String> actions = s.actions().stream().filter(a -> a.startsWith(prefix)).toList();
            if (!actions.isEmpty()) {
                s.resources().forEach(r -> byResource.computeIfAbsent(Templates.render(r, app.data),
                        k -> new TreeSet<>()).addAll(actions));
            }
        }
        return byResource;
    }

    private List<Templates.Statement> statementsOfFunction(String function) {
        String role = ((List<?>) ((Map<?, ?>) Templates.resource(platform, "AWS::Lambda::Function", "FunctionName",
                SynthesizedApp.PREFIX + function).get("Role")).get("Fn::GetAtt")).get(0).toString();
        return Templates.identityStatements(platform).stream().filter(s -> s.roles().contains(role)).toList();
    }

    private List<Templates.Statement> statementsOfRole(String role) {
        String id = Templates.logicalId(platform, "AWS::IAM::Role", "RoleName", SynthesizedApp.PREFIX + role);
        return Templates.identityStatements(platform).stream().filter(s -> s.roles().contains(id)).toList();
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> environment(String function) {
        return (Map<String, Object>) ((Map<String, Object>) Templates.resource(platform, "AWS::Lambda::Function",
                "FunctionName", SynthesizedApp.PREFIX + function).get("Environment")).get("Variables");
    }
}
