package dev.skyloom.core.resources;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.core.api.Json;
import java.time.Instant;

/** A resource as the API shows it: its document plus id, version and times; {@link #etag()} for HTTP. */
public record Stored<T>(String id, long version, Instant createdAt, Instant updatedAt, T doc) {

    public ObjectNode toJson() {
        ObjectNode json = Json.MAPPER.createObjectNode();
        json.put("id", id);
        json.setAll((ObjectNode) Json.tree(doc));
        json.put("version", version);
        json.put("createdAt", createdAt.toString());
        json.put("updatedAt", updatedAt.toString());
        return json;
    }

    public String etag() {
        return "\"" + version + "\"";
    }
}
