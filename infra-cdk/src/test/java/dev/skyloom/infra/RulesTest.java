package dev.skyloom.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skyloom.manifest.RuleSpec;
import dev.skyloom.manifest.SkyloomResources;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Capture;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** The Rules construct: each manifest rule on the platform bus, its pattern as declared, targets with a DLQ. */
class RulesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Template platform = SynthesizedApp.get().platform;

    @Test
    void ingestRule_sendsEverySkyloomEventOfTheBus_toTheEventsQueue_withItsDeadLetterQueue() throws Exception {
        RuleSpec spec = SkyloomResources.manifest().rule(SkyloomResources.RULE_INGEST);
        String bus = Templates.logicalId(platform, "AWS::Events::EventBus", "Name", SynthesizedApp.PREFIX + "bus");
        String queue = Templates.logicalId(platform, "AWS::SQS::Queue", "QueueName", SynthesizedApp.PREFIX + "events");
        String dlq = Templates.logicalId(platform, "AWS::SQS::Queue", "QueueName",
                SynthesizedApp.PREFIX + "events-dlq");

        platform.hasResourceProperties("AWS::Events::Rule", Map.of(
                "Name", SynthesizedApp.PREFIX + "ingest-events",
                "Description", spec.description(),
                "EventBusName", Map.of("Ref", bus),
                "State", "ENABLED",
                "EventPattern", JSON.readValue(spec.eventPattern(), Map.class),
                "Targets", List.of(Map.of(
                        "Id", "queue-events",
                        "Arn", Map.of("Fn::GetAtt", List.of(queue, "Arn")),
                        "DeadLetterConfig", Map.of("Arn", Map.of("Fn::GetAtt", List.of(dlq, "Arn")))))));
        assertThat(JSON.readTree(spec.eventPattern()).toString()).isEqualTo("{\"source\":[{\"prefix\":\"skyloom.\"}]}");
    }

    @Test
    void eventBridge_maySendToTheTargetQueue_andItsDeadLetterQueue_onlyForThisRule() {
        String rule = Templates.logicalId(platform, "AWS::Events::Rule", "Name",
                SynthesizedApp.PREFIX + "ingest-events");
        for (String queueName : List.of("events", "events-dlq")) {
            String queue = Templates.logicalId(platform, "AWS::SQS::Queue", "QueueName",
                    SynthesizedApp.PREFIX + queueName);
            platform.hasResourceProperties("AWS::SQS::QueuePolicy", Match.objectLike(Map.of(
                    "Queues", List.of(Map.of("Ref", queue)),
                    "PolicyDocument", Match.objectLike(Map.of("Statement", Match.arrayWith(List.of(Map.of(
                            "Sid", "FromRuleingestevents",
                            "Effect", "Allow",
                            "Principal", Map.of("Service", "events.amazonaws.com"),
                            "Action", "sqs:SendMessage",
                            "Resource", Map.of("Fn::GetAtt", List.of(queue, "Arn")),
                            "Condition", Map.of("ArnEquals", Map.of("aws:SourceArn",
                                    Map.of("Fn::GetAtt", List.of(rule, "Arn"))))))))))));
        }
    }

    @Test
    void everyManifestRule_isDeployed_andNothingElse() {
        platform.resourceCountIs("AWS::Events::Rule", SkyloomResources.manifest().rules().size());
        Capture names = new Capture();
        platform.hasResourceProperties("AWS::Events::Rule", Match.objectLike(Map.of("Name", names)));
        assertThat(names.asString()).startsWith(SynthesizedApp.PREFIX);
    }
}
