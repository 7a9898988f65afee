package dev.skyloom.core.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import org.junit.jupiter.api.Test;

class JsonTest {
    record Inner(Double temperature, Integer maxOutputTokens) {
    }

    record Body(String name, Integer count, Boolean enabled, Inner inner, List<String> tags) {
    }

    private static ApiError.Detail problem(String body) {
        ApiError error = catchThrowableOfType(ApiError.class, () -> Json.read(body, Body.class));
        assertThat(error.status()).isEqualTo(400);
        return error.details().getFirst();
    }

    @Test
    void read_validBody_givesTheRecord() {
        Body body = Json.read("{\"name\":\"a\",\"count\":2,\"inner\":{\"temperature\":0.5},\"tags\":[\"x\"]}",
                Body.class);

        assertThat(body.name()).isEqualTo("a");
        assertThat(body.inner().temperature()).isEqualTo(0.5);
    }

    @Test
    void read_unknownField_namesItAndTheValidOnes() {
        ApiError.Detail detail = problem("{\"nme\":\"a\"}");

        assertThat(detail.field()).isEqualTo("nme");
        assertThat(detail.problem()).contains("count, enabled, inner, name, tags");
    }

    @Test
    void read_wrongTypes_nameTheNestedFieldAndTheExpectedType() {
        assertThat(problem("{\"count\":\"2\"}")).isEqualTo(new ApiError.Detail("count",
                "has the wrong type; expected an integer"));
        assertThat(problem("{\"count\":2.5}").field()).isEqualTo("count");
        assertThat(problem("{\"name\":5}").problem()).contains("a string");
        assertThat(problem("{\"enabled\":\"yes\"}").field()).isEqualTo("enabled");
        assertThat(problem("{\"inner\":{\"temperature\":\"hot\"}}").field()).isEqualTo("inner.temperature");
        assertThat(problem("{\"tags\":\"x\"}").field()).isEqualTo("tags");
        assertThat(problem("{\"tags\":[{}]}").field()).isEqualTo("tags[0]");
    }

    @Test
    void read_malformedEmptyDuplicateOrTrailing_isABodyProblem() {
        assertThat(problem("{\"name\":").field()).isEqualTo("body");
        assertThat(problem("").field()).isEqualTo("body");
        assertThat(problem("null").field()).isEqualTo("body");
        assertThat(problem("[1]").field()).isEqualTo("body");
        assertThat(problem("{\"name\":\"a\",\"name\":\"b\"}").field()).isEqualTo("body");
        assertThat(problem("{} {}").field()).isEqualTo("body");
        assertThat(problem("[".repeat(5000)).field()).isEqualTo("body");
    }
}
