package dev.skyloom.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.skyloom.core.api.Json;
import dev.skyloom.core.events.EventStore;
import dev.skyloom.core.events.EventStream;
import dev.skyloom.core.events.IncomingEvent;
import dev.skyloom.core.events.IngestService;
import dev.skyloom.core.events.StoredEvent;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IngestHandlerTest {
    private final List<IncomingEvent> stored = new ArrayList<>();
    private final EventStore store = new EventStore() {
        @Override
        public Appended append(IncomingEvent event) {
            stored.add(event);
            return new Appended(stored.size(), false);
        }

        @Override
        public boolean exists(EventStream stream) {
            return false;
        }

        @Override
        public List<StoredEvent> read(EventStream stream, long after, int limit) {
            return List.of();
        }
    };

    @Test
    void handleRequest_withAnSqsBatch_storesTheEvents_andNamesOnlyTheBadMessagesInBatchItemFailures() throws Exception {
        String good = Json.MAPPER.createObjectNode().put("id", "eb-1").put("source", "skyloom.agent")
                .put("detail-type", "STEP_STARTED").put("time", "2026-11-22T00:00:00Z")
                .set("detail", Json.MAPPER.createObjectNode().put("tenantId", "acme").put("runId", "r1")).toString();
        String batch = Json.MAPPER.createObjectNode().set("Records", Json.MAPPER.createArrayNode()
                .add(Json.MAPPER.createObjectNode().put("messageId", "m1").put("body", good)
                        .put("eventSource", "aws:sqs"))
                .add(Json.MAPPER.createObjectNode().put("messageId", "m2").put("body", "not json")
                        .put("eventSource", "aws:sqs"))).toString();
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        new IngestHandler(() -> new IngestService(store, line -> { })).handleRequest(
                new ByteArrayInputStream(batch.getBytes(StandardCharsets.UTF_8)), out, null);

        JsonNode response = Json.MAPPER.readTree(out.toByteArray());
        assertThat(response.path("batchItemFailures")).hasSize(1);
        assertThat(response.path("batchItemFailures").get(0).path("itemIdentifier").asText()).isEqualTo("m2");
        assertThat(stored).extracting(IncomingEvent::eventId).containsExactly("eb-1");
    }
}
