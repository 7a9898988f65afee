package dev.skyloom.aws.runtime;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.core.agent.StepEvents;
import dev.skyloom.core.agent.TurnTransientException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequestEntry;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResponse;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResultEntry;

/**
 * Puts the runtime's events on the platform's EventBridge bus: source {@value #SOURCE}, detail-type the event type,
 * detail the event's fields (with its stable {@code eventId}, by which the ingest path deduplicates). Several events
 * go in one PutEvents, in order, up to EventBridge's 10 entries and {@value #MAX_REQUEST_BYTES} bytes per request.
 */
public final class EventBridgeStepEvents implements StepEvents {
    public static final String SOURCE = "skyloom.agent";
    /** PutEvents takes at most 10 entries and 256 KB per request; kept under it with room for the envelope. */
    static final int MAX_ENTRIES = 10;
    static final int MAX_REQUEST_BYTES = 240 * 1024;
    private final EventBridgeClient eventBridge;
    private final String busName;

    public EventBridgeStepEvents(EventBridgeClient eventBridge, String busName) {
        this.eventBridge = eventBridge;
        this.busName = busName;
    }

    @Override
    public void emit(String type, String eventId, ObjectNode detail) {
        emitAll(List.of(new Event(type, eventId, detail)));
    }

    @Override
    public void emitAll(List<Event> events) {
        List<PutEventsRequestEntry> batch = new ArrayList<>();
        List<Event> sent = new ArrayList<>();
        int bytes = 0;
        for (Event event : events) {
            String detail = event.detail().toString();
            int size = detail.getBytes(StandardCharsets.UTF_8).length + event.type().length() + SOURCE.length();
            if (!batch.isEmpty() && (batch.size() == MAX_ENTRIES || bytes + size > MAX_REQUEST_BYTES)) {
                put(batch, sent);
                batch = new ArrayList<>();
                sent = new ArrayList<>();
                bytes = 0;
            }
            batch.add(PutEventsRequestEntry.builder().eventBusName(busName).source(SOURCE).detailType(event.type())
                    .detail(detail).build());
            sent.add(event);
            bytes += size;
        }
        if (!batch.isEmpty()) {
            put(batch, sent);
        }
    }

    private void put(List<PutEventsRequestEntry> entries, List<Event> events) {
        PutEventsResponse response = eventBridge.putEvents(b -> b.entries(entries));
        if (response.failedEntryCount() != null && response.failedEntryCount() > 0) {
            for (int i = 0; i < response.entries().size(); i++) {
                PutEventsResultEntry result = response.entries().get(i);
                if (result.errorCode() != null) {
                    Event event = events.get(i);
                    throw new TurnTransientException("EventBridge refused event " + event.eventId() + " ("
                            + event.type() + "): " + result.errorCode() + " " + result.errorMessage(), null);
                }
            }
        }
    }
}
