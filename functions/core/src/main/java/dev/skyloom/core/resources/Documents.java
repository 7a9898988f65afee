package dev.skyloom.core.resources;

import dev.skyloom.core.api.ApiError;
import dev.skyloom.core.api.Json;
import dev.skyloom.core.api.Page;
import dev.skyloom.core.identity.TenantId;
import dev.skyloom.core.store.DocumentStore;
import dev.skyloom.core.store.Versioned;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.UnaryOperator;

/**
 * Typed, versioned CRUD over a {@link DocumentStore} collection, with the API's answers: 404 when missing (also for
 * another tenant's object), 409 when an id is taken, 412 when {@code If-Match} names an old version.
 */
public final class Documents<T> {
    private static final SecureRandom RANDOM = new SecureRandom();
    /** What an id may look like; anything else cannot exist and is a 404 without a read. */
    static final java.util.regex.Pattern ID = java.util.regex.Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private final DocumentStore store;
    private final Clock clock;
    private final String kind;
    private final Class<T> type;

    public Documents(DocumentStore store, Clock clock, String kind, Class<T> type) {
        this.store = store;
        this.clock = clock;
        this.kind = kind;
        this.type = type;
    }

    /** A new random id: {@code prefix} + 16 hex characters. */
    public static String newId(String prefix) {
        byte[] bytes = new byte[8];
        RANDOM.nextBytes(bytes);
        return prefix + HexFormat.of().formatHex(bytes);
    }

    public Stored<T> create(TenantId tenant, String collection, String id, T doc) {
        var now = clock.instant();
        if (!store.create(tenant, collection, id, Json.write(doc), now)) {
            throw ApiError.conflict(kind + " " + id + " exists already");
        }
        return new Stored<>(id, 1, now, now, doc);
    }

    public Optional<Stored<T>> find(TenantId tenant, String collection, String id) {
        if (!ID.matcher(id).matches()) {
            return Optional.empty();
        }
        return store.get(tenant, collection, id).map(this::typed);
    }

    public Stored<T> get(TenantId tenant, String collection, String id) {
        return find(tenant, collection, id).orElseThrow(() -> ApiError.notFound(kind + " " + abbreviate(id)));
    }

    public Page<Stored<T>> list(TenantId tenant, String collection, Optional<Map<String, String>> cursor,
                                int limit) {
        return store.list(tenant, collection, cursor, limit).map(this::typed);
    }

    /**
     * Reads, checks {@code ifMatch}, applies {@code change} and writes conditioned on the version read: a concurrent
     * writer in between makes this a 412 (when the caller named a version) or a 409 (retry).
     */
    public Stored<T> update(TenantId tenant, String collection, String id, OptionalLong ifMatch,
                            UnaryOperator<T> change) {
        Stored<T> current = get(tenant, collection, id);
        if (ifMatch.isPresent() && ifMatch.getAsLong() != current.version()) {
            throw ApiError.preconditionFailed(kind + " " + id + " is at version " + current.version()
                    + ", not " + ifMatch.getAsLong() + ": fetch it again and reapply your change");
        }
        T changed = change.apply(current.doc());
        var now = clock.instant();
        switch (store.replace(tenant, collection, id, Json.write(changed), current.version(), now)) {
            case DONE -> {
                return new Stored<>(id, current.version() + 1, current.createdAt(), now, changed);
            }
            case MISSING -> throw ApiError.notFound(kind + " " + id);
            default -> throw ifMatch.isPresent()
                    ? ApiError.preconditionFailed(kind + " " + id + " changed since version " + current.version())
                    : ApiError.conflict(kind + " " + id + " was changed concurrently; retry");
        }
    }

    public void delete(TenantId tenant, String collection, String id, OptionalLong ifMatch) {
        if (!ID.matcher(id).matches()) {
            throw ApiError.notFound(kind + " " + abbreviate(id));
        }
        switch (store.delete(tenant, collection, id, ifMatch)) {
            case DONE -> {
            }
            case MISSING -> throw ApiError.notFound(kind + " " + abbreviate(id));
            default -> throw ApiError.preconditionFailed(kind + " " + id + " is not at version "
                    + ifMatch.orElse(-1));
        }
    }

    /** The {@code If-Match} header as a version: {@code "3"}, {@code 3} or {@code *} (any). */
    public static OptionalLong ifMatch(Optional<String> header) {
        if (header.isEmpty() || header.get().strip().equals("*")) {
            return OptionalLong.empty();
        }
        String raw = header.get().strip();
        if (raw.startsWith("W/")) {
            raw = raw.substring(2);
        }
        raw = raw.replace("\"", "");
        try {
            long version = Long.parseLong(raw);
            if (version >= 1) {
                return OptionalLong.of(version);
            }
        } catch (NumberFormatException e) {
            // fall through to the 400
        }
        throw ApiError.invalidField("If-Match", "must be the ETag of the resource, e.g. \"3\"");
    }

    private Stored<T> typed(Versioned v) {
        return new Stored<>(v.id(), v.version(), v.createdAt(), v.updatedAt(), Json.parseStored(v.json(), type));
    }

    static String abbreviate(String text) {
        return text.length() <= 64 ? text : text.substring(0, 64) + "...";
    }
}
