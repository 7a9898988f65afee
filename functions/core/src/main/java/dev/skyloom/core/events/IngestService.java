package dev.skyloom.core.events;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Stores a batch of queue messages, each an EventBridge event, and says which messages must be retried. A message
 * is done when its event is stored (or was stored before: redeliveries are deduplicated by event id) or when it
 * belongs to no stream (logged, not retried). It is retried when the store failed, and when it is malformed: the
 * queue's redrive policy then moves it to the dead-letter queue after a few receives, where it can be inspected
 * instead of being lost or retried forever.
 */
public final class IngestService {
    private final EventStore store;
    private final Consumer<String> log;

    /** @param log one structured line per notable outcome ({@code key=value}; never an event's contents) */
    public IngestService(EventStore store, Consumer<String> log) {
        this.store = store;
        this.log = log;
    }

    /** One queue message. */
    public record Message(String id, String body) {
    }

    /** What happened to a batch: the ids of the messages to retry, and counts for the log. */
    public record Outcome(List<String> failedMessageIds, int stored, int duplicates, int skipped, int malformed) {
    }

    /**
     * Handles the messages: the events of each stream are appended together, in the batch's order, so a batch
     * costs one contended write per stream; a failure of one stream does not stop the others.
     */
    public Outcome ingest(List<Message> messages) {
        List<String> failed = new ArrayList<>();
        int skipped = 0;
        int malformed = 0;
        Map<EventStream, List<Message>> sources = new LinkedHashMap<>();
        Map<EventStream, List<IncomingEvent>> streams = new LinkedHashMap<>();
        for (Message message : messages) {
            switch (EventEnvelopes.parse(message.body())) {
                case EventEnvelopes.Accepted accepted -> {
                    streams.computeIfAbsent(accepted.event().stream(), s -> new ArrayList<>()).add(accepted.event());
                    sources.computeIfAbsent(accepted.event().stream(), s -> new ArrayList<>()).add(message);
                }
                case EventEnvelopes.Skipped skip -> {
                    skipped++;
                    log.accept("event skipped: not stored and not retried messageId=" + message.id() + " reason=\""
                            + skip.reason() + "\"");
                }
                case EventEnvelopes.Malformed bad -> {
                    malformed++;
                    failed.add(message.id());
                    log.accept("event malformed: left to the queue's dead-letter queue messageId=" + message.id()
                            + " reason=\"" + bad.reason() + "\"");
                }
            }
        }
        int stored = 0;
        int duplicates = 0;
        for (Map.Entry<EventStream, List<IncomingEvent>> stream : streams.entrySet()) {
            try {
                for (EventStore.Appended appended : store.appendAll(stream.getValue())) {
                    if (appended.duplicate()) {
                        duplicates++;
                    } else {
                        stored++;
                    }
                }
            } catch (RuntimeException e) {
                List<Message> retried = sources.get(stream.getKey());
                retried.forEach(m -> failed.add(m.id()));
                log.accept("event ingest failed; the messages will be retried events=" + retried.size()
                        + " tenant=" + stream.getKey().tenant() + " " + stream.getKey().kind().field() + "="
                        + stream.getKey().id() + " reason=" + e);
            }
        }
        return new Outcome(List.copyOf(failed), stored, duplicates, skipped, malformed);
    }
}
