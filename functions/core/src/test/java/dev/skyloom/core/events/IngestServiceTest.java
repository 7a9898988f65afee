package dev.skyloom.core.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyloom.core.identity.TenantId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IngestServiceTest {
    private final InMemoryEventStore store = new InMemoryEventStore();
    private final List<String> log = new ArrayList<>();
    private final IngestService service = new IngestService(store, log::add);

    private static IngestService.Message message(String id, String tenant, String run, String eventId) {
        return new IngestService.Message(id, "{\"id\":\"eb-" + id + "\",\"source\":\"skyloom.agent\","
                + "\"detail-type\":\"STEP_OUTPUT\",\"time\":\"2026-11-22T00:00:00Z\",\"detail\":{\"tenantId\":\""
                + tenant + "\",\"runId\":\"" + run + "\",\"eventId\":\"" + eventId + "\"}}");
    }

    @Test
    void ingest_storesEachStreamsEventsTogether_inBatchOrder_andCountsDuplicates() {
        IngestService.Outcome outcome = service.ingest(List.of(message("m1", "acme", "r1", "e1"),
                message("m2", "acme", "r2", "e2"), message("m3", "acme", "r1", "e3"),
                message("m4", "acme", "r1", "e1")));

        assertThat(outcome.failedMessageIds()).isEmpty();
        assertThat(outcome.stored()).isEqualTo(3);
        assertThat(outcome.duplicates()).isEqualTo(1);
        assertThat(store.appendAllCalls).as("one append per stream").isEqualTo(2);
        assertThat(store.read(EventStream.run(new TenantId("acme"), "r1"), 0, 10))
                .extracting(StoredEvent::eventId).containsExactly("e1", "e3");
    }

    @Test
    void ingest_retriesMalformedMessages_andThoseOfAFailingStore_butNotEventsOfNoStream() {
        IngestService.Outcome outcome = service.ingest(List.of(new IngestService.Message("bad", "garbage"),
                new IngestService.Message("platform", "{\"id\":\"x\",\"source\":\"skyloom.platform\","
                        + "\"detail-type\":\"UP\",\"time\":\"2026-11-22T00:00:00Z\",\"detail\":{}}")));

        assertThat(outcome.failedMessageIds()).containsExactly("bad");
        assertThat(outcome.malformed()).isEqualTo(1);
        assertThat(outcome.skipped()).isEqualTo(1);
        assertThat(log).anyMatch(line -> line.contains("messageId=bad") && line.contains("dead-letter"));

        store.failure = new EventStore.EventStoreException("throttled", null);
        assertThat(service.ingest(List.of(message("m1", "acme", "r1", "e1"))).failedMessageIds())
                .containsExactly("m1");
    }
}
