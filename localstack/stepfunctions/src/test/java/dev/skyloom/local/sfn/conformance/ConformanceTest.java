package dev.skyloom.local.sfn.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.local.sfn.SfnResponse;
import dev.skyloom.local.sfn.expr.Json;
import dev.skyloom.local.sfn.expr.JsonCompare;
import dev.skyloom.local.sfn.support.Sfn;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs the conformance corpus in {@code src/test/resources/conformance/*.json}: each file is an array of cases
 * {name, definition, input, mocks?, objects?, callbacks?, expect: {status, output?, error?, cause?, causeContains?,
 * createError?, messageContains?}, events?}. Written from the ASL specification and the AWS developer guide.
 */
class ConformanceTest {
    private static Sfn sfn;

    @BeforeAll
    static void startEngine() {
        sfn = Sfn.inMemory();
    }

    @AfterAll
    static void stopEngine() {
        sfn.close();
    }

    static Stream<Arguments> cases() throws IOException, URISyntaxException {
        Path dir = Paths.get(ConformanceTest.class.getResource("/conformance").toURI());
        List<Arguments> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                JsonNode arr;
                try (InputStream in = Files.newInputStream(f)) {
                    arr = Json.MAPPER.readTree(in);
                }
                for (JsonNode c : arr) {
                    String group = f.getFileName().toString().replace(".json", "");
                    out.add(Arguments.of(group + "/" + c.get("name").asText(), c));
                }
            }
        }
        return out.stream();
    }

    @Test
    void corpus_shouldHaveAtLeast200UniquelyNamedCases() throws Exception {
        List<String> names = cases().map(a -> (String) a.get()[0]).toList();
        assertThat(names).hasSizeGreaterThanOrEqualTo(200);
        Set<String> unique = new HashSet<>(names);
        assertThat(unique).hasSameSizeAs(names);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void conformance(String name, JsonNode c) throws Exception {
        String smName = name.replaceAll("[^A-Za-z0-9_-]", "_");
        JsonNode def = c.get("definition");
        String definition = def.isTextual() ? def.textValue() : Json.write(def);
        JsonNode expect = c.get("expect");
        sfn.integration.tokens.clear();
        if (c.has("mocks")) {
            c.get("mocks").fields().forEachRemaining(e -> sfn.integration.script(e.getKey(), e.getValue()));
        }
        if (c.has("objects")) {
            c.get("objects").fields().forEachRemaining(e -> {
                String[] bk = e.getKey().split("/", 2);
                sfn.integration.object(bk[0], bk[1], e.getValue());
            });
        }
        ObjectNode create = Json.object().put("name", smName).put("definition", definition)
                .put("roleArn", "arn:aws:iam::000000000000:role/sfn").put("type", c.path("type").asText("STANDARD"));
        SfnResponse created = sfn.raw("CreateStateMachine", create);
        if (expect.has("createError")) {
            assertThat(created.status()).as(created.bodyText()).isEqualTo(400);
            JsonNode err = Json.parse(created.body());
            assertThat(err.get("__type").asText()).isEqualTo("com.amazonaws.sfn#" + expect.get("createError").asText());
            if (expect.has("messageContains")) {
                for (JsonNode m : expect.get("messageContains")) {
                    assertThat(err.get("message").asText()).contains(m.asText());
                }
            }
            return;
        }
        assertThat(created.status()).as(created.bodyText()).isEqualTo(200);
        String smArn = Json.parse(created.body()).get("stateMachineArn").asText();
        JsonNode input = c.has("input") ? c.get("input") : Json.object();
        String ex = sfn.start(smArn, input.isTextual() && c.path("rawInput").asBoolean(false) ? input.textValue()
                : Json.write(input));
        for (JsonNode cb : c.path("callbacks")) {
            String token = sfn.integration.tokens.poll(10, TimeUnit.SECONDS);
            assertThat(token).as("a task token was issued").isNotNull();
            ObjectNode req = Json.object().put("taskToken", token);
            String action = cb.get("action").asText();
            if (cb.has("output")) {
                req.put("output", Json.write(cb.get("output")));
            }
            if (cb.has("error")) {
                req.put("error", cb.get("error").asText());
            }
            if (cb.has("cause")) {
                req.put("cause", cb.get("cause").asText());
            }
            sfn.call(action, req);
        }
        JsonNode d = sfn.await(ex, Duration.ofSeconds(20));
        String history = sfn.history(ex).toString();
        assertThat(d.get("status").asText()).as("status; describe=%s history=%s", d, history)
                .isEqualTo(expect.get("status").asText());
        if (expect.has("output")) {
            JsonNode actual = Json.parse(d.get("output").asText());
            assertThat(JsonCompare.equal(actual, expect.get("output")))
                    .as("output %s, expected %s", actual, expect.get("output")).isTrue();
        }
        if (expect.has("error")) {
            assertThat(d.path("error").asText()).as("error; describe=%s", d).isEqualTo(expect.get("error").asText());
        }
        if (expect.has("cause")) {
            assertThat(d.path("cause").asText()).isEqualTo(expect.get("cause").asText());
        }
        if (expect.has("causeContains")) {
            assertThat(d.path("cause").asText()).contains(expect.get("causeContains").asText());
        }
        if (c.has("events")) {
            List<String> expected = new ArrayList<>();
            c.get("events").forEach(e -> expected.add(e.asText()));
            assertThat(sfn.eventTypes(ex)).as("history %s", history).containsExactlyElementsOf(expected);
        }
    }
}
