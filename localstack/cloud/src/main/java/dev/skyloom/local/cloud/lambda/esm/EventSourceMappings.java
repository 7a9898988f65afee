package dev.skyloom.local.cloud.lambda.esm;

import dev.skyloom.local.cloud.lambda.LocalLambda;
import dev.skyloom.manifest.EventSourceSpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The local cloud's event source mappings: one {@link SqsEventSourceMapping} per {@link EventSourceSpec} of the
 * manifest, created at every start (a mapping's UUID is derived from its name, so it is the same after a restart).
 */
public final class EventSourceMappings implements AutoCloseable {
    /**
     * Pollers per mapping locally: one, so that a sequential emitter's events are handled in the order they were sent
     * (ElasticMQ hands out a standard queue's messages in order). Lambda runs up to the mapping's maximum concurrency
     * of batches at once and may reorder events emitted milliseconds apart (docs/decisions/0600); concurrent appends to
     * one stream are proven safe by the store's own tests, not by this poller count.
     */
    static final int MAX_LOCAL_POLLERS = 1;

    private final List<SqsEventSourceMapping> mappings = new ArrayList<>();

    /**
     * @param queueUrls     logical queue name to URL (as provisioned)
     * @param functionNames logical function name to physical name (as provisioned)
     */
    public static EventSourceMappings start(List<EventSourceSpec> specs, Map<String, String> queueUrls,
                                            Map<String, String> functionNames, SqsClient sqs, LocalLambda lambda) {
        EventSourceMappings started = new EventSourceMappings();
        try {
            for (EventSourceSpec spec : specs) {
                String url = queueUrls.get(spec.queue());
                String arn = sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNames(QueueAttributeName.QUEUE_ARN))
                        .attributes().get(QueueAttributeName.QUEUE_ARN);
                SqsEventSourceMapping.Config config = new SqsEventSourceMapping.Config(spec.name(),
                        UUID.nameUUIDFromBytes(spec.name().getBytes(StandardCharsets.UTF_8)).toString(), url, arn,
                        functionNames.get(spec.function()), spec.batchSize(),
                        Math.min(MAX_LOCAL_POLLERS, spec.maximumConcurrency()), spec.reportBatchItemFailures(),
                        lambda.region());
                started.mappings.add(new SqsEventSourceMapping(config, sqs, lambda).start());
            }
        } catch (RuntimeException e) {
            started.close();
            throw e;
        }
        return started;
    }

    public List<SqsEventSourceMapping> mappings() {
        return Collections.unmodifiableList(mappings);
    }

    @Override
    public void close() {
        mappings.forEach(SqsEventSourceMapping::close);
    }
}
