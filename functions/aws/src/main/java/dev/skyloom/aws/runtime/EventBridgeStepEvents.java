package dev.skyloom.aws.runtime;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.core.agent.StepEvents;
import dev.skyloom.core.agent.TurnTransientException;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResponse;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResultEntry;

/**
 * Puts the runtime's events on the platform's EventBridge bus: source {@value #SOURCE}, detail-type the event type,
 * detail the event's fields (with its stable {@code eventId}, by which the ingest path deduplicates).
 */
public final class EventBridgeStepEvents implements StepEvents {
    public static final String SOURCE = "skyloom.agent";
    private final EventBridgeClient eventBridge;
    private final String busName;

    public EventBridgeStepEvents(EventBridgeClient eventBridge, String busName) {
        this.eventBridge = eventBridge;
        this.busName = busName;
    }

    @Override
    public void emit(String type, String eventId, ObjectNode detail) {
        PutEventsResponse response = eventBridge.putEvents(b -> b.entries(e -> e.eventBusName(busName).source(SOURCE)
                .detailType(type).detail(detail.toString())));
        if (response.failedEntryCount() != null && response.failedEntryCount() > 0) {
            PutEventsResultEntry failed = response.entries().get(0);
            throw new TurnTransientException("EventBridge refused event " + eventId + " (" + type + "): "
                    + failed.errorCode() + " " + failed.errorMessage(), null);
        }
    }
}
