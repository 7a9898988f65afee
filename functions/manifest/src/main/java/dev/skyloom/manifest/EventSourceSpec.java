package dev.skyloom.manifest;

/**
 * An SQS queue that feeds a function (a Lambda event source mapping): the function is invoked with batches of the
 * queue's messages; with {@code reportBatchItemFailures} it answers {@code {"batchItemFailures": [{"itemIdentifier":
 * "<messageId>"}]}} and only those messages are retried (the others are deleted). Messages that keep failing move to
 * the queue's dead-letter queue after its {@link QueueSpec#maxReceiveCount()}.
 *
 * @param batchSize                   messages per invocation, 1..10
 * @param maximumBatchingWindowSeconds how long to gather a batch before invoking, 0..300 (0: invoke at once)
 * @param maximumConcurrency          concurrent invocations the mapping may drive, 2..1000 (Lambda's
 *                                    {@code ScalingConfig}); it caps contention on the function's writes
 */
public record EventSourceSpec(String function, String queue, int batchSize, int maximumBatchingWindowSeconds,
                              int maximumConcurrency, boolean reportBatchItemFailures) {
    public EventSourceSpec {
        Names.requireLogical("event source function", function);
        Names.requireLogical("event source queue", queue);
        String what = "event source " + queue + " -> " + function;
        Names.requireRange("batchSize of " + what, batchSize, 1, 10);
        Names.requireRange("maximumBatchingWindowSeconds of " + what, maximumBatchingWindowSeconds, 0, 300);
        Names.requireRange("maximumConcurrency of " + what, maximumConcurrency, 2, 1000);
    }

    /** A stable name of this mapping: {@code <queue>-to-<function>}. */
    public String name() {
        return queue + "-to-" + function;
    }
}
