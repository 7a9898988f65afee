package dev.skyloom.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyloom.local.cloud.LocalCloud;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Events queued while no mapping polls (a stopped local cloud) are ingested after the restart. Its own class: one
 * cloud at a time in the JVM, because ElasticMQ's SQL persistence is a JVM-wide singleton (scalikejdbc's default
 * connection pool), so two persistent clouds at once in one JVM would share one message store.
 */
class EventsRestartIT {
    @TempDir
    Path dataDir;

    @Test
    void eventsQueuedWhileTheMappingIsDown_areIngestedAfterARestart() throws Exception {
        String[] carol = new String[1];
        try (LocalCloud first = PlatformIT.start(dataDir)) {
            ApiClient firstApi = new ApiClient(first.apiEndpoint().orElseThrow());
            String admin = Files.readString(dataDir.resolve("admin.key")).trim();
            carol[0] = firstApi.newTenant(admin, "carol");
            // as if the cloud died before polling: the events wait in the (durable) queue
            first.eventSourceMappings().orElseThrow().close();
            try (EventBridgeClient bus = EventBridgeClient.builder().endpointOverride(first.edgeEndpoint())
                    .region(Region.US_EAST_1).credentialsProvider(StaticCredentialsProvider.create(
                            AwsBasicCredentials.create("test", "test"))).build()) {
                for (int i = 1; i <= 5; i++) {
                    var response = bus.putEvents(b -> b.entries(EventsIT.entry("carol", "run-restart", "STEP_OUTPUT",
                            "evt_restart_" + System.nanoTime())));
                    assertThat(response.failedEntryCount()).isZero();
                }
            }
            try (SqsClient queues = SqsClient.builder().endpointOverride(first.edgeEndpoint())
                    .region(Region.US_EAST_1).credentialsProvider(StaticCredentialsProvider.create(
                            AwsBasicCredentials.create("test", "test"))).build()) {
                String url = first.provisioned().orElseThrow().queueUrls().get("events");
                assertThat(queues.getQueueAttributes(b -> b.queueUrl(url).attributeNames(
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).attributes()
                        .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                        .as("events waiting in the queue of the stopped mapping").isEqualTo("5");
            }
        }
        try (LocalCloud second = PlatformIT.start(dataDir)) {
            ApiClient secondApi = new ApiClient(second.apiEndpoint().orElseThrow());
            try (SqsClient queues = SqsClient.builder().endpointOverride(second.edgeEndpoint())
                    .region(Region.US_EAST_1).credentialsProvider(StaticCredentialsProvider.create(
                            AwsBasicCredentials.create("test", "test"))).build()) {
                String url = second.provisioned().orElseThrow().queueUrls().get("events");
                try {
                    EventsIT.await("the 5 queued events after the restart", Duration.ofSeconds(30), () -> secondApi.get(
                            "/api/v1/runs/run-restart/events", carol[0]).json().path("items").size() == 5);
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + "; API: " + secondApi.get(
                            "/api/v1/runs/run-restart/events", carol[0]) + "; queue: " + queues.getQueueAttributes(
                            b -> b.queueUrl(url).attributeNames(QueueAttributeName.ALL)).attributes(), e);
                }
            }
        }
    }

}
