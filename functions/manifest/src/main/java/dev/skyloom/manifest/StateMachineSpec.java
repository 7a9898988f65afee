package dev.skyloom.manifest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * A Step Functions state machine, declared by a file {@code statemachines/<name>.asl.json}. The definition is kept
 * as written, with its {@code ${...}} placeholders; each deployer fills them in with the values named by
 * {@link DefinitionSubstitutions} (the CDK app through CloudFormation's {@code DefinitionSubstitutions}).
 *
 * @param name       the logical name, from the file name without {@code .asl.json}
 * @param definition the Amazon States Language document before substitution
 */
public record StateMachineSpec(String name, String definition) {
    /** The suffix that marks a deployable definition in the {@code statemachines/} folder. */
    public static final String SUFFIX = ".asl.json";

    public StateMachineSpec {
        Names.requireLogical("state machine", name);
        Objects.requireNonNull(definition, "definition of state machine " + name);
        if (definition.isBlank()) {
            throw new IllegalArgumentException("state machine " + name + ": the definition is empty");
        }
    }

    /**
     * Every {@code *.asl.json} directly in {@code directory} (sub-folders such as {@code golden/} hold test
     * fixtures and are not deployed), sorted by name. A missing directory declares no state machine.
     */
    public static List<StateMachineSpec> discover(Path directory) {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        List<StateMachineSpec> specs = new ArrayList<>();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.filter(Files::isRegularFile)
                    .filter(f -> f.getFileName().toString().endsWith(SUFFIX))
                    .sorted(Comparator.comparing(f -> f.getFileName().toString())).toList()) {
                String fileName = file.getFileName().toString();
                String name = fileName.substring(0, fileName.length() - SUFFIX.length());
                try {
                    specs.add(new StateMachineSpec(name, Files.readString(file, StandardCharsets.UTF_8)));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the state machine definitions in " + directory, e);
        }
        return List.copyOf(specs);
    }
}
