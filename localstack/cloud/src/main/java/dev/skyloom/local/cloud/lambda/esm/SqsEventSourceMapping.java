package dev.skyloom.local.cloud.lambda.esm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.local.cloud.lambda.InvocationResult;
import dev.skyloom.local.cloud.lambda.LambdaException;
import dev.skyloom.local.cloud.lambda.LocalLambda;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * One SQS event source mapping, as Lambda runs it: {@code pollers} threads each long-poll the queue for up to
 * {@code batchSize} messages (the queue's own visibility timeout hides a received batch), invoke the function
 * synchronously with {@code {"Records": [...]}}, and then
 * <ul>
 *   <li>on success delete the batch, except, with {@code reportBatchItemFailures}, the messages the function
 *       names in {@code batchItemFailures} (a response naming an unknown or empty id fails the whole batch, as on
 *       AWS);</li>
 *   <li>on a function error or a throttle delete nothing: the messages come back after the visibility timeout, and
 *       the queue's redrive policy moves one received too often to its dead-letter queue.</li>
 * </ul>
 */
public final class SqsEventSourceMapping implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SqsEventSourceMapping.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * The long poll of each receive. Short, because a receive cannot be called off: {@link #close()} waits for the
     * pollers' last receives, so that no message is handed to a poller that is gone (it would stay invisible for the
     * queue's visibility timeout). A message arriving during a receive is answered at once, whatever the wait.
     */
    static final int WAIT_SECONDS = 2;

    /**
     * @param name     a stable name for logs, e.g. {@code events-to-ingest}
     * @param pollers  concurrent batches in flight (Lambda scales its pollers; locally a fixed number)
     */
    public record Config(String name, String uuid, String queueUrl, String queueArn, String functionName,
                         int batchSize, int pollers, boolean reportBatchItemFailures, String region) {
        public Config {
            Objects.requireNonNull(queueUrl, "queueUrl");
            Objects.requireNonNull(functionName, "functionName");
            if (batchSize < 1 || batchSize > 10) {
                throw new IllegalArgumentException("batchSize must be 1..10, was " + batchSize);
            }
            if (pollers < 1) {
                throw new IllegalArgumentException("pollers must be at least 1, was " + pollers);
            }
        }
    }

    private final Config config;
    private final SqsClient sqs;
    private final LocalLambda lambda;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong invocations = new AtomicLong();
    private final AtomicLong deleted = new AtomicLong();
    private volatile boolean running = true;

    public SqsEventSourceMapping(Config config, SqsClient sqs, LocalLambda lambda) {
        this.config = config;
        this.sqs = sqs;
        this.lambda = lambda;
    }

    public Config config() {
        return config;
    }

    /** Batches handed to the function so far. */
    public long invocations() {
        return invocations.get();
    }

    /** Messages deleted after the function processed them. */
    public long deleted() {
        return deleted.get();
    }

    public SqsEventSourceMapping start() {
        for (int i = 0; i < config.pollers(); i++) {
            threads.add(Thread.ofPlatform().daemon().name("esm-" + config.name() + "-" + i).start(this::poll));
        }
        LOG.info("event source mapping started name={} function={} batchSize={} pollers={}", config.name(),
                config.functionName(), config.batchSize(), config.pollers());
        return this;
    }

    private void poll() {
        while (running) {
            List<Message> batch;
            try {
                batch = sqs.receiveMessage(b -> b.queueUrl(config.queueUrl()).maxNumberOfMessages(config.batchSize())
                        .waitTimeSeconds(WAIT_SECONDS)
                        .messageSystemAttributeNames(MessageSystemAttributeName.ALL)).messages();
            } catch (RuntimeException e) {
                if (running) {
                    LOG.warn("event source mapping poll failed name={} reason={}", config.name(), e.toString());
                    LockSupport.parkNanos(1_000_000_000L);
                }
                continue;
            }
            if (!batch.isEmpty() && !running) {
                release(batch);
            } else if (!batch.isEmpty()) {
                try {
                    deliver(batch);
                } catch (RuntimeException e) {
                    LOG.warn("event source mapping delivery failed; the batch will be received again name={} "
                            + "reason={}", config.name(), e.toString());
                }
            }
        }
    }

    /**
     * Gives back a batch received while stopping (a long poll that was waiting when the mapping closed): visible again
     * at once, instead of after the visibility timeout.
     */
    private void release(List<Message> batch) {
        try {
            List<ChangeMessageVisibilityBatchRequestEntry> entries = new ArrayList<>();
            for (Message message : batch) {
                entries.add(ChangeMessageVisibilityBatchRequestEntry.builder().id(Integer.toString(entries.size()))
                        .receiptHandle(message.receiptHandle()).visibilityTimeout(0).build());
            }
            sqs.changeMessageVisibilityBatch(b -> b.queueUrl(config.queueUrl()).entries(entries));
        } catch (RuntimeException e) {
            LOG.debug("event source mapping could not give back a batch while stopping; it returns after the "
                    + "visibility timeout name={} reason={}", config.name(), e.toString());
        }
    }

    private void deliver(List<Message> batch) {
        byte[] payload;
        try {
            payload = JSON.writeValueAsBytes(event(batch));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        InvocationResult result;
        try {
            invocations.incrementAndGet();
            result = lambda.invoke(config.functionName(), payload, false);
        } catch (LambdaException e) {
            LOG.warn("event source mapping could not invoke; the batch returns after the visibility timeout "
                    + "name={} status={} reason={}", config.name(), e.status(), e.getMessage());
            LockSupport.parkNanos(e.status() == 429 ? 200_000_000L : 1_000_000_000L);
            return;
        }
        if (result.failed()) {
            LOG.warn("event source mapping: function failed, the batch returns after the visibility timeout "
                    + "name={} messages={} error={}", config.name(), batch.size(),
                    new String(result.payload(), StandardCharsets.UTF_8));
            return;
        }
        Set<String> retry = config.reportBatchItemFailures() ? failures(result.payload(), batch)
                .orElseGet(() -> {
                    LOG.warn("event source mapping: invalid partial batch response, the whole batch is retried name={}",
                            config.name());
                    return ids(batch);
                }) : Set.of();
        List<DeleteMessageBatchRequestEntry> done = new ArrayList<>();
        for (Message message : batch) {
            if (!retry.contains(message.messageId())) {
                done.add(DeleteMessageBatchRequestEntry.builder().id(Integer.toString(done.size()))
                        .receiptHandle(message.receiptHandle()).build());
            }
        }
        if (!done.isEmpty()) {
            var response = sqs.deleteMessageBatch(b -> b.queueUrl(config.queueUrl()).entries(done));
            deleted.addAndGet(response.successful().size());
            response.failed().forEach(f -> LOG.warn("event source mapping could not delete a message; it will be "
                    + "delivered again name={} code={} reason={}", config.name(), f.code(), f.message()));
        }
        if (!retry.isEmpty()) {
            LOG.info("event source mapping: partial batch failure name={} retried={} deleted={}", config.name(),
                    retry.size(), done.size());
        }
    }

    /**
     * The message ids a partial batch response names; empty when the response is invalid (then, as on AWS, the
     * whole batch counts as failed). A response without {@code batchItemFailures} means every message succeeded.
     */
    static Optional<Set<String>> failures(byte[] response, List<Message> batch) {
        JsonNode json;
        try {
            json = response.length == 0 ? null : JSON.readTree(response);
        } catch (IOException e) {
            return Optional.of(Set.of()); // not JSON: Lambda treats it as success (no failures reported)
        }
        if (json == null || !json.isObject() || json.path("batchItemFailures").isMissingNode()
                || json.path("batchItemFailures").isNull()) {
            return Optional.of(Set.of());
        }
        if (!json.path("batchItemFailures").isArray()) {
            return Optional.empty();
        }
        Set<String> known = ids(batch);
        Set<String> failed = new HashSet<>();
        for (JsonNode failure : json.path("batchItemFailures")) {
            String id = failure.path("itemIdentifier").asText("");
            if (id.isEmpty() || !known.contains(id)) {
                return Optional.empty();
            }
            failed.add(id);
        }
        return Optional.of(failed);
    }

    private static Set<String> ids(List<Message> batch) {
        Set<String> ids = new HashSet<>();
        batch.forEach(m -> ids.add(m.messageId()));
        return ids;
    }

    private ObjectNode event(List<Message> batch) {
        ObjectNode event = JSON.createObjectNode();
        ArrayNode records = event.putArray("Records");
        for (Message message : batch) {
            ObjectNode record = records.addObject();
            record.put("messageId", message.messageId());
            record.put("receiptHandle", message.receiptHandle());
            record.put("body", message.body());
            ObjectNode attributes = record.putObject("attributes");
            for (Map.Entry<String, String> attribute : message.attributesAsStrings().entrySet()) {
                attributes.put(attribute.getKey(), attribute.getValue());
            }
            ObjectNode messageAttributes = record.putObject("messageAttributes");
            message.messageAttributes().forEach((key, value) -> {
                ObjectNode attribute = messageAttributes.putObject(key);
                attribute.put("stringValue", value.stringValue());
                attribute.put("dataType", value.dataType());
                attribute.putArray("stringListValues");
                attribute.putArray("binaryListValues");
            });
            record.put("md5OfBody", message.md5OfBody());
            record.put("eventSource", "aws:sqs");
            record.put("eventSourceARN", config.queueArn());
            record.put("awsRegion", config.region());
        }
        return event;
    }

    @Override
    public void close() {
        running = false;
        for (Thread thread : threads) {
            try {
                // a poller in a receive finishes it (and gives back what it got); one in an invocation finishes that
                thread.join(java.time.Duration.ofSeconds(WAIT_SECONDS + 3));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        LOG.info("event source mapping stopped name={} invocations={} deleted={}", config.name(), invocations.get(),
                deleted.get());
    }
}
