package dev.skyloom.core.events;

import java.util.List;

/** Where event streams are kept (the DynamoDB events table). */
public interface EventStore {

    /** The outcome of {@link #append}: the event's sequence number, and whether it had been stored before. */
    record Appended(long seq, boolean duplicate) {
    }

    /**
     * Stores the event at the end of its stream, once: an event whose id the tenant has stored before is not stored
     * again (the answer then names the first copy's sequence number). Concurrent appends to one stream get distinct,
     * consecutive sequence numbers.
     *
     * @throws EventStoreException when the store is unavailable or the stream stays contended; the caller retries
     */
    Appended append(IncomingEvent event);

    /**
     * {@link #append}s several events of one stream at once, in this order, into consecutive sequence numbers (fewer
     * round trips, and one contended write per batch instead of one per event). Answers one outcome per event.
     *
     * @param events events of the same stream
     */
    default List<Appended> appendAll(List<IncomingEvent> events) {
        return events.stream().map(this::append).toList();
    }

    /** Whether the stream has ever had an event (within the retention period). */
    boolean exists(EventStream stream);

    /** Up to {@code limit} events of the stream with {@code seq > after}, in sequence order. */
    List<StoredEvent> read(EventStream stream, long after, int limit);

    /** A failure worth retrying later (throttling, contention, an unreachable store). */
    final class EventStoreException extends RuntimeException {
        public EventStoreException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
