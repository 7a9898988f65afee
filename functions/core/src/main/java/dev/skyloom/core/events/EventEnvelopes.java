package dev.skyloom.core.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.core.api.Json;
import dev.skyloom.core.identity.TenantId;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Reads an EventBridge event (the body of an {@code events} queue message: {@code id, source, detail-type, time,
 * detail}) into an {@link IncomingEvent}. Three outcomes: accepted; skipped (a well-formed event that belongs to no
 * tenant stream: nothing to store, and retrying would not change that); malformed (the message cannot be an event
 * of a stream: it is retried until the queue's dead-letter queue takes it, where it can be inspected).
 */
public final class EventEnvelopes {
    /** The longest event id accepted (the runtime's are {@code evt_} + a short hash). */
    static final int MAX_EVENT_ID = 200;

    private EventEnvelopes() {
    }

    /** What {@link #parse} made of a message. */
    public sealed interface Parsed {
    }

    public record Accepted(IncomingEvent event) implements Parsed {
    }

    public record Skipped(String reason) implements Parsed {
    }

    public record Malformed(String reason) implements Parsed {
    }

    public static Parsed parse(String body) {
        JsonNode envelope;
        try {
            envelope = Json.MAPPER.readTree(body);
        } catch (Exception e) {
            return new Malformed("the message body is not JSON");
        }
        if (envelope == null || !envelope.isObject()) {
            return new Malformed("the message body is not a JSON object");
        }
        for (String field : new String[] {"id", "source", "detail-type", "time"}) {
            if (!envelope.path(field).isTextual() || envelope.path(field).asText().isBlank()) {
                return new Malformed("not an EventBridge event: '" + field + "' is missing or not a string");
            }
        }
        if (!envelope.path("detail").isObject()) {
            return new Malformed("not an EventBridge event: 'detail' is missing or not an object");
        }
        Instant time;
        try {
            time = Instant.parse(envelope.get("time").asText());
        } catch (DateTimeParseException e) {
            return new Malformed("'time' is not an ISO-8601 instant: " + abbreviate(envelope.get("time").asText()));
        }
        ObjectNode detail = (ObjectNode) envelope.get("detail");
        JsonNode tenantField = detail.path("tenantId");
        if (tenantField.isMissingNode() || tenantField.isNull()) {
            return new Skipped("the event names no tenant (detail.tenantId)");
        }
        if (!tenantField.isTextual()) {
            return new Malformed("detail.tenantId is not a string");
        }
        TenantId tenant;
        try {
            tenant = new TenantId(tenantField.asText());
        } catch (IllegalArgumentException e) {
            return new Malformed("detail." + e.getMessage());
        }
        EventStream stream = null;
        for (EventStream.Kind kind : EventStream.Kind.values()) {
            JsonNode id = detail.path(kind.field());
            if (id.isMissingNode() || id.isNull()) {
                continue;
            }
            if (!id.isTextual() || !EventStream.ID.matcher(id.asText()).matches()) {
                return new Malformed("detail." + kind.field() + " '" + abbreviate(id.toString()) + "' is invalid: use "
                        + EventStream.ID_RULE);
            }
            stream = new EventStream(tenant, kind, id.asText());
            break;
        }
        if (stream == null) {
            return new Skipped("the event names no run, swarm or chat (detail.runId, swarmId, chatId)");
        }
        String eventId = envelope.get("id").asText();
        JsonNode given = detail.path("eventId");
        if (!given.isMissingNode() && !given.isNull()) {
            if (!given.isTextual() || given.asText().isBlank() || given.asText().length() > MAX_EVENT_ID) {
                return new Malformed("detail.eventId must be a string of 1-" + MAX_EVENT_ID + " characters");
            }
            eventId = given.asText();
        }
        JsonNode step = detail.path("stepId");
        String stepId = step.isTextual() ? step.asText() : null;
        return new Accepted(new IncomingEvent(stream, eventId, envelope.get("detail-type").asText(),
                envelope.get("source").asText(), time, stepId, detail));
    }

    private static String abbreviate(String text) {
        return text.length() <= 64 ? text : text.substring(0, 64) + "...";
    }
}
