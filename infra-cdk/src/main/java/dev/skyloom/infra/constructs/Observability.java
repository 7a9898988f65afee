package dev.skyloom.infra.constructs;

import dev.skyloom.manifest.Naming;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.apigateway.RestApi;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.CfnAlarm;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import software.amazon.awscdk.services.cloudwatch.Dashboard;
import software.amazon.awscdk.services.cloudwatch.GraphWidget;
import software.amazon.awscdk.services.cloudwatch.IMetric;
import software.amazon.awscdk.services.cloudwatch.IWidget;
import software.amazon.awscdk.services.cloudwatch.MathExpression;
import software.amazon.awscdk.services.cloudwatch.Metric;
import software.amazon.awscdk.services.cloudwatch.MetricOptions;
import software.amazon.awscdk.services.cloudwatch.TextWidget;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.amazon.awscdk.services.cloudwatch.actions.SnsAction;
import software.amazon.awscdk.services.iam.Effect;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.kms.Key;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.sns.Topic;
import software.amazon.awscdk.services.sns.subscriptions.EmailSubscription;
import software.amazon.awscdk.services.sqs.IQueue;
import software.amazon.awscdk.services.stepfunctions.IStateMachine;
import software.constructs.Construct;

/**
 * What an operator watches: a CloudWatch dashboard {@code skyloom-<stage>} (functions, dead-letter queues,
 * workflows, the API, Bedrock) and alarms on function errors and throttles, dead-letter depth, failed executions,
 * API 5XX and Bedrock throttling, all sent to an encrypted SNS topic (optionally e-mailed).
 *
 * <p>Bedrock publishes {@code InvocationThrottles} per {@code ModelId}; the alarm sums every model with a CloudWatch
 * Metrics Insights query, so a new model is covered without a redeploy.
 */
public final class Observability extends Construct {
    static final String BEDROCK_THROTTLES_QUERY =
            "SELECT SUM(InvocationThrottles) FROM SCHEMA(\"AWS/Bedrock\", ModelId)";
    private static final Duration PERIOD = Duration.minutes(5);

    private final Key key;
    private final Topic topic;
    private final Dashboard dashboard;
    private final Map<String, Alarm> alarms = new LinkedHashMap<>();
    private final CfnAlarm bedrockThrottles;

    public Observability(Construct scope, String id, ObservabilityProps props) {
        super(scope, id);
        Naming naming = props.naming();
        key = Keys.create(this, "AlarmsKey", "alias/" + naming.physical("alarms"),
                "Skyloom " + naming.prefix() + "* alarm notifications", RemovalPolicy.DESTROY);
        key.addToResourcePolicy(PolicyStatement.Builder.create().sid("CloudWatchAlarmsPublish")
                .effect(Effect.ALLOW).principals(List.of(new ServicePrincipal("cloudwatch.amazonaws.com")))
                .actions(List.of("kms:Decrypt", "kms:GenerateDataKey")).resources(List.of("*"))
                .conditions(Map.of("StringEquals", Map.of("aws:SourceAccount", Aws.ACCOUNT_ID)))
                .build());
        topic = Topic.Builder.create(this, "Alarms")
                .topicName(naming.physical("alarms"))
                .displayName("Skyloom " + naming.prefix() + "* alarms")
                .masterKey(key)
                .enforceSsl(true)
                .build();
        props.alarmEmail().ifPresent(email -> topic.addSubscription(new EmailSubscription(email)));
        Suppressions.suppress(topic, "Serverless-SNSRedrivePolicy",
                "Alarm notifications are informational copies: the alarm state and history stay in CloudWatch, so an "
                        + "undeliverable e-mail loses nothing that a dead-letter queue would keep.");
        SnsAction notify = new SnsAction(topic);

        List<IWidget> widgets = new ArrayList<>();
        widgets.add(TextWidget.Builder.create().markdown("# Skyloom " + naming.prefix() + "*\nFunctions, queues, "
                + "workflows, API and Bedrock. Alarms go to SNS topic `" + naming.physical("alarms") + "`.")
                .width(24).height(2).build());

        List<IMetric> errors = new ArrayList<>();
        List<IMetric> throttles = new ArrayList<>();
        List<IMetric> durations = new ArrayList<>();
        props.functions().forEach((name, function) -> {
            errors.add(function.metricErrors(sum(name)));
            throttles.add(function.metricThrottles(sum(name)));
            durations.add(function.metricDuration(MetricOptions.builder().period(PERIOD).statistic("p99")
                    .label(name + " p99").build()));
            alarm("FunctionErrors-" + name, naming.physical(name) + "-errors",
                    "Function " + naming.physical(name) + " failed (unhandled errors or timeouts)",
                    function.metricErrors(sum(null)), props.functionErrorThreshold(), notify);
            alarm("FunctionThrottles-" + name, naming.physical(name) + "-throttles",
                    "Function " + naming.physical(name) + " was throttled: reserved concurrency or the account limit "
                            + "is reached", function.metricThrottles(sum(null)), 1, notify);
        });
        widgets.add(graph("Function errors", errors));
        widgets.add(graph("Function throttles", throttles));
        widgets.add(graph("Function duration p99", durations));

        List<IMetric> depths = new ArrayList<>();
        props.deadLetterQueues().forEach((name, dlq) -> depths.add(dlq.metricApproximateNumberOfMessagesVisible(
                MetricOptions.builder().period(Duration.minutes(1)).statistic("Maximum").label(name + "-dlq").build())));
        props.deadLetterAlarms().forEach((name, alarm) -> {
            alarm.addAlarmAction(notify);
            alarms.put("DlqDepth-" + name, alarm);
        });
        widgets.add(graph("Dead-letter queue depth", depths));

        List<IMetric> started = new ArrayList<>();
        List<IMetric> failed = new ArrayList<>();
        props.stateMachines().forEach((name, machine) -> {
            started.add(machine.metricStarted(sum(name)));
            failed.add(machine.metricFailed(sum(name)));
            alarm("ExecutionsFailed-" + name, naming.physical(name) + "-failed-executions",
                    "Executions of " + naming.physical(name) + " failed", machine.metricFailed(sum(null)),
                    props.failedExecutionThreshold(), notify);
        });
        if (!started.isEmpty()) {
            widgets.add(graph("Executions started", started));
            widgets.add(graph("Executions failed", failed));
        }

        if (props.api() != null) {
            RestApi api = props.api();
            widgets.add(graph("API requests and errors", List.of(api.metricCount(sum("requests")),
                    api.metricClientError(sum("4XX")), api.metricServerError(sum("5XX")))));
            widgets.add(graph("API latency p99", List.of(api.metricLatency(MetricOptions.builder().period(PERIOD)
                    .statistic("p99").label("latency p99").build()))));
            alarm("Api5xx", naming.physical("api") + "-5xx", "The REST API answered 5XX",
                    api.metricServerError(sum(null)), props.api5xxThreshold(), notify);
        }

        widgets.add(graph("Bedrock invocations and throttles", List.of(
                search("InvocationThrottles", "throttles"), search("Invocations", "invocations"))));
        widgets.add(graph("Bedrock tokens", List.of(
                search("InputTokenCount", "input tokens"), search("OutputTokenCount", "output tokens"))));
        bedrockThrottles = CfnAlarm.Builder.create(this, "BedrockThrottles")
                .alarmName(naming.physical("bedrock-throttles"))
                .alarmDescription("Bedrock throttled model invocations of this account and region (all models): "
                        + "agents slow down and retry; raise the quota or lower reserved concurrency")
                .comparisonOperator("GreaterThanOrEqualToThreshold")
                .threshold(props.bedrockThrottleThreshold())
                .evaluationPeriods(1)
                .treatMissingData("notBreaching")
                .metrics(List.of(CfnAlarm.MetricDataQueryProperty.builder()
                        .id("throttles")
                        .expression(BEDROCK_THROTTLES_QUERY)
                        .period(300)
                        .returnData(true)
                        .build()))
                .alarmActions(List.of(topic.getTopicArn()))
                .build();

        dashboard = Dashboard.Builder.create(this, "Dashboard")
                .dashboardName(naming.physical("dashboard"))
                .widgets(rows(widgets))
                .build();
    }

    /** A 5-minute sum; alarms take it unlabelled, so CloudFormation gets a plain metric (not metric math). */
    private static MetricOptions sum(String label) {
        MetricOptions.Builder options = MetricOptions.builder().period(PERIOD).statistic("Sum");
        if (label != null) {
            options.label(label);
        }
        return options.build();
    }

    private static MathExpression search(String metric, String label) {
        return MathExpression.Builder.create()
                .expression("SUM(SEARCH('{AWS/Bedrock,ModelId} MetricName=\"" + metric + "\"', 'Sum', 300))")
                .label(label)
                .period(PERIOD)
                .build();
    }

    private static GraphWidget graph(String title, List<? extends IMetric> metrics) {
        return GraphWidget.Builder.create().title(title).left(List.copyOf(metrics)).width(12).height(6).build();
    }

    private static List<List<IWidget>> rows(List<IWidget> widgets) {
        List<List<IWidget>> rows = new ArrayList<>();
        rows.add(List.of(widgets.get(0)));
        for (int i = 1; i < widgets.size(); i += 2) {
            rows.add(List.copyOf(widgets.subList(i, Math.min(i + 2, widgets.size()))));
        }
        return rows;
    }

    private void alarm(String id, String name, String description, Metric metric, int threshold, SnsAction action) {
        Alarm alarm = Alarm.Builder.create(this, id)
                .alarmName(name)
                .alarmDescription(description)
                .metric(metric)
                .threshold(threshold)
                .comparisonOperator(ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD)
                .evaluationPeriods(1)
                .treatMissingData(TreatMissingData.NOT_BREACHING)
                .build();
        alarm.addAlarmAction(action);
        alarms.put(id, alarm);
    }

    public Topic topic() {
        return topic;
    }

    public Dashboard dashboard() {
        return dashboard;
    }

    /** Alarms by construct id ({@code FunctionErrors-api}, {@code DlqDepth-events}, ...). */
    public Map<String, Alarm> alarms() {
        return Collections.unmodifiableMap(alarms);
    }

    public CfnAlarm bedrockThrottles() {
        return bedrockThrottles;
    }

    /** Properties of {@link Observability}. */
    public record ObservabilityProps(Naming naming, Map<String, IFunction> functions,
                                     Map<String, IQueue> deadLetterQueues, Map<String, Alarm> deadLetterAlarms,
                                     Map<String, IStateMachine> stateMachines, RestApi api, String email,
                                     int functionErrorThreshold, int failedExecutionThreshold, int api5xxThreshold,
                                     int bedrockThrottleThreshold) {
        public ObservabilityProps {
            Objects.requireNonNull(naming, "naming");
            functions = Collections.unmodifiableMap(new LinkedHashMap<>(functions));
            deadLetterQueues = Collections.unmodifiableMap(new LinkedHashMap<>(deadLetterQueues));
            deadLetterAlarms = Collections.unmodifiableMap(new LinkedHashMap<>(deadLetterAlarms));
            stateMachines = Collections.unmodifiableMap(new LinkedHashMap<>(stateMachines));
            for (int threshold : new int[] {functionErrorThreshold, failedExecutionThreshold, api5xxThreshold,
                    bedrockThrottleThreshold}) {
                if (threshold < 1) {
                    throw new IllegalArgumentException("alarm thresholds must be at least 1, was " + threshold);
                }
            }
        }

        public java.util.Optional<String> alarmEmail() {
            return java.util.Optional.ofNullable(email);
        }

        public static Builder builder() {
            return new Builder();
        }

        /** Builds {@link ObservabilityProps}: alarms on the first error, failure and throttle; 5 API 5XX. */
        public static final class Builder {
            private Naming naming;
            private Map<String, IFunction> functions = Map.of();
            private Map<String, IQueue> deadLetterQueues = Map.of();
            private Map<String, Alarm> deadLetterAlarms = Map.of();
            private Map<String, IStateMachine> stateMachines = Map.of();
            private RestApi api;
            private String email;
            private int functionErrorThreshold = 1;
            private int failedExecutionThreshold = 1;
            private int api5xxThreshold = 5;
            private int bedrockThrottleThreshold = 1;

            public Builder naming(Naming naming) {
                this.naming = naming;
                return this;
            }

            public Builder functions(Map<String, ? extends IFunction> functions) {
                this.functions = new LinkedHashMap<>(functions);
                return this;
            }

            public Builder deadLetterQueues(Map<String, ? extends IQueue> queues) {
                this.deadLetterQueues = new LinkedHashMap<>(queues);
                return this;
            }

            public Builder deadLetterAlarms(Map<String, Alarm> alarms) {
                this.deadLetterAlarms = alarms;
                return this;
            }

            public Builder stateMachines(Map<String, ? extends IStateMachine> stateMachines) {
                this.stateMachines = new LinkedHashMap<>(stateMachines);
                return this;
            }

            public Builder api(RestApi api) {
                this.api = api;
                return this;
            }

            public Builder alarmEmail(String email) {
                this.email = email;
                return this;
            }

            public Builder functionErrorThreshold(int errors) {
                this.functionErrorThreshold = errors;
                return this;
            }

            public Builder failedExecutionThreshold(int executions) {
                this.failedExecutionThreshold = executions;
                return this;
            }

            public Builder api5xxThreshold(int responses) {
                this.api5xxThreshold = responses;
                return this;
            }

            public Builder bedrockThrottleThreshold(int throttles) {
                this.bedrockThrottleThreshold = throttles;
                return this;
            }

            public ObservabilityProps build() {
                return new ObservabilityProps(naming, functions, deadLetterQueues, deadLetterAlarms, stateMachines,
                        api, email, functionErrorThreshold, failedExecutionThreshold, api5xxThreshold,
                        bedrockThrottleThreshold);
            }
        }
    }
}
