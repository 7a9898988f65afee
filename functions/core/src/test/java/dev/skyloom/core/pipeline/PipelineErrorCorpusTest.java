package dev.skyloom.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyloom.core.api.ApiError;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The malformed-pipeline corpus: every file in {@code src/test/resources/dev/skyloom/core/pipeline/invalid/} ends
 * with {@code # expect: <field> @ <line>:<column>: <message>} lines, exactly the errors the compiler must report, in
 * order (all of them, not just the first). The lines are written by hand; a new case starts from the output of
 * {@code -Dskyloom.corpus.print=true}, checked by eye.
 */
class PipelineErrorCorpusTest {
    private static final String EXPECT = "# expect: ";

    static Stream<String> cases() throws IOException, URISyntaxException {
        try (Stream<Path> files = Files.list(dir())) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml")).sorted().toList()
                    .stream();
        }
    }

    private static Path dir() throws URISyntaxException {
        return Path.of(PipelineErrorCorpusTest.class.getResource("invalid").toURI());
    }

    static String line(PipelineError e) {
        return e.field() + " @ " + e.line() + ":" + e.column() + ": " + e.message();
    }

    @org.junit.jupiter.api.Test
    void corpus_hasAtLeastFortyCases() throws Exception {
        assertThat(cases().count()).isGreaterThanOrEqualTo(40);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void compile_malformedPipeline_reportsExactlyTheExpectedErrors(String name) throws Exception {
        String yaml = Files.readString(dir().resolve(name), StandardCharsets.UTF_8);
        List<String> expected = yaml.lines().filter(l -> l.startsWith(EXPECT))
                .map(l -> l.substring(EXPECT.length())).toList();

        Compilation compilation = PipelineCompiler.create().compile(yaml, TestAgents.STANDARD,
                CompileTarget.placeholders());

        List<String> actual = compilation.errors().stream().map(PipelineErrorCorpusTest::line).toList();
        if (Boolean.getBoolean("skyloom.corpus.print")) {
            System.out.println("### " + name);
            actual.forEach(a -> System.out.println(EXPECT + a));
        }
        assertThat(expected).as("%s has no '# expect:' lines", name).isNotEmpty();
        assertThat(actual).as(name).containsExactlyElementsOf(expected);
        assertThat(compilation.asl()).isNull();
        ApiError error = compilation.toApiError();
        assertThat(error.status()).isEqualTo(400);
        assertThat(error.details()).hasSameSizeAs(expected);
        assertThat(error.getMessage()).contains(compilation.errors().getFirst().message());
        if (compilation.errors().getFirst().line() > 0) {
            assertThat(error.getMessage()).contains("line " + compilation.errors().getFirst().line());
        }
    }
}
