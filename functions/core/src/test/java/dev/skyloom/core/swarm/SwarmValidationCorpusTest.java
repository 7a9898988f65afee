package dev.skyloom.core.swarm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skyloom.core.api.ApiError;
import dev.skyloom.core.pipeline.AgentDirectory;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The invalid-swarm corpus ({@code invalid-swarms.json}): each case is a request body and the exact 400 message it
 * must get (and, when given, the fields of every detail, in order).
 */
class SwarmValidationCorpusTest {
    static final ObjectMapper JSON = new ObjectMapper();

    /** planner, coder, analyst, reviewer with fixed ids. */
    static final AgentDirectory AGENTS = new AgentDirectory() {
        private final Map<String, String> byName = new TreeMap<>(Map.of("planner", "agt_00000000000000a1",
                "coder", "agt_00000000000000a2", "analyst", "agt_00000000000000a3", "reviewer",
                "agt_00000000000000a4"));

        @Override
        public Optional<String> resolve(String idOrName) {
            return byName.containsValue(idOrName) ? Optional.of(idOrName) : Optional.ofNullable(byName.get(idOrName));
        }

        @Override
        public List<String> names() {
            return List.copyOf(byName.keySet());
        }
    };

    static List<JsonNode> corpus() throws IOException {
        try (InputStream in = SwarmValidationCorpusTest.class.getResourceAsStream("invalid-swarms.json")) {
            List<JsonNode> cases = new ArrayList<>();
            JSON.readTree(in).forEach(cases::add);
            return cases;
        }
    }

    static Stream<String> names() throws IOException {
        return corpus().stream().map(c -> c.get("name").asText());
    }

    @Test
    void corpus_hasAtLeastTwentyCases() throws IOException {
        assertThat(corpus()).hasSizeGreaterThanOrEqualTo(20);
        assertThat(corpus().stream().map(c -> c.get("name").asText()).distinct()).hasSameSizeAs(corpus());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("names")
    void validate_invalidSwarm_answers400NamingTheProblem(String name) throws IOException {
        JsonNode c = corpus().stream().filter(x -> x.get("name").asText().equals(name)).findFirst().orElseThrow();
        int maxTasks = c.path("maxTasks").asInt(SwarmValidator.DEFAULT_MAX_TASKS);

        ApiError error = catchThrowableOfType(ApiError.class,
                () -> new SwarmValidator(AGENTS, maxTasks).validate(c.get("swarm")));

        assertThat(error).as(name).isNotNull();
        assertThat(error.status()).isEqualTo(400);
        assertThat(error.code()).isEqualTo("BAD_REQUEST");
        assertThat(error.getMessage()).isEqualTo(c.get("expect").asText());
        assertThat(error.details()).isNotEmpty();
        if (c.has("details")) {
            List<String> fields = new ArrayList<>();
            c.get("details").forEach(f -> fields.add(f.asText()));
            assertThat(error.details()).extracting(ApiError.Detail::field).containsExactlyElementsOf(fields);
        }
    }
}
