package dev.skyloom.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResourceManifestTest {

    @Test
    void manifest_declaresEveryResourceTheHandlersReferTo() {
        ResourceManifest manifest = SkyloomResources.manifest();

        assertThat(manifest.tables()).extracting(TableSpec::name).containsExactly("main", "events", "idempotency");
        assertThat(manifest.table("main").keyAttributes())
                .containsOnlyKeys("pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk");
        assertThat(manifest.function("api").handlerClass()).isEqualTo("dev.skyloom.handlers.ApiHandler");
        assertThat(manifest.function("api").environment()).containsEntry(SkyloomResources.ENV_TABLE_MAIN,
                EnvValue.tableName("main"));
        assertThat(manifest.queue("events").deadLetterQueueName()).isEqualTo("events-dlq");
    }

    @Test
    void constructor_shouldReject_whenEnvironmentRefersToUndeclaredTable() {
        FunctionSpec function = new FunctionSpec("fn", "", "a.B::handle", 512, 30, 0,
                Map.of("T", EnvValue.tableName("nope")), List.of());

        assertThatThrownBy(() -> new ResourceManifest(List.of(), List.of(), List.of(), List.of(function)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("function fn environment T refers to table 'nope'")
                .hasMessageContaining("declared tables: []");
    }

    @Test
    void constructor_shouldReject_whenTwoQueuesShareAName() {
        QueueSpec queue = new QueueSpec("q", "", 30, 3600, 3);

        assertThatThrownBy(() -> new ResourceManifest(List.of(), List.of(queue, queue), List.of(), List.of()))
                .hasMessage("two queues are named 'q'");
    }

    @Test
    void functionSpec_shouldReject_whenHandlerIsNotAClassName() {
        assertThatThrownBy(() -> new FunctionSpec("fn", "", "not a class", 512, 30, 0, Map.of(), List.of()))
                .hasMessageContaining("expected fully.qualified.ClassName or fully.qualified.ClassName::method");
    }

    @Test
    void functionSpec_shouldReject_whenMemoryOutOfRange() {
        assertThatThrownBy(() -> new FunctionSpec("fn", "", "a.B", 64, 30, 0, Map.of(), List.of()))
                .hasMessage("memoryMb of function fn is 64: valid range is 128..10240");
    }

    @Test
    void tableSpec_shouldReject_whenAnAttributeHasTwoTypes() {
        assertThatThrownBy(() -> new TableSpec("t", "", Key.string("pk"), null,
                List.of(IndexSpec.of("i", Key.number("pk"), null)), null))
                .hasMessage("table t uses attribute pk as both STRING and NUMBER");
    }

    @Test
    void grant_shouldReject_whenAccessDoesNotApplyToKind() {
        assertThatThrownBy(() -> new Grant(ResourceKind.QUEUE, "q", Grant.Access.READ))
                .hasMessageContaining("access READ does not apply to a QUEUE");
    }

    @Test
    void naming_prefixesLogicalNames() {
        assertThat(Naming.LOCAL.physical("main")).isEqualTo("skyloom-main");
        assertThat(Naming.forStage("prod").physical("events")).isEqualTo("skyloom-prod-events");
        assertThatThrownBy(() -> new Naming("Bad")).hasMessageContaining("is invalid");
    }

    @Test
    void manifest_declaresTheBus_theIngestRule_thePulseGroup_andAgentTurn() {
        ResourceManifest manifest = SkyloomResources.manifest();

        assertThat(manifest.eventBuses()).extracting(EventBusSpec::name).containsExactly("bus");
        RuleSpec ingest = manifest.rule(SkyloomResources.RULE_INGEST);
        assertThat(ingest.bus()).isEqualTo("bus");
        assertThat(ingest.eventPattern()).isEqualTo("{\"source\":[{\"prefix\":\"skyloom.\"}]}");
        assertThat(ingest.targets()).containsExactly(RuleSpec.Target.queue("events"));
        assertThat(manifest.scheduleGroups()).extracting(ScheduleGroupSpec::name).containsExactly("pulses");

        FunctionSpec turn = manifest.function(SkyloomResources.FUNCTION_AGENT_TURN);
        assertThat(turn.handler()).isEqualTo("dev.skyloom.handlers.AgentTurnHandler::handleRequest");
        assertThat(turn.memoryMb()).isEqualTo(1536);
        assertThat(turn.timeoutSeconds()).isEqualTo(300);
        assertThat(turn.environment()).containsOnlyKeys("POWERTOOLS_SERVICE_NAME", "SKYLOOM_TABLE_MAIN",
                "SKYLOOM_TABLE_EVENTS", "SKYLOOM_TABLE_IDEMPOTENCY", "SKYLOOM_BUCKET_WORKSPACES",
                "SKYLOOM_BUCKET_ARTIFACTS", "SKYLOOM_SECRETS_KEY", "SKYLOOM_EVENT_BUS", "SKYLOOM_EMBEDDINGS_MODEL");
        assertThat(turn.environment().get("SKYLOOM_EVENT_BUS")).isEqualTo(EnvValue.eventBusName("bus"));
        for (String authenticating : List.of("api", "authorizer")) {
            assertThat(manifest.function(authenticating).environment()).as(authenticating)
                    .containsEntry(SkyloomResources.ENV_JWKS_URL,
                            EnvValue.identity(EnvValue.IdentityValue.Field.JWKS_URL))
                    .containsEntry(SkyloomResources.ENV_JWT_ISSUER,
                            EnvValue.identity(EnvValue.IdentityValue.Field.ISSUER))
                    .containsEntry(SkyloomResources.ENV_JWT_CLIENT_IDS,
                            EnvValue.identity(EnvValue.IdentityValue.Field.CLIENT_IDS));
        }
        assertThat(turn.environment()).as("only functions that authenticate JWTs know the identity provider")
                .doesNotContainKey(SkyloomResources.ENV_JWKS_URL);
        assertThat(turn.grants()).contains(Grant.invokeModels(), Grant.putEvents("bus"),
                Grant.readWrite(ResourceKind.TABLE, "events"));

        FunctionSpec api = manifest.function(SkyloomResources.FUNCTION_API);
        assertThat(api.grants()).contains(Grant.putEvents("bus"), Grant.runStateMachine("agent-step"));
        assertThat(api.environment()).containsEntry(SkyloomResources.ENV_STATE_MACHINE_AGENT_STEP,
                EnvValue.stateMachineArn("agent-step"));
        assertThat(manifest.function(SkyloomResources.FUNCTION_AUTHORIZER).handlerClass())
                .isEqualTo("dev.skyloom.handlers.AuthorizerHandler");
    }

    @Test
    void constructor_shouldReject_whenARuleTargetsAnUndeclaredQueue() {
        RuleSpec rule = new RuleSpec("r", "", "bus", "{\"source\":[\"x\"]}", List.of(RuleSpec.Target.queue("nope")),
                "q");

        assertThatThrownBy(() -> new ResourceManifest(List.of(), List.of(new QueueSpec("q", "", 30, 3600, 3)),
                List.of(), List.of(), List.of(new EventBusSpec("bus", "")), List.of(rule), List.of()))
                .hasMessage("rule r target refers to queue 'nope', which is not declared; declared queues: [q]");
    }

    @Test
    void constructor_shouldReject_whenAGrantNamesAnUndeclaredBus() {
        FunctionSpec function = new FunctionSpec("fn", "", "a.B", 512, 30, 0, Map.of(), List.of(Grant.putEvents("x")));

        assertThatThrownBy(() -> new ResourceManifest(List.of(), List.of(), List.of(), List.of(function)))
                .hasMessage("function fn grant refers to event bus 'x', which is not declared; declared event buses: []");
    }

    @Test
    void ruleSpec_shouldReject_whenThePatternIsNotAJsonObject() {
        assertThatThrownBy(() -> new RuleSpec("r", "", "bus", "skyloom.*", List.of(RuleSpec.Target.queue("q")), "q"))
                .hasMessageContaining("the event pattern must be a non-empty JSON object");
    }

    @Test
    void grant_shouldReject_aModelGrantForAnythingButBedrock() {
        assertThatThrownBy(() -> new Grant(ResourceKind.MODEL, "openai", Grant.Access.INVOKE))
                .hasMessageContaining("a model grant is named 'bedrock'");
        assertThatThrownBy(() -> new Grant(ResourceKind.MODEL, "bedrock", Grant.Access.READ))
                .hasMessageContaining("access READ does not apply to a MODEL");
    }

    @Test
    void missingStateMachines_namesEachReferenceWithoutADefinition() {
        ResourceManifest manifest = SkyloomResources.manifest();

        assertThat(manifest.missingStateMachines(List.of())).containsOnlyKeys("agent-step", "pulse", "swarm")
                .containsEntry("agent-step", "function api environment SKYLOOM_STATE_MACHINE_AGENT_STEP")
                .containsEntry("pulse", "schedule group pulses target")
                .containsEntry("swarm", "function api grant");
        assertThat(manifest.missingStateMachines(List.of(new StateMachineSpec("agent-step", "{}"),
                new StateMachineSpec("pulse", "{}"), new StateMachineSpec("swarm", "{}")))).isEmpty();
    }

    @Test
    void definitionSubstitutions_keyTheBus_andStateMachines() {
        assertThat(DefinitionSubstitutions.key(ResourceKind.EVENT_BUS, "bus")).isEqualTo("EventBusName");
        assertThat(DefinitionSubstitutions.key(ResourceKind.STATE_MACHINE, "agent-step"))
                .isEqualTo("StateMachineArn_agent_step");
    }

    @Test
    void manifest_declaresThePipelinesRole_andTheApisPipelineGrants() {
        ResourceManifest manifest = SkyloomResources.manifest();
        RoleSpec role = manifest.role(SkyloomResources.ROLE_PIPELINES);

        assertThat(role.stateMachines()).isEqualTo("pipeline-*");
        assertThat(role.grants()).startsWith(Grant.runAndWait("agent-step"), Grant.runAndWait("swarm"),
                Grant.putEvents("bus"));
        assertThat(role.grants().subList(3, role.grants().size())).containsExactlyElementsOf(
                manifest.pipelineCallableFunctions().stream().map(f -> Grant.invoke(f.name())).toList());
        FunctionSpec api = manifest.function(SkyloomResources.FUNCTION_API);
        assertThat(api.environment()).containsEntry(SkyloomResources.ENV_PIPELINE_ROLE_ARN,
                EnvValue.roleArn(SkyloomResources.ROLE_PIPELINES));
        assertThat(api.grants()).contains(Grant.deployStateMachines("pipeline-*"), Grant.answerTasks("pipeline-*"),
                Grant.passRole("pipelines"));
        assertThat(manifest.function(SkyloomResources.FUNCTION_SWARM_SCHEDULER).grants())
                .contains(Grant.answerTasks("swarm"));
        assertThat(manifest.stateMachineFamilies()).containsExactly("pipeline-");
    }

    @Test
    void pipelinesRole_invokesExactlyTheFunctionsDeclaredCallableFromPipelines() {
        FunctionSpec builtin = new FunctionSpec("http-request", "", "a.Http", 512, 30, 0, Map.of(), List.of())
                .callableFromPipelines();
        FunctionSpec internal = new FunctionSpec("internal", "", "a.Internal", 512, 30, 0, Map.of(), List.of());

        RoleSpec role = SkyloomResources.pipelinesRole(List.of(internal, builtin));

        assertThat(builtin.pipelineCallable()).isTrue();
        assertThat(internal.pipelineCallable()).isFalse();
        assertThat(role.grants()).filteredOn(g -> g.kind() == ResourceKind.FUNCTION)
                .containsExactly(Grant.invoke("http-request"));
    }

    @Test
    void withEnvironment_addsAVariable_butNeverReplacesOne() {
        FunctionSpec fn = new FunctionSpec("fn", "", "a.B", 512, 30, 0, Map.of("A", EnvValue.literal("1")), List.of())
                .callableFromPipelines();

        FunctionSpec with = fn.withEnvironment("B", EnvValue.roleArn("r"));

        assertThat(with.environment()).containsOnlyKeys("A", "B");
        assertThat(with.pipelineCallable()).isTrue();
        assertThatThrownBy(() -> fn.withEnvironment("A", EnvValue.literal("2")))
                .hasMessageContaining("already has the environment variable A");
    }

    @Test
    void grant_shouldKeepFamilies_toTheAccessesThatMakeSenseForThem() {
        assertThat(Grant.deployStateMachines("pipeline-*").familyPrefix()).isEqualTo("pipeline-");
        assertThat(Grant.answerTasks("swarm").family()).isFalse();
        assertThatThrownBy(() -> Grant.deployStateMachines("agent-step"))
                .hasMessageContaining("DEPLOY applies to a family of state machines");
        assertThatThrownBy(() -> Grant.runStateMachine("pipeline-*"))
                .hasMessageContaining("only [");
        assertThatThrownBy(() -> new Grant(ResourceKind.TABLE, "main-*", Grant.Access.READ))
                .hasMessageContaining("names a family of state machines");
        assertThatThrownBy(() -> new Grant(ResourceKind.ROLE, "pipelines", Grant.Access.INVOKE))
                .hasMessageContaining("access INVOKE does not apply to a ROLE");
    }

    @Test
    void roleSpec_shouldReject_grantsAStateMachineRoleCannotUse_andANonFamily() {
        assertThatThrownBy(() -> new RoleSpec("r", "", "pipeline-*", List.of(Grant.readWrite(ResourceKind.TABLE,
                "main")))).hasMessageContaining("is not for a state machine role");
        assertThatThrownBy(() -> new RoleSpec("r", "", "pipeline-*", List.of(Grant.invokeModels())))
                .hasMessageContaining("is not for a state machine role");
        assertThatThrownBy(() -> new RoleSpec("r", "", "pipeline", List.of()))
                .hasMessageContaining("must name a family of state machines");
    }

    @Test
    void constructor_shouldReject_whenARoleIsUndeclared_orARoleGrantNamesAnUndeclaredFunction() {
        FunctionSpec passes = new FunctionSpec("fn", "", "a.B", 512, 30, 0,
                Map.of("ROLE", EnvValue.roleArn("nope")), List.of());
        assertThatThrownBy(() -> new ResourceManifest(List.of(), List.of(), List.of(), List.of(passes)))
                .hasMessage("function fn environment ROLE refers to role 'nope', which is not declared; declared "
                        + "roles: []");
        RoleSpec role = new RoleSpec("pipelines", "", "pipeline-*", List.of(Grant.invoke("ghost")));
        assertThatThrownBy(() -> new ResourceManifest(List.of(), List.of(), List.of(), List.of(), List.of(),
                List.of(), List.of(), List.of(), List.of(role)))
                .hasMessage("role pipelines grant refers to function 'ghost', which is not declared; declared "
                        + "functions: []");
    }

    @Test
    void requireOutsideFamilies_refusesAStateMachineFileNamedIntoAFamily() {
        ResourceManifest manifest = SkyloomResources.manifest();

        manifest.requireOutsideFamilies(List.of(new StateMachineSpec("swarm", "{}")));
        assertThatThrownBy(() -> manifest.requireOutsideFamilies(List.of(new StateMachineSpec("pipeline-x", "{}"))))
                .hasMessageContaining("pipeline-x.asl.json is named like the state machines the platform creates");
    }
}
