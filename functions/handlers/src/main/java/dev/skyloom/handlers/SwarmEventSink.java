package dev.skyloom.handlers;

import dev.skyloom.core.swarm.SwarmEvents;
import dev.skyloom.manifest.SkyloomResources;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequestEntry;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResponse;

/**
 * Puts {@code SWARM_*} events on the platform bus (source {@code skyloom.swarm}), ten entries per PutEvents call, in
 * order. The ingest rule takes every {@code skyloom.*} event to the events table (decision 0600), where the detail's
 * {@code swarmId} names the stream and its {@code eventId} deduplicates. A failure is logged, never thrown: the
 * scheduler's commit stands, and a missing event is a gap in a stream, not a wrong decision.
 */
final class SwarmEventSink implements SwarmEvents.Sink {
    static final String SOURCE = "skyloom.swarm";
    private static final Logger LOG = LoggerFactory.getLogger(SwarmEventSink.class);
    private final EventBridgeClient events;
    private final String bus;

    SwarmEventSink(EventBridgeClient events, String bus) {
        this.events = events;
        this.bus = bus;
    }

    /** The sink of this deployment's bus ({@value SkyloomResources#ENV_EVENT_BUS}); none when it is not set. */
    static SwarmEvents.Sink fromEnvironment(EventBridgeClient events) {
        String bus = LambdaEnvironment.read().get(SkyloomResources.ENV_EVENT_BUS);
        if (bus == null || bus.isBlank()) {
            LOG.warn("swarm events are not emitted: {} is not set", SkyloomResources.ENV_EVENT_BUS);
            return SwarmEvents.Sink.NONE;
        }
        return new SwarmEventSink(events, bus);
    }

    @Override
    public void emit(List<SwarmEvents.Event> list) {
        for (int from = 0; from < list.size(); from += 10) {
            List<PutEventsRequestEntry> entries = new ArrayList<>();
            for (SwarmEvents.Event e : list.subList(from, Math.min(list.size(), from + 10))) {
                entries.add(PutEventsRequestEntry.builder().eventBusName(bus).source(SOURCE).detailType(e.type())
                        .detail(e.detail().toString()).build());
            }
            try {
                PutEventsResponse response = events.putEvents(b -> b.entries(entries));
                if (response.failedEntryCount() != null && response.failedEntryCount() > 0) {
                    LOG.warn("swarm events not put failed={} of={} firstEventId={}", response.failedEntryCount(),
                            entries.size(), list.get(from).eventId());
                }
            } catch (RuntimeException e) {
                LOG.warn("swarm events not put of={} firstEventId={} error={}", entries.size(),
                        list.get(from).eventId(), e.toString());
            }
        }
    }
}
