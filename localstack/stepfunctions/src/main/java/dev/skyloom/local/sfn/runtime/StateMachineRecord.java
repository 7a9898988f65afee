package dev.skyloom.local.sfn.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.local.sfn.expr.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A state machine with its current revision, its published versions and tags. Journaled whole on each change. */
final class StateMachineRecord {
    String arn;
    String name;
    String type; // STANDARD | EXPRESS
    String roleArn;
    String definition;
    String revisionId;
    long creationDate;
    long updateDate;
    JsonNode loggingConfiguration;
    JsonNode tracingConfiguration;
    JsonNode encryptionConfiguration;
    String description;
    Map<String, String> tags = new LinkedHashMap<>();
    List<Version> versions = new ArrayList<>();
    int nextVersion = 1;

    /** A published version: an immutable revision. */
    record Version(int number, String arn, String definition, String roleArn, String revisionId, String description,
            long creationDate) {
    }

    ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("arn", arn).put("name", name).put("type", type).put("roleArn", roleArn).put("definition", definition)
                .put("revisionId", revisionId).put("creationDate", creationDate).put("updateDate", updateDate)
                .put("description", description).put("nextVersion", nextVersion);
        o.set("logging", loggingConfiguration);
        o.set("tracing", tracingConfiguration);
        o.set("encryption", encryptionConfiguration);
        ObjectNode t = o.putObject("tags");
        tags.forEach(t::put);
        ArrayNode vs = o.putArray("versions");
        for (Version v : versions) {
            vs.addObject().put("number", v.number()).put("arn", v.arn()).put("definition", v.definition())
                    .put("roleArn", v.roleArn()).put("revisionId", v.revisionId()).put("description", v.description())
                    .put("creationDate", v.creationDate());
        }
        return o;
    }

    static StateMachineRecord fromJson(JsonNode o) {
        StateMachineRecord r = new StateMachineRecord();
        r.arn = o.get("arn").textValue();
        r.name = o.get("name").textValue();
        r.type = o.get("type").textValue();
        r.roleArn = o.path("roleArn").textValue();
        r.definition = o.get("definition").textValue();
        r.revisionId = o.path("revisionId").textValue();
        r.creationDate = o.get("creationDate").longValue();
        r.updateDate = o.get("updateDate").longValue();
        r.description = o.path("description").textValue();
        r.nextVersion = o.path("nextVersion").asInt(1);
        r.loggingConfiguration = nullToNull(o.get("logging"));
        r.tracingConfiguration = nullToNull(o.get("tracing"));
        r.encryptionConfiguration = nullToNull(o.get("encryption"));
        o.path("tags").properties().forEach(e -> r.tags.put(e.getKey(), e.getValue().asText()));
        for (JsonNode v : o.path("versions")) {
            r.versions.add(new Version(v.get("number").intValue(), v.get("arn").textValue(),
                    v.get("definition").textValue(), v.path("roleArn").textValue(), v.path("revisionId").textValue(),
                    v.path("description").textValue(), v.get("creationDate").longValue()));
        }
        return r;
    }

    private static JsonNode nullToNull(JsonNode n) {
        return n == null || n.isNull() ? null : n;
    }

    Version version(int number) {
        for (Version v : versions) {
            if (v.number() == number) {
                return v;
            }
        }
        return null;
    }
}
