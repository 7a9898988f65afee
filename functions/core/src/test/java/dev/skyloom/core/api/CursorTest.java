package dev.skyloom.core.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CursorTest {
    private static ApiRequest withQuery(Map<String, String> query) {
        return new ApiRequest("r", "GET", "/x", Map.of(), query, Map.of(), null);
    }

    @Test
    void encode_thenDecode_givesThePositionBack() {
        String cursor = Cursor.encode(Map.of("sk", "PROJECT#prj_1"));

        assertThat(cursor).doesNotContain("PROJECT");
        assertThat(Cursor.decode(Optional.of(cursor))).contains(Map.of("sk", "PROJECT#prj_1"));
        assertThat(Cursor.decode(Optional.empty())).isEmpty();
    }

    @Test
    void decode_anythingElse_is400OnCursor() {
        for (String bad : new String[] {"%%%", "e30", "WzFd", "not a cursor", "eyJzayI6MX0"}) {
            ApiError error = catchThrowableOfType(ApiError.class, () -> Cursor.decode(Optional.of(bad)));
            assertThat(error.status()).as(bad).isEqualTo(400);
            assertThat(error.details().getFirst().field()).isEqualTo("cursor");
        }
    }

    @Test
    void limit_defaultsTo25_andAccepts1To100Only() {
        assertThat(Cursor.limit(withQuery(Map.of()))).isEqualTo(25);
        assertThat(Cursor.limit(withQuery(Map.of("limit", "100")))).isEqualTo(100);
        for (String bad : new String[] {"0", "101", "-1", "ten", "1e2"}) {
            assertThat(catchThrowableOfType(ApiError.class, () -> Cursor.limit(withQuery(Map.of("limit", bad))))
                    .details().getFirst().field()).isEqualTo("limit");
        }
    }
}
