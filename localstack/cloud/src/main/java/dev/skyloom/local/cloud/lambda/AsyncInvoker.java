package dev.skyloom.local.cloud.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;

/**
 * Durable asynchronous invocations (InvocationType {@code Event}). As on AWS, an accepted event is queued — here
 * in an internal SQS queue of the local cloud, so it survives a crash — and invoked at least once; a function error
 * is retried twice with a backoff, then the event goes to the internal dead-letter queue.
 */
public final class AsyncInvoker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AsyncInvoker.class);
    /** Lambda retries a failed asynchronous invocation twice. */
    static final int MAX_ATTEMPTS = 3;

    private final LocalLambda lambda;
    private final SqsClient sqs;
    private final String queueUrl;
    private final String deadLetterUrl;
    private final int retryDelaySeconds;
    private final ObjectMapper json = new ObjectMapper();
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    private volatile boolean running = true;
    private Thread poller;

    /**
     * @param retryDelaySeconds delay before the first retry, doubled for the second (AWS waits about 1 and 2 minutes;
     *                          locally the default is shorter so a developer sees retries happen)
     */
    public AsyncInvoker(LocalLambda lambda, SqsClient sqs, String queueName, int retryDelaySeconds) {
        this.lambda = lambda;
        this.sqs = sqs;
        this.retryDelaySeconds = retryDelaySeconds;
        this.deadLetterUrl = sqs.createQueue(b -> b.queueName(queueName + "-dlq")).queueUrl();
        this.queueUrl = sqs.createQueue(b -> b.queueName(queueName)
                .attributes(Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, "60"))).queueUrl();
    }

    public void start() {
        poller = Thread.ofPlatform().daemon().name("lambda-async-poller").start(this::poll);
    }

    String enqueue(String functionName, byte[] payload) {
        String requestId = UUID.randomUUID().toString();
        String body = json.createObjectNode().put("function", functionName).put("requestId", requestId)
                .put("payload", Base64.getEncoder().encodeToString(payload)).toString();
        sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(body));
        return requestId;
    }

    private void poll() {
        while (running) {
            try {
                ReceiveMessageResponse response = sqs.receiveMessage(b -> b.queueUrl(queueUrl).waitTimeSeconds(5)
                        .maxNumberOfMessages(10)
                        .messageSystemAttributeNames(List.of(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT)));
                response.messages().forEach(message -> workers.submit(() -> {
                    int attempt = Integer.parseInt(message.attributes()
                            .getOrDefault(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT, "1"));
                    handle(message.receiptHandle(), message.body(), attempt);
                }));
            } catch (RuntimeException e) {
                if (running) {
                    LOG.warn("lambda async poll failed reason={}", e.toString());
                    LockSupport.parkNanos(1_000_000_000L); // back off before polling a failing queue again
                }
            }
        }
    }

    private void handle(String receiptHandle, String body, int attempt) {
        try {
            JsonNode event = json.readTree(body);
            String function = event.path("function").asText();
            if (lambda.find(function).isEmpty()) {
                LOG.warn("lambda async event dropped: function deleted function={} requestId={}", function,
                        event.path("requestId").asText());
                sqs.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(receiptHandle));
                return;
            }
            int timeout = lambda.find(function).get().timeout();
            sqs.changeMessageVisibility(b -> b.queueUrl(queueUrl).receiptHandle(receiptHandle)
                    .visibilityTimeout(Math.min(43_200, timeout + 30)));
            byte[] payload = Base64.getDecoder().decode(event.path("payload").asText());
            InvocationResult result;
            try {
                result = lambda.invoke(function, payload, false);
            } catch (LambdaException e) {
                if (e.status() == 429) {
                    // throttled: try again soon, as Lambda does for up to six hours
                    sqs.changeMessageVisibility(b -> b.queueUrl(queueUrl).receiptHandle(receiptHandle)
                            .visibilityTimeout(1));
                    return;
                }
                throw e;
            }
            if (!result.failed()) {
                sqs.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(receiptHandle));
                return;
            }
            if (attempt >= MAX_ATTEMPTS) {
                LOG.warn("lambda async event failed {} times, sent to dead-letter queue function={} requestId={}",
                        attempt, function, event.path("requestId").asText());
                sqs.sendMessage(b -> b.queueUrl(deadLetterUrl).messageBody(body));
                sqs.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(receiptHandle));
            } else {
                int delay = retryDelaySeconds * (1 << (attempt - 1));
                sqs.changeMessageVisibility(b -> b.queueUrl(queueUrl).receiptHandle(receiptHandle)
                        .visibilityTimeout(delay));
            }
        } catch (Exception e) {
            LOG.warn("lambda async event handling failed; it will be retried reason={}", e.toString());
        }
    }

    @Override
    public void close() {
        running = false;
        if (poller != null) {
            poller.interrupt();
        }
        workers.shutdownNow();
    }
}
