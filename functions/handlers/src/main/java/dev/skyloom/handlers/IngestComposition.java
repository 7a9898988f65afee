package dev.skyloom.handlers;

import dev.skyloom.aws.events.DynamoDbEventStore;
import dev.skyloom.core.events.EventStore;
import dev.skyloom.core.events.IngestService;
import dev.skyloom.core.events.RunEventsService;
import dev.skyloom.manifest.SkyloomResources;
import java.time.Clock;

/**
 * The event streams' part of the composition root: the events table store, the ingest service (the {@code ingest}
 * function) and the read side (the API's events routes). Built once per execution environment, on first use.
 */
final class IngestComposition {
    private IngestComposition() {
    }

    private static final class Store {
        static final EventStore EVENTS = new DynamoDbEventStore(Composition.DynamoDb.CLIENT,
                SkyloomConfig.require(Composition.CONFIG.eventsTable(), SkyloomResources.ENV_TABLE_EVENTS),
                Clock.systemUTC());
    }

    private static final class Ingest {
        static final IngestService SERVICE = new IngestService(Store.EVENTS, System.err::println);
    }

    private static final class Read {
        static final RunEventsService SERVICE = RunEventsService.create(Store.EVENTS);
    }

    static IngestService ingest() {
        return Ingest.SERVICE;
    }

    /** The events table, read as it was written (tokens included): for the server's own lookups only. */
    static EventStore events() {
        return Store.EVENTS;
    }

    static RunEventsService runEvents() {
        return Read.SERVICE;
    }
}
