package dev.skyloom.core.resources;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.skyloom.core.api.ApiError;
import dev.skyloom.core.api.Json;
import java.util.ArrayList;
import java.util.List;

/**
 * A pipeline: its head (name, description, latest version) and its versions, each the YAML as submitted. The
 * format is the pipelines issue's; until its compiler exists, this checks only what the API needs: a YAML mapping
 * with {@code id} (the pipeline id), {@code name}, and {@code steps} as a list when present.
 */
public record Pipeline(String name, String description, long latestVersion) {

    /** One stored version. */
    public record Version(long version, String yaml) {
    }

    /**
     * The body of {@code POST /pipelines}, {@code PUT /pipelines/{id}} and {@code POST /pipelines/validate}: the
     * YAML as {@code yaml} or as {@code definition} (the same; {@code yaml} wins when both are given). A raw
     * {@code application/yaml} body is read as {@code yaml} by the API.
     */
    public record Input(String yaml, String definition) {
        public Input {
            if (yaml == null) {
                yaml = definition;
            }
            definition = null;
        }

        public Input(String yaml) {
            this(yaml, null);
        }
    }

    /** What {@link #check} found in a definition. */
    public record Checked(String id, String name, String description, List<ApiError.Detail> problems) {
    }

    /** Parses and checks a definition; problems name the YAML field (prefixed {@code yaml.}). */
    public static Checked check(String yaml) {
        List<ApiError.Detail> problems = new ArrayList<>();
        if (yaml == null || yaml.isBlank()) {
            problems.add(new ApiError.Detail("yaml", "is required: the pipeline definition as YAML"));
            return new Checked(null, null, null, problems);
        }
        if (yaml.length() > 200_000) {
            problems.add(new ApiError.Detail("yaml", "must be at most 200000 characters"));
            return new Checked(null, null, null, problems);
        }
        JsonNode root;
        try {
            root = Json.YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            problems.add(new ApiError.Detail("yaml", "is not valid YAML" + (e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr())));
            return new Checked(null, null, null, problems);
        }
        if (root == null || !root.isObject()) {
            problems.add(new ApiError.Detail("yaml", "must be a mapping with at least id and name"));
            return new Checked(null, null, null, problems);
        }
        String id = root.path("id").isTextual() ? root.path("id").asText() : null;
        if (id == null || !Check.SLUG.matcher(id).matches()) {
            problems.add(new ApiError.Detail("yaml.id", "is required: 1-64 characters of a-z, 0-9, '_' and '-'"));
        }
        String name = root.path("name").isTextual() ? root.path("name").asText() : null;
        if (name == null || name.isBlank() || name.length() > 200) {
            problems.add(new ApiError.Detail("yaml.name", "is required: a string of 1-200 characters"));
        }
        if (root.has("steps") && !root.path("steps").isArray()) {
            problems.add(new ApiError.Detail("yaml.steps", "must be a list of steps"));
        }
        String description = root.path("description").isTextual() ? root.path("description").asText() : null;
        return new Checked(id, name, description, problems);
    }
}
