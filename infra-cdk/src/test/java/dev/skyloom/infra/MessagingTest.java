package dev.skyloom.infra;

import dev.skyloom.manifest.QueueSpec;
import dev.skyloom.manifest.SkyloomResources;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** The Messaging construct: the bus and its archive, every manifest queue with its DLQ, redrive and alarm. */
class MessagingTest {
    private final Template platform = SynthesizedApp.get().platform;

    @Test
    void bus_isNamedForTheStage_andArchivesEveryEventOfTheAccount() {
        String bus = Templates.logicalId(platform, "AWS::Events::EventBus", "Name", SynthesizedApp.PREFIX + "bus");
        platform.hasResourceProperties("AWS::Events::Archive", Match.objectLike(Map.of(
                "ArchiveName", SynthesizedApp.PREFIX + "bus-archive",
                "SourceArn", Map.of("Fn::GetAtt", List.of(bus, "Arn")),
                "RetentionDays", 30,
                "EventPattern", Map.of("account", List.of(Map.of("Ref", "AWS::AccountId"))))));
    }

    @Test
    void everyManifestQueue_hasItsDeadLetterQueue_redrive_encryption_andTls() {
        for (QueueSpec spec : SkyloomResources.manifest().queues()) {
            String dlq = Templates.logicalId(platform, "AWS::SQS::Queue", "QueueName",
                    SynthesizedApp.PREFIX + spec.deadLetterQueueName());
            platform.hasResourceProperties("AWS::SQS::Queue", Map.of(
                    "QueueName", SynthesizedApp.PREFIX + spec.deadLetterQueueName(),
                    "MessageRetentionPeriod", 1_209_600,
                    "SqsManagedSseEnabled", true));
            platform.hasResourceProperties("AWS::SQS::Queue", Map.of(
                    "QueueName", SynthesizedApp.PREFIX + spec.name(),
                    "VisibilityTimeout", spec.visibilityTimeoutSeconds(),
                    "MessageRetentionPeriod", spec.messageRetentionSeconds(),
                    "SqsManagedSseEnabled", true,
                    "RedrivePolicy", Map.of("deadLetterTargetArn", Map.of("Fn::GetAtt", List.of(dlq, "Arn")),
                            "maxReceiveCount", spec.maxReceiveCount())));
        }
        platform.resourceCountIs("AWS::SQS::Queue", 2 * SkyloomResources.manifest().queues().size());
        platform.resourcePropertiesCountIs("AWS::SQS::QueuePolicy", Match.objectLike(Map.of(
                "PolicyDocument", Match.objectLike(Map.of("Statement", Match.arrayWith(List.of(Match.objectLike(Map.of(
                        "Effect", "Deny", "Action", "sqs:*",
                        "Condition", Map.of("Bool", Map.of("aws:SecureTransport", "false")))))))))),
                2 * SkyloomResources.manifest().queues().size());
    }

    @Test
    void everyDeadLetterQueue_hasADepthAlarm_thatNotifiesTheAlarmTopic() {
        String topic = Templates.logicalId(platform, "AWS::SNS::Topic", "TopicName", SynthesizedApp.PREFIX + "alarms");
        for (QueueSpec spec : SkyloomResources.manifest().queues()) {
            String dlq = Templates.logicalId(platform, "AWS::SQS::Queue", "QueueName",
                    SynthesizedApp.PREFIX + spec.deadLetterQueueName());
            platform.hasResourceProperties("AWS::CloudWatch::Alarm", Match.objectLike(Map.of(
                    "AlarmName", SynthesizedApp.PREFIX + spec.deadLetterQueueName() + "-depth",
                    "Namespace", "AWS/SQS",
                    "MetricName", "ApproximateNumberOfMessagesVisible",
                    "Dimensions", List.of(Map.of("Name", "QueueName",
                            "Value", Map.of("Fn::GetAtt", List.of(dlq, "QueueName")))),
                    "ComparisonOperator", "GreaterThanOrEqualToThreshold",
                    "Threshold", 1,
                    "AlarmActions", List.of(Map.of("Ref", topic)))));
        }
    }
}
