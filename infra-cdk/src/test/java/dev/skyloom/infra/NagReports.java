package dev.skyloom.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The JSON reports cdk-nag writes into the cloud assembly, one per pack and stack: every rule's verdict on every
 * resource ({@code Compliant}, {@code Non-Compliant}, {@code Suppressed}, {@code N/A}, or {@code UNKNOWN} when the
 * rule could not evaluate).
 */
record NagReports(List<Line> lines) {
    private static final ObjectMapper JSON = new ObjectMapper();

    static NagReports read(Path assembly) {
        List<Line> lines = new ArrayList<>();
        try (Stream<Path> files = Files.list(assembly)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith("-NagReport.json")).toList()) {
                String name = file.getFileName().toString();
                String pack = name.substring(0, name.indexOf('-'));
                String stack = name.substring(pack.length() + 1, name.length() - "-NagReport.json".length());
                for (JsonNode line : JSON.readTree(file.toFile()).path("lines")) {
                    lines.add(new Line(pack, stack, line.path("ruleId").asText(), line.path("resourceId").asText(),
                            line.path("compliance").asText(), line.path("exceptionReason").asText(),
                            line.path("ruleLevel").asText()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the cdk-nag reports in " + assembly, e);
        }
        return new NagReports(List.copyOf(lines));
    }

    List<Line> withCompliance(String compliance) {
        return lines.stream().filter(l -> l.compliance().equals(compliance)).toList();
    }

    /** One verdict. */
    record Line(String pack, String stack, String ruleId, String resourceId, String compliance, String reason,
                String level) {
        @Override
        public String toString() {
            return ruleId + " " + compliance + " on " + stack + "/" + resourceId + (reason.isEmpty() || reason.equals("N/A")
                    ? "" : " (" + reason + ")");
        }
    }
}
