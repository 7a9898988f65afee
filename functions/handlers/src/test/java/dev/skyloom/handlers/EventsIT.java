package dev.skyloom.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skyloom.aws.events.DynamoDbEventStore;
import dev.skyloom.core.events.EventStore;
import dev.skyloom.core.events.EventStream;
import dev.skyloom.core.events.IncomingEvent;
import dev.skyloom.core.events.StoredEvent;
import dev.skyloom.core.identity.TenantId;
import dev.skyloom.handlers.testing.Sse;
import dev.skyloom.local.cloud.LocalCloud;
import java.time.Clock;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import dev.skyloom.manifest.Naming;
import dev.skyloom.manifest.SkyloomResources;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequestEntry;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The event path end to end on the local cloud: events put on the bus with the SDK's EventBridgeClient go through
 * the ingest rule to the events queue, the local event source mapping hands them to the ingest function, which
 * stores them; they come back through the API (page, long poll) and as Server-Sent Events on :8080-style API Gateway.
 */
class EventsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path dataDir;

    private static LocalCloud cloud;
    private static ApiClient api;
    private static EventBridgeClient events;
    private static SqsClient sqs;
    private static String alice;
    private static String bob;
    private static String queueUrl;
    private static String deadLetterUrl;

    @BeforeAll
    static void start() throws Exception {
        cloud = PlatformIT.start(dataDir);
        api = new ApiClient(cloud.apiEndpoint().orElseThrow());
        String admin = Files.readString(dataDir.resolve("admin.key")).trim();
        alice = api.newTenant(admin, "alice");
        bob = api.newTenant(admin, "bob");
        var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));
        events = EventBridgeClient.builder().endpointOverride(cloud.edgeEndpoint()).region(Region.US_EAST_1)
                .credentialsProvider(credentials).build();
        sqs = SqsClient.builder().endpointOverride(cloud.edgeEndpoint()).region(Region.US_EAST_1)
                .credentialsProvider(credentials).build();
        queueUrl = cloud.provisioned().orElseThrow().queueUrls().get("events");
        deadLetterUrl = sqs.getQueueUrl(b -> b.queueName(Naming.LOCAL.physical("events-dlq"))).queueUrl();
    }

    @AfterAll
    static void stop() {
        if (events != null) {
            events.close();
        }
        if (sqs != null) {
            sqs.close();
        }
        if (cloud != null) {
            cloud.close();
        }
    }

    static PutEventsRequestEntry entry(String tenant, String runId, String type, String eventId) {
        String detail = JSON.createObjectNode().put("tenantId", tenant).put("runId", runId).put("stepId", "plan")
                .put("agentId", "agt_1").put("executionId", "exec-1").put("turn", 1).put("eventId", eventId)
                .toString();
        return PutEventsRequestEntry.builder().eventBusName(Naming.LOCAL.physical(SkyloomResources.EVENT_BUS))
                .source("skyloom.agent").detailType(type).detail(detail).build();
    }

    private static void put(PutEventsRequestEntry... entries) {
        var response = events.putEvents(b -> b.entries(entries));
        assertThat(response.failedEntryCount()).as(response.toString()).isZero();
    }

    /** Every item of the run's stream, paging with ?after= until a page is empty. */
    private static List<JsonNode> all(String runId, String token) {
        List<JsonNode> items = new ArrayList<>();
        long after = 0;
        while (true) {
            ApiClient.Response page = api.get("/api/v1/runs/" + runId + "/events?limit=500&after=" + after, token);
            if (page.status() == 404 && after == 0) {
                return items; // no event of the run stored yet
            }
            assertThat(page.status()).as(page.toString()).isEqualTo(200);
            if (page.json().path("items").isEmpty()) {
                return items;
            }
            page.json().path("items").forEach(items::add);
            after = page.json().path("next").asLong();
        }
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    private static List<Long> seqs(List<JsonNode> items) {
        return items.stream().map(i -> i.path("seq").asLong()).toList();
    }

    private static List<Long> oneTo(int n) {
        return LongStream.rangeClosed(1, n).boxed().toList();
    }

    /** Visible plus in-flight messages of the events queue: 0 once the mapping has handled everything. */
    private static boolean eventsQueueDrained() {
        Map<QueueAttributeName, String> attributes = sqs.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
        return attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES).equals("0")
                && attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE).equals("0");
    }

    @Test
    void eventsOnTheBus_areServedInOrder_withSeqOneToN_andOnlyToTheirTenant() throws Exception {
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            sent.add("evt_order_" + i);
            put(entry("alice", "run-order", i == 0 ? "STEP_STARTED" : "STEP_OUTPUT", "evt_order_" + i));
        }

        await("25 events of run-order", Duration.ofSeconds(30), () -> all("run-order", alice).size() >= 25);
        List<JsonNode> items = all("run-order", alice);
        assertThat(seqs(items)).isEqualTo(oneTo(25));
        assertThat(items.stream().map(i -> i.path("eventId").asText()).toList())
                .as("one emitter, one local poller: stored in the order sent").isEqualTo(sent);
        JsonNode first = items.stream().filter(i -> i.path("eventId").asText().equals("evt_order_0")).findFirst()
                .orElseThrow();
        assertThat(first.path("type").asText()).isEqualTo("STEP_STARTED");
        assertThat(first.path("source").asText()).isEqualTo("skyloom.agent");
        assertThat(first.path("stepId").asText()).isEqualTo("plan");
        assertThat(first.path("data").path("agentId").asText()).isEqualTo("agt_1");
        assertThat(Instant.parse(first.path("time").asText())).isBefore(Instant.now().plusSeconds(1));

        ApiClient.Response page = api.get("/api/v1/runs/run-order/events?after=10&limit=5", alice);
        assertThat(seqs(list(page.json().path("items")))).containsExactly(11L, 12L, 13L, 14L, 15L);
        assertThat(page.json().path("next").asLong()).isEqualTo(15);

        assertThat(api.get("/api/v1/runs/run-order/events", bob).status())
                .as("another tenant's run is a 404, as everywhere in the API").isEqualTo(404);
        assertThat(api.get("/api/v1/runs/run-order/events?after=25", alice).json().path("items"))
                .as("after the last event: an empty page").isEmpty();
        assertThat(api.get("/api/v1/runs/run-order/events", null).status()).isEqualTo(401);
        assertThat(api.get("/api/v1/runs/run-order/events?after=-1", alice).status()).isEqualTo(400);
        assertThat(api.get("/api/v1/runs/run-order/events?wait=26", alice).status()).isEqualTo(400);
        assertThat(api.get("/api/v1/runs/run-order/events?limit=0", alice).status()).isEqualTo(400);
    }

    private static List<JsonNode> list(JsonNode array) {
        List<JsonNode> items = new ArrayList<>();
        array.forEach(items::add);
        return items;
    }

    @Test
    void theSameEventId_twiceOnTheBus_andRedeliveredByTheQueue_isStoredOnce() throws Exception {
        put(entry("alice", "run-dup", "STEP_STARTED", "evt_dup_1"));
        put(entry("alice", "run-dup", "STEP_STARTED", "evt_dup_1"));
        // a redelivery: the same EventBridge event (same envelope id) arriving twice from the queue
        String envelope = JSON.createObjectNode().put("version", "0").put("id", "eb-id-42").put("source", "skyloom.agent")
                .put("detail-type", "LLM_CALL").put("account", "000000000000").put("time", "2026-11-22T00:00:00Z")
                .put("region", "us-east-1").set("detail", JSON.createObjectNode().put("tenantId", "alice")
                        .put("runId", "run-dup")).toString();
        sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(envelope));
        sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(envelope));
        put(entry("alice", "run-dup", "STEP_COMPLETE", "evt_dup_2"));

        await("the events queue to drain", Duration.ofSeconds(30), () -> all("run-dup", alice).size() >= 3
                && eventsQueueDrained());
        List<JsonNode> items = all("run-dup", alice);
        assertThat(seqs(items)).isEqualTo(oneTo(3));
        assertThat(items.stream().map(i -> i.path("eventId").asText()).toList())
                .containsExactlyInAnyOrder("evt_dup_1", "eb-id-42", "evt_dup_2");
    }

    @Test
    void twoHundredEvents_fromFourConcurrentProducers_getSeqsOneTo200_withoutGapsOrDuplicates() throws Exception {
        ExecutorService producers = Executors.newFixedThreadPool(4);
        Set<String> sent = Collections.synchronizedSet(new TreeSet<>());
        List<Future<?>> done = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int p = 0; p < 4; p++) {
            int producer = p;
            done.add(producers.submit(() -> {
                for (int i = 0; i < 50; i++) {
                    String id = "evt_p" + producer + "_" + i;
                    sent.add(id);
                    put(entry("alice", "run-busy", "STEP_OUTPUT", id));
                }
            }));
        }
        for (Future<?> f : done) {
            f.get(60, TimeUnit.SECONDS);
        }
        producers.shutdown();

        await("200 events of run-busy", Duration.ofSeconds(60), () -> all("run-busy", alice).size() >= 200);
        long millis = (System.nanoTime() - t0) / 1_000_000;
        List<JsonNode> items = all("run-busy", alice);
        assertThat(seqs(items)).isEqualTo(oneTo(200));
        assertThat(items.stream().map(i -> i.path("eventId").asText()).toList())
                .containsExactlyInAnyOrderElementsOf(sent);
        System.out.println("figure: 200 events from 4 producers stored and readable in ms=" + millis
                + " invocations=" + cloud.eventSourceMappings().orElseThrow().mappings().getFirst().invocations());
    }

    @Test
    void theStore_underEightConcurrentWriters_withRepeatedIds_keepsSeqsGapless_andEachIdOnce() throws Exception {
        EventStream stream = EventStream.run(new TenantId("alice"), "run-store");
        ExecutorService writers = Executors.newFixedThreadPool(8);
        List<Future<List<EventStore.Appended>>> results = new ArrayList<>();
        try (DynamoDbClient dynamoDb = PlatformIT.dynamoDb(cloud.edgeEndpoint())) {
            for (int w = 0; w < 8; w++) {
                int writer = w;
                // one store per writer: each has its own cache of stream heads, like separate Lambda containers
                DynamoDbEventStore store = new DynamoDbEventStore(dynamoDb, "skyloom-events", Clock.systemUTC());
                results.add(writers.submit(() -> {
                    List<EventStore.Appended> appended = new ArrayList<>();
                    for (int i = 0; i < 25; i++) {
                        // writers 0-3 and 4-7 send the same ids: every id arrives twice, concurrently
                        String id = "evt_w" + (writer % 4) + "_" + i;
                        appended.addAll(store.appendAll(List.of(new IncomingEvent(stream, id, "STEP_OUTPUT",
                                "skyloom.agent", Instant.now(), "plan", JSON.createObjectNode().put("i", i)))));
                    }
                    return appended;
                }));
            }
            List<EventStore.Appended> all = new ArrayList<>();
            for (Future<List<EventStore.Appended>> result : results) {
                all.addAll(result.get(120, TimeUnit.SECONDS));
            }
            writers.shutdown();

            assertThat(all.stream().filter(a -> !a.duplicate()).map(EventStore.Appended::seq).sorted().toList())
                    .isEqualTo(oneTo(100));
            assertThat(all.stream().filter(EventStore.Appended::duplicate)).hasSize(100);
            List<StoredEvent> stored = new DynamoDbEventStore(dynamoDb, "skyloom-events", Clock.systemUTC())
                    .read(stream, 0, 500);
            assertThat(stored.stream().map(StoredEvent::seq).toList()).isEqualTo(oneTo(100));
            assertThat(stored.stream().map(StoredEvent::eventId).distinct()).hasSize(100);
        }
    }

    @Test
    void aPoisonMessage_endsInTheDeadLetterQueue_andAnEventOfNoTenant_isSkipped() throws Exception {
        // one-second visibility so the five receives of the redrive policy take seconds, not minutes
        sqs.setQueueAttributes(b -> b.queueUrl(queueUrl).attributes(Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, "1")));
        try {
            put(PutEventsRequestEntry.builder().eventBusName(Naming.LOCAL.physical(SkyloomResources.EVENT_BUS))
                    .source("skyloom.agent").detailType("STEP_OUTPUT")
                    .detail("{\"tenantId\":\"Not A Tenant!\",\"runId\":\"run-poison\",\"eventId\":\"evt_poison\"}")
                    .build());
            put(PutEventsRequestEntry.builder().eventBusName(Naming.LOCAL.physical(SkyloomResources.EVENT_BUS))
                    .source("skyloom.platform").detailType("PLATFORM_STARTED").detail("{\"eventId\":\"evt_platform\"}")
                    .build());
            List<Message> dead = new ArrayList<>();
            await("the poison message in the DLQ", Duration.ofSeconds(60), () -> {
                dead.addAll(sqs.receiveMessage(b -> b.queueUrl(deadLetterUrl).waitTimeSeconds(1)
                        .maxNumberOfMessages(10)).messages());
                return dead.stream().anyMatch(m -> m.body().contains("evt_poison"));
            });
            await("the events queue to drain", Duration.ofSeconds(30), EventsIT::eventsQueueDrained);
            assertThat(dead).noneMatch(m -> m.body().contains("evt_platform"));
            assertThat(all("run-poison", alice)).isEmpty();
        } finally {
            sqs.setQueueAttributes(b -> b.queueUrl(queueUrl).attributes(Map.of(QueueAttributeName.VISIBILITY_TIMEOUT,
                    "60")));
        }
    }

    @Test
    void aLongPoll_returnsAsSoonAsAnEventArrives_andAnEmptyOneAfterItsWait() throws Exception {
        long t0 = System.nanoTime();
        ApiClient.Response unknown = api.get("/api/v1/runs/run-poll/events?wait=1", alice);
        long unknownMillis = (System.nanoTime() - t0) / 1_000_000;
        assertThat(unknown.status()).as("no event of the run after the wait: 404").isEqualTo(404);
        assertThat(unknownMillis).isBetween(900L, 5_000L);

        CompletableFuture<ApiClient.Response> waiting = CompletableFuture.supplyAsync(() ->
                api.get("/api/v1/runs/run-poll/events?wait=20", alice));
        Thread.sleep(1000);
        assertThat(waiting).as("the long poll is still waiting").isNotDone();
        long sentAt = System.nanoTime();
        put(entry("alice", "run-poll", "STEP_STARTED", "evt_poll_1"));
        ApiClient.Response answer = waiting.get(25, TimeUnit.SECONDS);
        long latency = (System.nanoTime() - sentAt) / 1_000_000;
        assertThat(answer.json().path("items").get(0).path("eventId").asText()).isEqualTo("evt_poll_1");
        assertThat(latency).as("ms from PutEvents to the long poll's answer").isLessThan(10_000);
        System.out.println("figure: long poll answered ms=" + latency + " after PutEvents");

        long t1 = System.nanoTime();
        ApiClient.Response empty = api.get("/api/v1/runs/run-poll/events?after=1&wait=1", alice);
        assertThat(empty.status()).isEqualTo(200);
        assertThat(empty.json().path("items")).isEmpty();
        assertThat(empty.json().path("next").asLong()).isEqualTo(1);
        assertThat((System.nanoTime() - t1) / 1_000_000).isBetween(900L, 5_000L);
    }

    @Test
    void theStream_onTheLocalApiGateway_sendsEachEventOnce_andResumesFromLastEventId() throws Exception {
        URI stream = cloud.apiEndpoint().orElseThrow().resolve("/api/v1/runs/run-sse/stream");
        HttpResponse<String> denied = HTTP.send(HttpRequest.newBuilder(stream).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(denied.statusCode()).isEqualTo(401);

        for (int i = 1; i <= 3; i++) {
            put(entry("alice", "run-sse", "STEP_OUTPUT", "evt_sse_" + i));
        }
        await("3 events of run-sse", Duration.ofSeconds(30), () -> all("run-sse", alice).size() >= 3);

        Map<Long, String> first = read(stream, alice, null, 3);
        assertThat(first.keySet()).containsExactly(1L, 2L, 3L);
        assertThat(JSON.readTree(first.get(1L)).path("type").asText()).isEqualTo("STEP_OUTPUT");

        // reconnect after event 2: only 3 comes again, then events put while connected arrive live
        CompletableFuture<Map<Long, String>> resumed = CompletableFuture.supplyAsync(() -> read(stream, alice, "2", 3));
        Thread.sleep(500);
        put(entry("alice", "run-sse", "STEP_OUTPUT", "evt_sse_4"));
        put(entry("alice", "run-sse", "STEP_COMPLETE", "evt_sse_5"));
        Map<Long, String> second = resumed.get(30, TimeUnit.SECONDS);
        assertThat(second.keySet()).containsExactly(3L, 4L, 5L);
        Set<String> ids = new TreeSet<>();
        for (String data : first.values()) {
            ids.add(JSON.readTree(data).path("eventId").asText());
        }
        for (String data : second.values()) {
            ids.add(JSON.readTree(data).path("eventId").asText());
        }
        assertThat(ids).containsExactly("evt_sse_1", "evt_sse_2", "evt_sse_3", "evt_sse_4", "evt_sse_5");
    }

    /** Reads {@code count} events of an SSE stream: id to data; an id received twice fails. */
    private static Map<Long, String> read(URI stream, String token, String lastEventId, int count) {
        try {
            List<Sse.Event> events = Sse.read(stream, token, lastEventId == null ? null : Long.parseLong(lastEventId),
                    got -> got.size() >= count, Duration.ofSeconds(30));
            Map<Long, String> received = new LinkedHashMap<>();
            for (Sse.Event event : events) {
                assertThat(received).doesNotContainKey(event.id());
                received.put(event.id(), event.data());
            }
            return received;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
