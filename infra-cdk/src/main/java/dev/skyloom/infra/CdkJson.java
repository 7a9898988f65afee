package dev.skyloom.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code context} of {@code infra-cdk/cdk.json}: the CDK feature flags this app is written against (the
 * recommended set of aws-cdk-lib 2.263). The CDK CLI passes them to the app itself; {@code ./skyloom synth} and the
 * tests run the app without the CLI and load them here, so every way of synthesizing gives the same template.
 */
public final class CdkJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private CdkJson() {
    }

    public static Map<String, Object> context(Path cdkJson) {
        try {
            JsonNode context = JSON.readTree(Files.readString(cdkJson)).path("context");
            Map<String, Object> values = new LinkedHashMap<>();
            context.properties().forEach(entry -> values.put(entry.getKey(),
                    JSON.convertValue(entry.getValue(), Object.class)));
            return values;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the CDK context of " + cdkJson.toAbsolutePath(), e);
        }
    }
}
