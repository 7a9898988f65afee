package dev.skyloom.core.events;

import dev.skyloom.core.identity.TenantId;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One ordered stream of events: a run's, a swarm's or a chat's, always inside one tenant.
 *
 * @param id the run, swarm or chat id: 1-64 of A-Z, a-z, 0-9, '_', '-'
 */
public record EventStream(TenantId tenant, Kind kind, String id) {
    /** The shape of run, swarm and chat ids (the same as a step's {@code runId}). */
    public static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    public static final String ID_RULE = "1-64 of A-Z, a-z, 0-9, '_', '-'";

    /** What a stream belongs to, and the event detail field that names it. */
    public enum Kind {
        RUN("runId"), SWARM("swarmId"), CHAT("chatId");

        private final String field;

        Kind(String field) {
            this.field = field;
        }

        /** The detail field that carries the id, e.g. {@code runId}. */
        public String field() {
            return field;
        }
    }

    public EventStream {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(id, "id");
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException(kind.field() + " '" + id + "' is invalid: use " + ID_RULE);
        }
    }

    public static EventStream run(TenantId tenant, String runId) {
        return new EventStream(tenant, Kind.RUN, runId);
    }
}
