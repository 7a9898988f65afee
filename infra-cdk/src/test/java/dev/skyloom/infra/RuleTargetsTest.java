package dev.skyloom.infra;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyloom.infra.constructs.DeployedResources;
import dev.skyloom.infra.constructs.Rules;
import dev.skyloom.manifest.EventBusSpec;
import dev.skyloom.manifest.FunctionSpec;
import dev.skyloom.manifest.Naming;
import dev.skyloom.manifest.QueueSpec;
import dev.skyloom.manifest.ResourceManifest;
import dev.skyloom.manifest.RuleSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Capture;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.events.EventBus;
import software.amazon.awscdk.services.kms.Key;
import software.amazon.awscdk.services.sqs.Queue;

/**
 * The Rules construct with the targets the platform's manifest does not use yet: a function (a Lambda permission
 * for the rule on the function's live alias) and a state machine (a role EventBridge assumes to start exactly it).
 */
class RuleTargetsTest {

    @Test
    void functionAndStateMachineTargets_getAPermissionAndARole_limitedToTheRuleAndTheMachine() {
        Stack stack = new Stack(SynthesizedApp.newApp(), "RuleTargets");
        Naming naming = Naming.forStage("rt");
        ResourceManifest manifest = new ResourceManifest(List.of(), List.of(new QueueSpec("work", "", 30, 3600, 3)),
                List.of(), List.of(new FunctionSpec("audit", "", "a.Audit", 256, 10, 0, Map.of(), List.of())),
                List.of(new EventBusSpec("bus", "")),
                List.of(new RuleSpec("audit-all", "every audit event", "bus", "{\"source\":[\"skyloom.audit\"]}",
                        List.of(RuleSpec.Target.function("audit"), RuleSpec.Target.stateMachine("review")), "work")),
                List.of());
        Queue dlq = Queue.Builder.create(stack, "Dlq").build();
        DeployedResources resources = new DeployedResources(manifest, naming, Map.of(), Map.of(),
                Map.of("work", Queue.Builder.create(stack, "Work").build()),
                Map.of("bus", EventBus.Builder.create(stack, "Bus").eventBusName("skyloom-rt-bus").build()),
                Key.Builder.create(stack, "DataKey").build());
        new Rules(stack, "Rules", Rules.RulesProps.builder().resources(resources)
                .deadLetterQueues(Map.of("work", dlq)).build());
        Template template = Template.fromStack(stack);

        String rule = template.findResources("AWS::Events::Rule").keySet().iterator().next();
        String role = template.findResources("AWS::IAM::Role").keySet().iterator().next();
        Capture targets = new Capture();
        template.hasResourceProperties("AWS::Events::Rule", Match.objectLike(Map.of(
                "Name", "skyloom-rt-audit-all", "EventPattern", Map.of("source", List.of("skyloom.audit")),
                "Targets", targets)));
        assertThat(targets.asArray().toString())
                .contains("Id=function-audit", "function:skyloom-rt-audit:live")
                .contains("Id=state-machine-review", "stateMachine:skyloom-rt-review", "RoleArn={Fn::GetAtt=[" + role)
                .contains("DeadLetterConfig");
        template.hasResourceProperties("AWS::Lambda::Permission", Match.objectLike(Map.of(
                "Action", "lambda:InvokeFunction", "Principal", "events.amazonaws.com",
                "SourceArn", Map.of("Fn::GetAtt", List.of(rule, "Arn")))));
        template.hasResourceProperties("AWS::IAM::Role", Match.objectLike(Map.of(
                "AssumeRolePolicyDocument", Match.objectLike(Map.of("Statement", List.of(Match.objectLike(Map.of(
                        "Principal", Map.of("Service", "events.amazonaws.com")))))))));
        Capture statements = new Capture();
        template.hasResourceProperties("AWS::IAM::Policy", Match.objectLike(Map.of(
                "Roles", List.of(Map.of("Ref", role)),
                "PolicyDocument", Match.objectLike(Map.of("Statement", statements)))));
        assertThat(statements.asArray()).hasSize(1);
        assertThat(statements.asArray().get(0).toString()).contains("Action=states:StartExecution",
                "stateMachine:skyloom-rt-review");
    }
}
