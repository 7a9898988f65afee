package dev.skyloom.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Capture;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** The Scheduling construct: the pulses schedule group and the role its schedules run with. */
class SchedulingTest {
    private final Template platform = SynthesizedApp.get().platform;

    @Test
    void group_isNamedForTheStage() {
        platform.hasResourceProperties("AWS::Scheduler::ScheduleGroup", Map.of("Name", SynthesizedApp.PREFIX + "pulses"));
    }

    @Test
    void executionRole_isAssumableOnlyByThisAccountsScheduler_forThisGroup() {
        String group = platform.findResources("AWS::Scheduler::ScheduleGroup").keySet().iterator().next();
        platform.hasResourceProperties("AWS::IAM::Role", Match.objectLike(Map.of(
                "AssumeRolePolicyDocument", Match.objectLike(Map.of("Statement", List.of(Match.objectLike(Map.of(
                        "Principal", Map.of("Service", "scheduler.amazonaws.com"),
                        "Condition", Map.of(
                                "StringEquals", Map.of("aws:SourceAccount", Map.of("Ref", "AWS::AccountId")),
                                "ArnEquals", Map.of("aws:SourceArn", Map.of("Fn::GetAtt", List.of(group, "Arn"))))))))))));
    }

    @Test
    void executionRole_mayStartOnlyThePulseWorkflow() {
        String pulse = Templates.logicalId(platform, "AWS::StepFunctions::StateMachine", "StateMachineName",
                SynthesizedApp.PREFIX + "pulse");
        Capture statements = new Capture();
        platform.hasResourceProperties("AWS::IAM::Policy", Match.objectLike(Map.of(
                "PolicyName", Match.stringLikeRegexp("SchedulingExecutionRole.*"),
                "PolicyDocument", Match.objectLike(Map.of("Statement", statements)))));
        assertThat(statements.asArray()).containsExactly(Map.of("Action", "states:StartExecution",
                "Effect", "Allow", "Resource", Map.of("Ref", pulse)));
    }
}
