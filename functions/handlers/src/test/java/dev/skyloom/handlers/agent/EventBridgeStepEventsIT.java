package dev.skyloom.handlers.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skyloom.aws.runtime.EventBridgeStepEvents;
import dev.skyloom.core.agent.StepEvents;
import dev.skyloom.local.cloud.LocalCloud;
import dev.skyloom.local.cloud.LocalCloudConfig;
import dev.skyloom.local.cloud.edge.EdgeTimings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * {@link EventBridgeStepEvents#emitAll} with the real SDK client on the local EventBridge: a turn's queued events go
 * in as few PutEvents as EventBridge allows (10 entries each), and every one reaches the bus's targets.
 */
class EventBridgeStepEventsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final StaticCredentialsProvider CREDENTIALS = StaticCredentialsProvider.create(
            AwsBasicCredentials.create("test", "test"));
    @TempDir
    static Path dataDir;
    static LocalCloud cloud;
    static EventBridgeClient events;
    static SqsClient sqs;

    @BeforeAll
    static void start() throws Exception {
        cloud = new LocalCloud(LocalCloudConfig.ephemeral(dataDir, null)).start();
        events = EventBridgeClient.builder().endpointOverride(cloud.edgeEndpoint()).region(Region.US_EAST_1)
                .credentialsProvider(CREDENTIALS).build();
        sqs = SqsClient.builder().endpointOverride(cloud.edgeEndpoint()).region(Region.US_EAST_1)
                .credentialsProvider(CREDENTIALS).build();
    }

    @AfterAll
    static void stop() {
        cloud.close();
    }

    @Test
    void emitAll_of23Events_putsThemInThreeRequests_andEveryOneIsDelivered() throws Exception {
        String name = "turn-events-" + UUID.randomUUID().toString().substring(0, 8); // ElasticMQ is JVM-wide
        events.createEventBus(b -> b.name(name));
        String queue = sqs.createQueue(b -> b.queueName(name)).queueUrl();
        events.putRule(b -> b.name("all").eventBusName(name).eventPattern("{\"source\":[\"skyloom.agent\"]}"));
        events.putTargets(b -> b.rule("all").eventBusName(name).targets(t -> t.id("q")
                .arn("arn:aws:sqs:us-east-1:000000000000:" + name)));
        List<StepEvents.Event> turn = new ArrayList<>();
        for (int i = 0; i < 23; i++) {
            turn.add(new StepEvents.Event("TOOL_CALL_END", "evt_" + i, JSON.createObjectNode().put("i", i)));
        }

        EdgeTimings.Snapshot before = cloud.edgeTimings().snapshot();
        new EventBridgeStepEvents(events, name).emitAll(turn);

        // the edge counts a request once its answer is written, which may be just after the client has it
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        long puts = 0;
        while (puts < 3 && System.nanoTime() < deadline) {
            puts = cloud.edgeTimings().snapshot().minus(before).total("events PutEvents").count();
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
        assertThat(puts).as("PutEvents requests for 23 events").isEqualTo(3);
        TreeSet<Integer> received = new TreeSet<>();
        while (received.size() < 23 && System.nanoTime() < deadline) {
            for (var message : sqs.receiveMessage(b -> b.queueUrl(queue).maxNumberOfMessages(10).waitTimeSeconds(1))
                    .messages()) {
                JsonNode event = JSON.readTree(message.body());
                assertThat(event.path("detail-type").asText()).isEqualTo("TOOL_CALL_END");
                received.add(event.path("detail").path("i").asInt());
                sqs.deleteMessage(b -> b.queueUrl(queue).receiptHandle(message.receiptHandle()));
            }
        }
        assertThat(received).hasSize(23).first().isEqualTo(0);
        assertThat(received.last()).isEqualTo(22);
    }
}
