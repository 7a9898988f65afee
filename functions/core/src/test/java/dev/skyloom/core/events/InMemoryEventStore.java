package dev.skyloom.core.events;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A fake {@link EventStore} for unit tests: streams in lists, ids in a map; optionally failing. */
final class InMemoryEventStore implements EventStore {
    final Map<EventStream, List<StoredEvent>> streams = new HashMap<>();
    final Map<String, Long> ids = new HashMap<>();
    RuntimeException failure;
    int appendAllCalls;

    @Override
    public synchronized Appended append(IncomingEvent event) {
        if (failure != null) {
            throw failure;
        }
        String key = event.stream().tenant() + "/" + event.eventId();
        if (ids.containsKey(key)) {
            return new Appended(ids.get(key), true);
        }
        List<StoredEvent> stream = streams.computeIfAbsent(event.stream(), s -> new ArrayList<>());
        long seq = stream.size() + 1;
        stream.add(new StoredEvent(seq, event.eventId(), event.type(), event.source(), event.time(), event.stepId(),
                event.detail()));
        ids.put(key, seq);
        return new Appended(seq, false);
    }

    @Override
    public synchronized List<Appended> appendAll(List<IncomingEvent> events) {
        appendAllCalls++;
        return EventStore.super.appendAll(events);
    }

    @Override
    public synchronized boolean exists(EventStream stream) {
        return streams.containsKey(stream);
    }

    @Override
    public synchronized List<StoredEvent> read(EventStream stream, long after, int limit) {
        return streams.getOrDefault(stream, List.of()).stream().filter(e -> e.seq() > after).limit(limit).toList();
    }
}
