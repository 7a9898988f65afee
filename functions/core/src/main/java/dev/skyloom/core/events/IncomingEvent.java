package dev.skyloom.core.events;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Objects;

/**
 * An event accepted for storage.
 *
 * @param eventId the deduplication key: the detail's {@code eventId}, else the EventBridge event id
 * @param stepId  the step the event is about, or null
 * @param detail  the event's fields as emitted
 */
public record IncomingEvent(EventStream stream, String eventId, String type, String source, Instant time,
                            String stepId, ObjectNode detail) {
    public IncomingEvent {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(detail, "detail");
    }
}
