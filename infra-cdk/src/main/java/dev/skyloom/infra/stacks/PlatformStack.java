package dev.skyloom.infra.stacks;

import dev.skyloom.infra.DeploymentConfig;
import dev.skyloom.infra.constructs.Api;
import dev.skyloom.infra.constructs.Data;
import dev.skyloom.infra.constructs.DeployedResources;
import dev.skyloom.infra.constructs.EventSources;
import dev.skyloom.infra.constructs.ExecutionRoles;
import dev.skyloom.infra.constructs.Functions;
import dev.skyloom.infra.constructs.Identity;
import dev.skyloom.infra.constructs.Messaging;
import dev.skyloom.infra.constructs.Observability;
import dev.skyloom.infra.constructs.Placeholders;
import dev.skyloom.infra.constructs.Rules;
import dev.skyloom.infra.constructs.Scheduling;
import dev.skyloom.infra.constructs.Workflows;
import dev.skyloom.manifest.Naming;
import dev.skyloom.manifest.ResourceManifest;
import dev.skyloom.manifest.EnvValue;
import dev.skyloom.manifest.SkyloomResources;
import dev.skyloom.manifest.StateMachineSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.dynamodb.ITable;
import software.amazon.awscdk.services.events.IEventBus;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.s3.IBucket;
import software.amazon.awscdk.services.sqs.IQueue;
import software.constructs.Construct;

/**
 * The running platform of a stage: messaging, functions, workflows, scheduling, the REST API, identity and
 * observability, wired to the data stack's tables, buckets and key. It only composes constructs.
 */
public final class PlatformStack extends Stack {
    /** The manifest function that, when declared, becomes the API's REQUEST authorizer. */
    public static final String AUTHORIZER_FUNCTION = SkyloomResources.FUNCTION_AUTHORIZER;

    private final Messaging messaging;
    private final Functions functions;
    private final EventSources eventSources;
    private final Workflows workflows;
    private final ExecutionRoles executionRoles;
    private final Rules rules;
    private final Scheduling scheduling;
    private final Api api;
    private final Identity identity;
    private final Observability observability;

    public PlatformStack(Construct scope, String id, StackProps props, DeploymentConfig config,
                         ResourceManifest manifest, List<StateMachineSpec> stateMachines, Data data) {
        super(scope, id, props);
        Naming naming = config.naming();
        messaging = new Messaging(this, "Messaging", Messaging.MessagingProps.builder()
                .manifest(manifest).naming(naming).build());

        DeployedResources resources = new DeployedResources(manifest, naming,
                new LinkedHashMap<String, ITable>(data.tables()), new LinkedHashMap<String, IBucket>(data.buckets()),
                new LinkedHashMap<String, IQueue>(messaging.queues()),
                new LinkedHashMap<String, IEventBus>(messaging.eventBuses()), data.dataKey());
        manifest.requireOutsideFamilies(stateMachines);
        manifest.missingStateMachines(stateMachines).forEach((name, where) -> Annotations.of(this).addWarningV2(
                "skyloom:missingStateMachine:" + name, where + " refers to state machine '" + name + "', which has "
                        + "no definition statemachines/" + name + StateMachineSpec.SUFFIX + "; its ARN is used anyway"));
        identity = new Identity(this, "Identity", Identity.IdentityProps.builder().naming(naming).build());
        String issuer = "https://cognito-idp." + getRegion() + ".amazonaws.com/" + identity.userPool().getUserPoolId();
        functions = new Functions(this, "Functions", Functions.FunctionsProps.builder()
                .resources(resources)
                .identity(Map.of(EnvValue.IdentityValue.Field.ISSUER, issuer,
                        EnvValue.IdentityValue.Field.JWKS_URL, issuer + "/.well-known/jwks.json",
                        EnvValue.IdentityValue.Field.CLIENT_IDS, identity.consoleClient().getUserPoolClientId()))
                .code(Code.fromAsset(config.functionsJar().toString()))
                .build());

        eventSources = new EventSources(this, "EventSources",
                new EventSources.EventSourcesProps(resources, functions.aliases()));

        workflows = new Workflows(this, "Workflows", Workflows.WorkflowsProps.builder()
                .stateMachines(stateMachines)
                .naming(naming)
                .placeholders(Placeholders.catalog(this, resources, stateMachines))
                .build());

        executionRoles = new ExecutionRoles(this, "ExecutionRoles", resources);

        rules = new Rules(this, "Rules", Rules.RulesProps.builder()
                .resources(resources)
                .deadLetterQueues(messaging.deadLetterQueues())
                .build());

        scheduling = new Scheduling(this, "Scheduling", Scheduling.SchedulingProps.builder()
                .naming(naming).groups(manifest.scheduleGroups()).stateMachines(workflows.stateMachines()).build());

        api = new Api(this, "Api", Api.ApiProps.builder()
                .naming(naming)
                .stageName(config.stage())
                .handler(functions.aliases().get(SkyloomResources.FUNCTION_API))
                .authorizer(functions.aliases().get(AUTHORIZER_FUNCTION))
                .publicRoutes(SkyloomResources.PUBLIC_API_ROUTES)
                .build());

        Observability.ObservabilityProps.Builder watch = Observability.ObservabilityProps.builder()
                .naming(naming)
                .functions(functions.functions())
                .deadLetterQueues(messaging.deadLetterQueues())
                .deadLetterAlarms(messaging.deadLetterAlarms())
                .stateMachines(workflows.stateMachines())
                .api(api.restApi());
        config.alarmEmailAddress().ifPresent(watch::alarmEmail);
        observability = new Observability(this, "Observability", watch.build());

        output("ApiUrl", api.restApi().urlForPath("/api/v1"), "Base URL of the REST API");
        output("UserPoolId", identity.userPool().getUserPoolId(), "Cognito user pool of the console");
        output("ConsoleClientId", identity.consoleClient().getUserPoolClientId(), "Cognito app client of the console");
        output("EventBusName", messaging.bus().getEventBusName(), "EventBridge bus of platform events");
        output("BootstrapFunction", functions.aliases().get(SkyloomResources.FUNCTION_BOOTSTRAP).getFunctionArn(),
                "Invoke once after the first deploy: creates the default tenant and mints the admin key");
        output("AlarmTopicArn", observability.topic().getTopicArn(), "SNS topic of every alarm: subscribe to it");
        if (scheduling.groups().containsKey(SkyloomResources.SCHEDULE_GROUP_PULSES)) {
            output("ScheduleGroupName", scheduling.groups().get(SkyloomResources.SCHEDULE_GROUP_PULSES)
                    .getScheduleGroupName(), "EventBridge Scheduler group of pulses");
        }
    }

    private void output(String id, String value, String description) {
        CfnOutput.Builder.create(this, id).value(value).description(description).build();
    }

    public Messaging messaging() {
        return messaging;
    }

    public Functions functions() {
        return functions;
    }

    /** The SQS event source mappings of the manifest. */
    public EventSources eventSources() {
        return eventSources;
    }

    public Workflows workflows() {
        return workflows;
    }

    /** The execution roles of state machines created at run time (pipelines'). */
    public ExecutionRoles executionRoles() {
        return executionRoles;
    }

    public Rules rules() {
        return rules;
    }

    public Scheduling scheduling() {
        return scheduling;
    }

    public Api api() {
        return api;
    }

    public Identity identity() {
        return identity;
    }

    public Observability observability() {
        return observability;
    }
}
