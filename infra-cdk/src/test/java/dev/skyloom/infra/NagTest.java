package dev.skyloom.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.services.sqs.Queue;

/**
 * cdk-nag's AwsSolutions and Serverless packs over the three stacks, read from the reports they write: no
 * unsuppressed finding (error or warning), no rule left unevaluated, every suppression with a reason. An error
 * finding also fails synthesis itself, which the last test shows on a careless stack.
 */
class NagTest {

    @Test
    void everyStack_hasNoUnsuppressedFinding_ofEitherPack() {
        NagReports reports = SynthesizedApp.get().nag;

        assertThat(reports.withCompliance("Non-Compliant")).as("unsuppressed cdk-nag findings").isEmpty();
        assertThat(reports.withCompliance("UNKNOWN")).as("rules that could not evaluate").isEmpty();
    }

    @Test
    void bothPacks_haveJudgedEveryStack_andEverySuppressionHasAReason() {
        NagReports reports = SynthesizedApp.get().nag;

        for (String stack : List.of("Skyloom-test-Data", "Skyloom-test-Platform", "Skyloom-test-Console")) {
            assertThat(reports.lines()).as("AwsSolutions report of " + stack)
                    .anyMatch(l -> l.pack().equals("AwsSolutions") && l.stack().equals(stack));
        }
        // the Serverless pack has rules for functions, queues, APIs, state machines: all in the platform stack
        assertThat(reports.lines()).as("Serverless report of the platform")
                .anyMatch(l -> l.pack().equals("Serverless") && l.stack().equals("Skyloom-test-Platform")
                        && l.compliance().equals("Compliant"));
        assertThat(reports.withCompliance("Compliant")).hasSizeGreaterThan(50);
        assertThat(reports.withCompliance("Suppressed")).isNotEmpty()
                .allSatisfy(l -> assertThat(l.reason()).as(l.toString()).hasSizeGreaterThanOrEqualTo(20));
    }

    @Test
    void noWarningAnnotations_remainOnAnyStack() {
        for (Stack stack : SynthesizedApp.get().stacks()) {
            assertThat(SynthesizedApp.annotations(stack).findWarning("*", Match.anyValue()))
                    .as("warnings of " + stack.getStackName()).isEmpty();
        }
    }

    @Test
    void nagChecks_findAndFailSynthesis_whenAQueueHasNoDeadLetterQueue() {
        App app = SynthesizedApp.newApp();
        Stack stack = new Stack(app, "Careless");
        new Queue(stack, "Queue");
        SkyloomDeployment.addNagChecks(app);

        assertThatThrownBy(app::synth).hasMessageContaining("Validation failed");
        assertThat(NagReports.read(Path.of(app.getOutdir())).withCompliance("Non-Compliant"))
                .extracting(NagReports.Line::ruleId).contains("AwsSolutions-SQS3", "Serverless-SQSRedrivePolicy");
    }
}
