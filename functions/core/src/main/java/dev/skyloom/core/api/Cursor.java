package dev.skyloom.core.api;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Opaque pagination cursors: the storage position a list stopped at, base64url-encoded. Clients pass it back
 * unchanged as {@code ?cursor=}; anything else is a 400 on {@code cursor}. A cursor only positions a query inside
 * the caller's own tenant partition (the partition comes from the credential, never from the cursor).
 */
public final class Cursor {
    private Cursor() {
    }

    public static String encode(Map<String, String> position) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Json.write(new TreeMap<>(position))
                .getBytes(StandardCharsets.UTF_8));
    }

    public static Optional<Map<String, String>> decode(Optional<String> cursor) {
        if (cursor.isEmpty()) {
            return Optional.empty();
        }
        try {
            String json = new String(Base64.getUrlDecoder().decode(cursor.get()), StandardCharsets.UTF_8);
            @SuppressWarnings("unchecked")
            Map<String, Object> raw = Json.MAPPER.readValue(json, Map.class);
            Map<String, String> position = new TreeMap<>();
            for (Map.Entry<String, Object> e : raw.entrySet()) {
                if (!(e.getValue() instanceof String s)) {
                    throw new IllegalArgumentException("not a cursor");
                }
                position.put(e.getKey(), s);
            }
            if (position.isEmpty()) {
                throw new IllegalArgumentException("not a cursor");
            }
            return Optional.of(position);
        } catch (Exception e) {
            throw ApiError.invalidField("cursor", "is not a cursor this API issued: pass the nextCursor of the "
                    + "previous page unchanged, or omit it for the first page");
        }
    }

    /** The {@code limit} query parameter: 1..100, default 25. */
    public static int limit(ApiRequest request) {
        Optional<String> raw = request.queryParam("limit");
        if (raw.isEmpty()) {
            return 25;
        }
        try {
            int limit = Integer.parseInt(raw.get());
            if (limit >= 1 && limit <= 100) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // fall through to the 400
        }
        throw ApiError.invalidField("limit", "must be an integer from 1 to 100");
    }
}
