package dev.skyloom.infra;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyloom.manifest.EventSourceSpec;
import dev.skyloom.manifest.SkyloomResources;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** The EventSources construct: the events queue feeds the ingest function's live alias, with partial batch responses. */
class EventSourcesTest {
    private final Template platform = SynthesizedApp.get().platform;

    @Test
    void eventsQueue_feedsTheIngestAlias_inBatchesOfTen_withReportBatchItemFailures() {
        EventSourceSpec spec = SkyloomResources.manifest().eventSources().getFirst();
        String queue = Templates.logicalId(platform, "AWS::SQS::Queue", "QueueName", SynthesizedApp.PREFIX + "events");
        String alias = platform.findResources("AWS::Lambda::Alias", Map.of("Properties", Map.of("FunctionName",
                Map.of("Ref", Templates.logicalId(platform, "AWS::Lambda::Function", "FunctionName",
                        SynthesizedApp.PREFIX + "ingest"))))).keySet().iterator().next();

        platform.resourceCountIs("AWS::Lambda::EventSourceMapping", SkyloomResources.manifest().eventSources().size());
        platform.hasResourceProperties("AWS::Lambda::EventSourceMapping", Map.of(
                "FunctionName", Map.of("Ref", alias),
                "EventSourceArn", Map.of("Fn::GetAtt", List.of(queue, "Arn")),
                "BatchSize", 10,
                "MaximumBatchingWindowInSeconds", 0,
                "ScalingConfig", Map.of("MaximumConcurrency", spec.maximumConcurrency()),
                "FunctionResponseTypes", List.of("ReportBatchItemFailures"),
                "Enabled", true));
        assertThat(spec.batchSize()).isEqualTo(10);
    }

    @Test
    void ingestRole_mayConsumeTheEventsQueue_andWriteTheEventsTable_only() {
        String queue = Templates.logicalId(platform, "AWS::SQS::Queue", "QueueName", SynthesizedApp.PREFIX + "events");
        platform.hasResourceProperties("AWS::IAM::Role", Match.objectLike(Map.of(
                "Description", Match.stringLikeRegexp(".*" + SynthesizedApp.PREFIX + "ingest:.*"),
                "Policies", Match.arrayWith(List.of(Match.objectLike(Map.of("PolicyDocument", Match.objectLike(Map.of(
                        "Statement", Match.arrayWith(List.of(Match.objectLike(Map.of(
                                "Action", List.of("sqs:ChangeMessageVisibility", "sqs:DeleteMessage",
                                        "sqs:GetQueueAttributes", "sqs:ReceiveMessage"),
                                "Resource", Map.of("Fn::GetAtt", List.of(queue, "Arn")))))))))))))));
    }
}
