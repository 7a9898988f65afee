package dev.skyloom.manifest;

/**
 * A standard SQS queue that always has a dead-letter queue.
 *
 * @param maxReceiveCount receives after which a message moves to {@link #deadLetterQueueName()}
 */
public record QueueSpec(String name, String description, int visibilityTimeoutSeconds,
                        int messageRetentionSeconds, int maxReceiveCount) {
    public QueueSpec {
        Names.requireLogical("queue", name);
        if (name.endsWith("-dlq")) {
            throw new IllegalArgumentException("queue " + name + ": the -dlq suffix is reserved for dead-letter queues");
        }
        Names.requireRange("visibilityTimeoutSeconds of queue " + name, visibilityTimeoutSeconds, 0, 43_200);
        Names.requireRange("messageRetentionSeconds of queue " + name, messageRetentionSeconds, 60, 1_209_600);
        Names.requireRange("maxReceiveCount of queue " + name, maxReceiveCount, 1, 1000);
    }

    /** The logical name of this queue's dead-letter queue. */
    public String deadLetterQueueName() {
        return name + "-dlq";
    }
}
