package dev.skyloom.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skyloom.infra.constructs.Workflows;
import dev.skyloom.manifest.DefinitionSubstitutions;
import dev.skyloom.manifest.Naming;
import dev.skyloom.manifest.StateMachineSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Capture;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/**
 * The Workflows construct over the fixture definitions (agent-step, pulse, swarm): one STANDARD state machine per
 * file, the definition inline and unchanged, placeholders resolved by DefinitionSubstitutions, logging ALL, X-Ray,
 * and a role limited to the resources the definition names.
 */
class WorkflowsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final SynthesizedApp app = SynthesizedApp.get();
    private final Template platform = app.platform;

    @Test
    void everyFixtureFile_becomesAStandardStateMachine_loggingAll_withTracing() {
        List<StateMachineSpec> fixtures = StateMachineSpec.discover(SynthesizedApp.fixtureStateMachines());
        assertThat(fixtures).extracting(StateMachineSpec::name).containsExactly("agent-step", "pulse", "swarm");
        for (StateMachineSpec spec : fixtures) {
            String logGroup = Templates.logicalId(platform, "AWS::Logs::LogGroup", "LogGroupName",
                    "/aws/vendedlogs/states/" + SynthesizedApp.PREFIX + spec.name());
            platform.hasResourceProperties("AWS::StepFunctions::StateMachine", Match.objectLike(Map.of(
                    "StateMachineName", SynthesizedApp.PREFIX + spec.name(),
                    "StateMachineType", "STANDARD",
                    "LoggingConfiguration", Map.of("Level", "ALL", "IncludeExecutionData", true,
                            "Destinations", List.of(Map.of("CloudWatchLogsLogGroup", Map.of("LogGroupArn",
                                    Map.of("Fn::GetAtt", List.of(logGroup, "Arn")))))),
                    "TracingConfiguration", Map.of("Enabled", true))));
        }
        platform.resourceCountIs("AWS::StepFunctions::StateMachine", fixtures.size());
    }

    @Test
    void definitions_areDeployedInline_exactlyAsWritten_beforeSubstitution() throws Exception {
        for (StateMachineSpec spec : StateMachineSpec.discover(SynthesizedApp.fixtureStateMachines())) {
            Map<String, Object> machine = stateMachine(spec.name());
            assertThat(machine.get("DefinitionString")).as("inline, not an S3 asset").isInstanceOf(String.class);
            assertThat(machine).doesNotContainKey("DefinitionS3Location");
            assertThat(JSON.readTree((String) machine.get("DefinitionString"))).isEqualTo(JSON.readTree(spec.definition()));
        }
    }

    @Test
    void agentStep_afterSubstitution_invokesTheLiveAlias_writesTheEventsTable_andPutsOnTheBus() throws Exception {
        JsonNode asl = substituted("agent-step");

        assertThat(asl.at("/States/Turn/Parameters/FunctionName").asText())
                .isEqualTo("arn:{AWS::Partition}:lambda:{AWS::Region}:{AWS::AccountId}:function:skyloom-test-api:live");
        assertThat(asl.at("/States/Record/Parameters/TableName").asText())
                .isEqualTo("{Ref:" + Templates.logicalId(app.data, "AWS::DynamoDB::Table", "TableName",
                        SynthesizedApp.PREFIX + "events") + "}");
        assertThat(asl.at("/States/Announce/Parameters/Entries/0/EventBusName").asText())
                .isEqualTo("{Ref:" + Templates.logicalId(platform, "AWS::Events::EventBus", "Name",
                        SynthesizedApp.PREFIX + "bus") + "}");
        assertThat(asl.toString()).doesNotContain("${");
    }

    @Test
    void swarm_afterSubstitution_startsAgentStepByArn_andReportsToTheEventsQueue() throws Exception {
        JsonNode asl = substituted("swarm");

        assertThat(asl.at("/States/Tasks/ItemProcessor/States/RunTask/Parameters/StateMachineArn").asText())
                .isEqualTo("arn:{AWS::Partition}:states:{AWS::Region}:{AWS::AccountId}:stateMachine:"
                        + SynthesizedApp.PREFIX + "agent-step");
        assertThat(asl.at("/States/Report/Parameters/QueueUrl").asText())
                .isEqualTo("{Ref:" + Templates.logicalId(platform, "AWS::SQS::Queue", "QueueName",
                        SynthesizedApp.PREFIX + "events") + "}");
    }

    @Test
    void substitutions_holdOnlyTheKeysADefinitionUses() {
        for (StateMachineSpec spec : StateMachineSpec.discover(SynthesizedApp.fixtureStateMachines())) {
            @SuppressWarnings("unchecked")
            Map<String, Object> substitutions = (Map<String, Object>) stateMachine(spec.name())
                    .getOrDefault("DefinitionSubstitutions", Map.of());
            assertThat(substitutions.keySet()).as(spec.name())
                    .containsExactlyInAnyOrderElementsOf(DefinitionSubstitutions.referencedKeys(spec.definition()));
        }
    }

    @Test
    void roles_mayUseOnlyWhatTheirDefinitionNames() {
        String agentStep = roleText("agent-step");
        assertThat(agentStep).contains("lambda:InvokeFunction", "function:skyloom-test-api:live", "dynamodb:PutItem",
                        "events:PutEvents", "kms:ViaService")
                .doesNotContain("sqs:SendMessage", "states:StartExecution", "function:skyloom-test-bootstrap");
        String swarm = roleText("swarm");
        assertThat(swarm).contains("states:StartExecution", "stateMachine:skyloom-test-agent-step",
                        "execution:skyloom-test-agent-step:*", "StepFunctionsGetEventsForStepFunctionsExecutionRule",
                        "sqs:SendMessage")
                .doesNotContain("lambda:InvokeFunction", "dynamodb:", "events:PutEvents");
        assertThat(roleText("pulse")).doesNotContain("lambda:", "dynamodb:", "sqs:", "states:StartExecution",
                "events:PutEvents");
    }

    @Test
    void aDefinition_shouldNameTheValidPlaceholders_whenItUsesAnUnknownOne() {
        Stack stack = new Stack(new App(), "Bad");
        StateMachineSpec bad = new StateMachineSpec("bad", "{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Task\","
                + "\"Resource\":\"${FunctionArn_nope}\",\"End\":true}}}");

        assertThatThrownBy(() -> new Workflows(stack, "Workflows", Workflows.WorkflowsProps.builder()
                .stateMachines(List.of(bad)).naming(Naming.forStage("x")).placeholders(Map.of()).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("state machine bad (bad.asl.json) uses ${FunctionArn_nope}")
                .hasMessageContaining("valid placeholders: []");
    }

    private Map<String, Object> stateMachine(String name) {
        return Templates.resource(platform, "AWS::StepFunctions::StateMachine", "StateMachineName",
                SynthesizedApp.PREFIX + name);
    }

    /** The definition as Step Functions will run it: each placeholder replaced by its rendered CloudFormation value. */
    private JsonNode substituted(String name) throws Exception {
        Map<String, Object> machine = stateMachine(name);
        @SuppressWarnings("unchecked")
        Map<String, Object> substitutions = (Map<String, Object>) machine.get("DefinitionSubstitutions");
        Map<String, String> values = new LinkedHashMap<>();
        substitutions.forEach((key, value) -> values.put(key, Templates.render(value, app.data)));
        return JSON.readTree(DefinitionSubstitutions.substitute((String) machine.get("DefinitionString"), values));
    }

    /** Every statement of the state machine's role, rendered. */
    private String roleText(String name) {
        Capture role = new Capture();
        platform.hasResourceProperties("AWS::StepFunctions::StateMachine", Match.objectLike(Map.of(
                "StateMachineName", SynthesizedApp.PREFIX + name, "RoleArn", role)));
        @SuppressWarnings("unchecked")
        String roleId = (String) ((List<Object>) role.asObject().get("Fn::GetAtt")).get(0);
        StringBuilder text = new StringBuilder();
        for (Templates.Statement statement : Templates.identityStatements(platform)) {
            if (statement.roles().contains(roleId)) {
                text.append(statement.actions()).append(' ');
                statement.resources().forEach(r -> text.append(Templates.render(r, app.data)).append(' '));
                text.append(statement.raw().getOrDefault("Condition", "")).append('\n');
            }
        }
        return text.toString();
    }
}
