package dev.skyloom.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every example pipeline in {@code statemachines/examples/} compiles, for {@link CompileTarget#placeholders()} and
 * {@link TestAgents#STANDARD}, to exactly its checked-in {@code statemachines/golden/<name>.asl.json}, so any change
 * of the generated ASL shows in review. To regenerate after an intended change:
 * {@code mvn -o -B -pl functions/core test -Dtest=PipelineGoldenTest -Dskyloom.golden.update=true}.
 */
class PipelineGoldenTest {
    private static final boolean UPDATE = Boolean.getBoolean("skyloom.golden.update");
    private static final Path ROOT = root();

    static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("statemachines/examples"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("statemachines/examples not found above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    static Stream<String> examples() throws IOException {
        try (Stream<Path> files = Files.list(ROOT.resolve("statemachines/examples"))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml"))
                    .map(n -> n.substring(0, n.length() - ".yaml".length())).sorted().toList().stream();
        }
    }

    static Compilation compile(String name) throws IOException {
        String yaml = Files.readString(ROOT.resolve("statemachines/examples/" + name + ".yaml"));
        return PipelineCompiler.create().compile(yaml, TestAgents.STANDARD, CompileTarget.placeholders());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void compile_example_matchesGoldenFile(String name) throws IOException {
        Compilation compilation = compile(name);
        assertThat(compilation.errors()).as("errors of " + name).isEmpty();
        Path golden = ROOT.resolve("statemachines/golden/" + name + ".asl.json");
        if (UPDATE) {
            Files.writeString(golden, compilation.asl(), StandardCharsets.UTF_8);
        }
        assertThat(Files.exists(golden)).as(golden + " exists (regenerate with -Dskyloom.golden.update=true)")
                .isTrue();
        assertThat(compilation.asl()).as("ASL of " + name + " differs from " + golden
                + "; if the change is intended, regenerate with -Dskyloom.golden.update=true and review the diff")
                .isEqualTo(Files.readString(golden, StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void compile_example_isStructurallyValidAsl(String name) throws IOException {
        Compilation compilation = compile(name);

        assertThat(AslStructure.problems(new ObjectMapper().readTree(compilation.asl()))).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void compile_sameYamlTwice_givesByteIdenticalAsl(String name) throws IOException {
        assertThat(compile(name).asl()).isEqualTo(compile(name).asl());
    }

    @Test
    void goldenFiles_areAllFromExamples_andNotDeployedAsPlatformMachines() throws IOException {
        List<String> examples = examples().toList();
        try (Stream<Path> files = Files.list(ROOT.resolve("statemachines/golden"))) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted())
                    .containsExactlyElementsOf(examples.stream().map(n -> n + ".asl.json").toList());
        }
        assertThat(examples).hasSizeGreaterThanOrEqualTo(5);
    }
}
