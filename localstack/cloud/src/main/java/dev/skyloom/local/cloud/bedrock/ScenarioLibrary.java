package dev.skyloom.local.cloud.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The scenarios of a directory, one {@code <name>.yaml} (or {@code .yml}) each. A file is read when first asked for
 * and read again when it changes (hot reload: edit a script while the cloud runs).
 */
final class ScenarioLibrary {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private record Loaded(FileTime modified, long size, Scenario scenario) {
    }

    private final Path dir;
    private final Map<Path, Loaded> cache = new ConcurrentHashMap<>();

    ScenarioLibrary(Path dir) {
        this.dir = dir;
    }

    Path dir() {
        return dir;
    }

    /** The scenario {@code name}; a ResourceNotFoundException (listing the ones there are) when there is none. */
    Scenario get(String name) {
        if (!NAME.matcher(name).matches()) {
            throw BedrockException.validation("The scenario name '" + name + "' is not valid: use letters, digits, "
                    + "'.', '_' and '-' (the file <models-dir>/<name>.yaml)");
        }
        for (String extension : List.of(".yaml", ".yml")) {
            Path file = dir.resolve(name + extension);
            try {
                BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
                Loaded loaded = cache.get(file);
                if (loaded == null || !loaded.modified().equals(attributes.lastModifiedTime())
                        || loaded.size() != attributes.size()) {
                    loaded = new Loaded(attributes.lastModifiedTime(), attributes.size(), read(name, file));
                    cache.put(file, loaded);
                }
                return loaded.scenario();
            } catch (NoSuchFileException e) {
                cache.remove(file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read scenario file " + file, e);
            }
        }
        throw new BedrockException("ResourceNotFoundException", "The scenario '" + name + "' does not exist: there "
                + "is no " + name + ".yaml in " + dir.toAbsolutePath() + ". Scenarios there: " + names()
                + ". (Model ids other than skyloom.scenario.<name> get the deterministic default model.)");
    }

    private static Scenario read(String name, Path file) throws IOException {
        JsonNode root;
        try {
            root = YAML.readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new Scenario.InvalidScenarioException("scenario '" + name + "': " + file + " is not valid YAML: "
                    + e.getOriginalMessage());
        }
        return Scenario.parse(name, root);
    }

    private String names() {
        if (!Files.isDirectory(dir)) {
            return "(none: the directory does not exist)";
        }
        try (Stream<Path> files = Files.list(dir)) {
            List<String> names = files.map(f -> f.getFileName().toString())
                    .filter(f -> f.endsWith(".yaml") || f.endsWith(".yml"))
                    .map(f -> f.substring(0, f.lastIndexOf('.'))).sorted().toList();
            return names.isEmpty() ? "(none)" : String.join(", ", names);
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }
}
