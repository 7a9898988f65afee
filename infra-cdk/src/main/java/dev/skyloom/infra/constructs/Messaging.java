package dev.skyloom.infra.constructs;

import dev.skyloom.manifest.EventBusSpec;
import dev.skyloom.manifest.Naming;
import dev.skyloom.manifest.QueueSpec;
import dev.skyloom.manifest.ResourceManifest;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import software.amazon.awscdk.services.cloudwatch.MetricOptions;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.amazon.awscdk.services.events.Archive;
import software.amazon.awscdk.services.events.BaseArchiveProps;
import software.amazon.awscdk.services.events.EventBus;
import software.amazon.awscdk.services.events.EventPattern;
import software.amazon.awscdk.services.sqs.DeadLetterQueue;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.sqs.QueueEncryption;
import software.constructs.Construct;

/**
 * The platform's messaging: the manifest's EventBridge bus {@code skyloom-<stage>-bus} with an archive of every event it
 * carries (replayable), and every {@link QueueSpec} as an encrypted, TLS-only SQS queue with its dead-letter queue
 * ({@code <name>-dlq}, redrive after {@link QueueSpec#maxReceiveCount()} receives) and an alarm on the depth of
 * that dead-letter queue.
 */
public final class Messaging extends Construct {
    /** Dead-letter queues keep a message for the SQS maximum, 14 days, as the local cloud does. */
    static final Duration DLQ_RETENTION = Duration.days(14);

    private final EventBusSpec busSpec;
    private final EventBus bus;
    private final Archive archive;
    private final Map<String, Queue> queues = new LinkedHashMap<>();
    private final Map<String, Queue> deadLetterQueues = new LinkedHashMap<>();
    private final Map<String, Alarm> deadLetterAlarms = new LinkedHashMap<>();

    public Messaging(Construct scope, String id, MessagingProps props) {
        super(scope, id);
        Naming naming = props.naming();
        if (props.manifest().eventBuses().size() != 1) {
            throw new IllegalArgumentException("the manifest must declare the platform's event bus; it declares "
                    + props.manifest().eventBuses().size() + " event buses");
        }
        busSpec = props.manifest().eventBuses().get(0);
        bus = EventBus.Builder.create(this, "Bus")
                .eventBusName(naming.physical(busSpec.name()))
                .description(busSpec.description())
                .build();
        archive = bus.archive("Archive", BaseArchiveProps.builder()
                .archiveName(naming.physical(busSpec.name() + "-archive"))
                .description("Every event of " + naming.physical(busSpec.name()) + ", for replay")
                .eventPattern(EventPattern.builder().account(List.of(Aws.ACCOUNT_ID)).build())
                .retention(Duration.days(props.archiveRetentionDays()))
                .build());

        for (QueueSpec spec : props.manifest().queues()) {
            Queue dlq = Queue.Builder.create(this, "Dlq-" + spec.name())
                    .queueName(naming.physical(spec.deadLetterQueueName()))
                    .encryption(QueueEncryption.SQS_MANAGED)
                    .enforceSsl(true)
                    .retentionPeriod(DLQ_RETENTION)
                    .build();
            Queue queue = Queue.Builder.create(this, "Queue-" + spec.name())
                    .queueName(naming.physical(spec.name()))
                    .encryption(QueueEncryption.SQS_MANAGED)
                    .enforceSsl(true)
                    .visibilityTimeout(Duration.seconds(spec.visibilityTimeoutSeconds()))
                    .retentionPeriod(Duration.seconds(spec.messageRetentionSeconds()))
                    .deadLetterQueue(DeadLetterQueue.builder().queue(dlq).maxReceiveCount(spec.maxReceiveCount()).build())
                    .build();
            Alarm alarm = Alarm.Builder.create(this, "DlqDepth-" + spec.name())
                    .alarmName(naming.physical(spec.deadLetterQueueName()) + "-depth")
                    .alarmDescription("Messages of " + naming.physical(spec.name()) + " failed "
                            + spec.maxReceiveCount() + " times and wait in its dead-letter queue: inspect and redrive")
                    .metric(dlq.metricApproximateNumberOfMessagesVisible(MetricOptions.builder()
                            .period(Duration.minutes(1)).statistic("Maximum").build()))
                    .threshold(props.deadLetterAlarmThreshold())
                    .comparisonOperator(ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD)
                    .evaluationPeriods(1)
                    .treatMissingData(TreatMissingData.NOT_BREACHING)
                    .build();
            Suppressions.suppress(dlq, "Serverless-SQSRedrivePolicy",
                    "This is the dead-letter queue of " + naming.physical(spec.name()) + ": its messages are inspected "
                            + "and redriven to the source queue, not passed on to a further queue.");
            queues.put(spec.name(), queue);
            deadLetterQueues.put(spec.name(), dlq);
            deadLetterAlarms.put(spec.name(), alarm);
        }
    }

    public EventBus bus() {
        return bus;
    }

    /** The platform's bus by its logical name. */
    public Map<String, EventBus> eventBuses() {
        return Map.of(busSpec.name(), bus);
    }

    public Archive archive() {
        return archive;
    }

    /** Queues by logical name. */
    public Map<String, Queue> queues() {
        return Collections.unmodifiableMap(queues);
    }

    /** Dead-letter queues by the logical name of the queue they serve. */
    public Map<String, Queue> deadLetterQueues() {
        return Collections.unmodifiableMap(deadLetterQueues);
    }

    /** Dead-letter depth alarms by the logical name of the queue they watch. */
    public Map<String, Alarm> deadLetterAlarms() {
        return Collections.unmodifiableMap(deadLetterAlarms);
    }

    /** Properties of {@link Messaging}. */
    public record MessagingProps(ResourceManifest manifest, Naming naming, int archiveRetentionDays,
                                 int deadLetterAlarmThreshold) {
        public MessagingProps {
            Objects.requireNonNull(manifest, "manifest");
            Objects.requireNonNull(naming, "naming");
            if (archiveRetentionDays < 1) {
                throw new IllegalArgumentException("archiveRetentionDays must be at least 1, was " + archiveRetentionDays);
            }
            if (deadLetterAlarmThreshold < 1) {
                throw new IllegalArgumentException("deadLetterAlarmThreshold must be at least 1, was "
                        + deadLetterAlarmThreshold);
            }
        }

        public static Builder builder() {
            return new Builder();
        }

        /** Builds {@link MessagingProps}: a 30-day archive and an alarm on the first dead letter by default. */
        public static final class Builder {
            private ResourceManifest manifest;
            private Naming naming;
            private int archiveRetentionDays = 30;
            private int deadLetterAlarmThreshold = 1;

            public Builder manifest(ResourceManifest manifest) {
                this.manifest = manifest;
                return this;
            }

            public Builder naming(Naming naming) {
                this.naming = naming;
                return this;
            }

            public Builder archiveRetentionDays(int days) {
                this.archiveRetentionDays = days;
                return this;
            }

            public Builder deadLetterAlarmThreshold(int messages) {
                this.deadLetterAlarmThreshold = messages;
                return this;
            }

            public MessagingProps build() {
                return new MessagingProps(manifest, naming, archiveRetentionDays, deadLetterAlarmThreshold);
            }
        }
    }
}
