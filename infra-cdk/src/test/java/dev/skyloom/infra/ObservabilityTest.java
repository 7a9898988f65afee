package dev.skyloom.infra;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyloom.manifest.FunctionSpec;
import dev.skyloom.manifest.SkyloomResources;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Capture;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** The Observability construct: dashboard, alarms and the encrypted alarm topic. */
class ObservabilityTest {
    private final Template platform = SynthesizedApp.get().platform;

    @Test
    void everyFunction_hasAnErrorAndAThrottleAlarm() {
        for (FunctionSpec spec : SkyloomResources.manifest().functions()) {
            String function = Templates.logicalId(platform, "AWS::Lambda::Function", "FunctionName",
                    SynthesizedApp.PREFIX + spec.name());
            for (String metric : List.of("Errors", "Throttles")) {
                platform.hasResourceProperties("AWS::CloudWatch::Alarm", Match.objectLike(Map.of(
                        "AlarmName", SynthesizedApp.PREFIX + spec.name() + "-" + metric.toLowerCase(),
                        "Namespace", "AWS/Lambda", "MetricName", metric, "Statistic", "Sum", "Period", 300,
                        "Dimensions", List.of(Map.of("Name", "FunctionName", "Value", Map.of("Ref", function))),
                        "Threshold", 1)));
            }
        }
    }

    @Test
    void everyStateMachine_hasAFailedExecutionsAlarm() {
        for (String name : List.of("agent-step", "pulse", "swarm")) {
            platform.hasResourceProperties("AWS::CloudWatch::Alarm", Match.objectLike(Map.of(
                    "AlarmName", SynthesizedApp.PREFIX + name + "-failed-executions",
                    "Namespace", "AWS/States", "MetricName", "ExecutionsFailed")));
        }
    }

    @Test
    void bedrockThrottling_isAlarmedAcrossEveryModel_withAMetricsInsightsQuery() {
        Capture metrics = new Capture();
        platform.hasResourceProperties("AWS::CloudWatch::Alarm", Match.objectLike(Map.of(
                "AlarmName", SynthesizedApp.PREFIX + "bedrock-throttles", "Metrics", metrics, "Threshold", 1)));
        assertThat(metrics.asArray()).containsExactly(Map.of("Id", "throttles", "Period", 300, "ReturnData", true,
                "Expression", "SELECT SUM(InvocationThrottles) FROM SCHEMA(\"AWS/Bedrock\", ModelId)"));
    }

    @Test
    void everyAlarm_notifiesTheKmsEncryptedTopic_whichEmailsTheOperator() {
        String topic = Templates.logicalId(platform, "AWS::SNS::Topic", "TopicName", SynthesizedApp.PREFIX + "alarms");
        platform.allResourcesProperties("AWS::CloudWatch::Alarm", Match.objectLike(Map.of(
                "AlarmActions", List.of(Map.of("Ref", topic)))));
        platform.hasResourceProperties("AWS::SNS::Topic", Match.objectLike(Map.of(
                "TopicName", SynthesizedApp.PREFIX + "alarms", "KmsMasterKeyId", Match.anyValue())));
        platform.hasResourceProperties("AWS::SNS::Subscription", Map.of("Protocol", "email",
                "Endpoint", "ops@example.com", "TopicArn", Map.of("Ref", topic)));
        platform.hasResourceProperties("AWS::KMS::Key", Match.objectLike(Map.of("KeyPolicy", Match.objectLike(Map.of(
                "Statement", Match.arrayWith(List.of(Match.objectLike(Map.of(
                        "Sid", "CloudWatchAlarmsPublish",
                        "Principal", Map.of("Service", "cloudwatch.amazonaws.com"))))))))));
    }

    @Test
    void dashboard_showsFunctionsQueuesWorkflowsApiAndBedrock() {
        Capture body = new Capture();
        platform.hasResourceProperties("AWS::CloudWatch::Dashboard", Match.objectLike(Map.of(
                "DashboardName", SynthesizedApp.PREFIX + "dashboard", "DashboardBody", body)));
        String rendered = Templates.render(body.asObject(), SynthesizedApp.get().data);
        assertThat(rendered).contains("Function errors", "Function throttles", "Dead-letter queue depth",
                "Executions failed", "API requests and errors", "Bedrock invocations and throttles",
                "InvocationThrottles", "AWS/Bedrock");
    }
}
