package dev.skyloom.core.resources;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.skyloom.core.api.ApiError;
import dev.skyloom.core.api.Json;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A skill: Markdown with YAML front matter ({@code name}, {@code description}, {@code tags}, {@code enabled}). Its id
 * is its name.
 */
public record Skill(String name, String description, List<String> tags, boolean enabled, String markdown) {

    /** The body of {@code POST /skills} and {@code PUT /skills/{name}}. */
    public record Input(String markdown) {
    }

    /** The front matter fields. */
    public record FrontMatter(String name, String description, List<String> tags, Boolean enabled) {
    }

    /** Parses and checks the Markdown; every problem is a 400 naming {@code markdown} and the front matter field. */
    public static Skill parse(String markdown) {
        new Check().text("markdown", markdown, true, 100_000).orThrow();
        String text = markdown.replace("\r\n", "\n");
        if (!text.startsWith("---\n")) {
            throw ApiError.invalidField("markdown", "must start with YAML front matter: a line '---', the fields "
                    + "name, description, tags, enabled, and a closing line '---'");
        }
        int end = text.indexOf("\n---", 3);
        if (end < 0) {
            throw ApiError.invalidField("markdown", "front matter has no closing '---' line");
        }
        FrontMatter front;
        try {
            front = Json.YAML.readValue(text.substring(4, end + 1), FrontMatter.class);
        } catch (UnrecognizedPropertyException e) {
            throw ApiError.invalidField("markdown.frontMatter." + e.getPropertyName(),
                    "is not a front matter field; valid fields: description, enabled, name, tags");
        } catch (JsonMappingException e) {
            String field = e.getPath().stream().map(r -> r.getFieldName() == null ? "[" + r.getIndex() + "]"
                    : r.getFieldName()).collect(Collectors.joining("."));
            throw ApiError.invalidField("markdown.frontMatter" + (field.isEmpty() ? "" : "." + field),
                    e instanceof com.fasterxml.jackson.databind.exc.MismatchedInputException
                            ? "has the wrong type (name and description are strings, tags a list of strings, "
                            + "enabled true or false)" : "is not valid YAML");
        } catch (JsonProcessingException e) {
            throw ApiError.invalidField("markdown.frontMatter", "is not valid YAML"
                    + (e.getLocation() == null ? "" : " at line " + (e.getLocation().getLineNr() + 1)));
        }
        if (front == null) {
            throw ApiError.invalidField("markdown.frontMatter", "is empty: name and description are required");
        }
        new Check().required("markdown.frontMatter.name", front.name())
                .matches("markdown.frontMatter.name", front.name(), Check.SLUG,
                        "1-64 characters of a-z, 0-9, '_' and '-'")
                .text("markdown.frontMatter.description", front.description(), true, 1000)
                .list("markdown.frontMatter.tags", front.tags(), 20, Check.SLUG,
                        "a tag of a-z, 0-9, '_' and '-'")
                .orThrow();
        return new Skill(front.name(), front.description(), front.tags() == null ? List.of() : front.tags(),
                front.enabled() == null || front.enabled(), markdown);
    }
}
