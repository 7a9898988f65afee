package dev.skyloom.core.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.core.api.ApiError;
import dev.skyloom.core.identity.Principal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A run's events for the API, always in the caller's tenant: a page after a sequence number, optionally waiting
 * (long poll) until there is one.
 *
 * <p>Runs are not stored yet, so a run is known by its events: a run without any event in the caller's tenant is a 404
 * (after the wait, if one was asked for: a run just started may not have its first event stored yet). Another tenant's
 * run is therefore a 404 too, as everywhere in the API; its events live under that tenant's key and are never read.
 */
public final class RunEventsService {
    /** The longest wait: API Gateway cuts a request at 29 s, and the API function's timeout is 29 s. */
    public static final int MAX_WAIT_SECONDS = 25;
    public static final int MAX_LIMIT = 500;
    public static final int DEFAULT_LIMIT = 100;
    static final Duration FIRST_POLL = Duration.ofMillis(100);
    static final Duration MAX_POLL = Duration.ofSeconds(1);

    /** Waits between polls of a long poll; a test replaces it. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    /** A page of events; {@code next} is what to pass as {@code after} for the following page. */
    public record Page(List<StoredEvent> items, long next) {
    }

    private final EventStore store;
    private final Clock clock;
    private final Sleeper sleeper;

    public RunEventsService(EventStore store, Clock clock, Sleeper sleeper) {
        this.store = store;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    public static RunEventsService create(EventStore store) {
        return new RunEventsService(store, Clock.systemUTC(), d -> Thread.sleep(d));
    }

    /**
     * @param after the last sequence number the caller has (default 0: from the start)
     * @param limit 1..{@value #MAX_LIMIT}, default {@value #DEFAULT_LIMIT}
     * @param wait  seconds to wait for an event when there is none yet, 0..{@value #MAX_WAIT_SECONDS} (default 0)
     */
    public Page read(Principal principal, String runId, Optional<String> after, Optional<String> limit,
                     Optional<String> wait) {
        return read(principal, EventStream.Kind.RUN, runId, after, limit, wait, false);
    }

    /**
     * Any stream's events, as {@link #read(Principal, String, Optional, Optional, Optional)}.
     *
     * @param known the caller has checked that the stream's owner exists in the caller's tenant (a stored swarm):
     *              no events yet is then an empty page, not a 404
     */
    public Page read(Principal principal, EventStream.Kind kind, String id, Optional<String> after,
                     Optional<String> limit, Optional<String> wait, boolean known) {
        if (!EventStream.ID.matcher(id).matches()) {
            throw ApiError.invalidField(kind.field(), "must be " + EventStream.ID_RULE);
        }
        long from = number("after", after, 0, 0, Long.MAX_VALUE, "a sequence number (0 or more)");
        int max = (int) number("limit", limit, DEFAULT_LIMIT, 1, MAX_LIMIT, "1 to " + MAX_LIMIT);
        int waitSeconds = (int) number("wait", wait, 0, 0, MAX_WAIT_SECONDS, "0 to " + MAX_WAIT_SECONDS
                + " seconds (API Gateway ends a request at 29 s)");
        EventStream stream = new EventStream(principal.tenant(), kind, id);
        Instant deadline = clock.instant().plusSeconds(waitSeconds);
        Duration pause = FIRST_POLL;
        while (true) {
            List<StoredEvent> items = store.read(stream, from, max);
            Duration left = Duration.between(clock.instant(), deadline);
            if (!items.isEmpty()) {
                return new Page(items.stream().map(RunEventsService::withoutTaskTokens).toList(),
                        items.getLast().seq());
            }
            if (left.isNegative() || left.isZero()) {
                if (!known && (from == 0 || !store.exists(stream))) {
                    throw ApiError.notFound("Run " + id);
                }
                return new Page(items, from);
            }
            try {
                sleeper.sleep(pause.compareTo(left) < 0 ? pause : left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Page(List.of(), from);
            }
            pause = pause.multipliedBy(2).compareTo(MAX_POLL) < 0 ? pause.multipliedBy(2) : MAX_POLL;
        }
    }

    /**
     * The event as a run's followers see it: without any {@value #TASK_TOKEN} field, at any depth. A task token lets
     * whoever holds it decide a waiting state ({@code SendTaskSuccess}); a pipeline approval's {@code APPROVAL_REQUIRED}
     * and an agent step's {@code TOOL_APPROVAL_REQUIRED} carry one, and the events table keeps them as emitted. The
     * approvals route reads the token from the execution's history, never from the events (decisions 0501, 0600).
     */
    static StoredEvent withoutTaskTokens(StoredEvent event) {
        if (event.data() == null || !holdsTaskToken(event.data())) {
            return event;
        }
        ObjectNode data = event.data().deepCopy();
        removeTaskTokens(data);
        return new StoredEvent(event.seq(), event.eventId(), event.type(), event.source(), event.time(),
                event.stepId(), data);
    }

    static final String TASK_TOKEN = "taskToken";

    private static boolean holdsTaskToken(JsonNode node) {
        if (node.isObject() && node.has(TASK_TOKEN)) {
            return true;
        }
        for (JsonNode child : node) {
            if (holdsTaskToken(child)) {
                return true;
            }
        }
        return false;
    }

    private static void removeTaskTokens(JsonNode node) {
        if (node instanceof ObjectNode object) {
            object.remove(TASK_TOKEN);
        }
        for (JsonNode child : node) {
            removeTaskTokens(child);
        }
    }

    private static long number(String field, Optional<String> raw, long defaultValue, long min, long max,
                               String valid) {
        if (raw.isEmpty() || raw.get().isEmpty()) {
            return defaultValue;
        }
        try {
            long value = Long.parseLong(raw.get().strip());
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // the 400 below
        }
        throw ApiError.invalidField(field, "must be " + valid);
    }
}
