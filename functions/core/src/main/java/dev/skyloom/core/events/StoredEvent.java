package dev.skyloom.core.events;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * An event as stored in its stream.
 *
 * @param seq    its position in the stream: 1, 2, 3, ... without gaps
 * @param stepId null when the event is not about a step
 * @param data   the event's detail as emitted
 */
public record StoredEvent(long seq, String eventId, String type, String source, Instant time, String stepId,
                          ObjectNode data) {
}
