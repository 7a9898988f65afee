package dev.skyloom.local.sfn.runtime;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.local.sfn.expr.Json;
import java.io.IOException;

/**
 * One history event, kept compact (the hot StateEntered/StateExited events carry a name and a JSON payload text;
 * other events a details object) and turned into AWS's JSON shape only when the API asks for it.
 *
 * @param frameId the frame the event belongs to (-1: the execution itself); not part of the API shape
 */
record HistoryEvent(int frameId, long id, long previousEventId, long timestamp, String type, String detailsKey,
        String name, String payloadKey, String payload, ObjectNode details, ObjectNode assigned) {

    /** The event as GetExecutionHistory returns it (timestamp still in epoch milliseconds). */
    ObjectNode toJson() {
        ObjectNode e = Json.object();
        e.put("timestamp", timestamp);
        e.put("type", type);
        e.put("id", id);
        e.put("previousEventId", previousEventId);
        if (detailsKey != null) {
            ObjectNode d = details != null ? details.deepCopy() : Json.object();
            if (name != null) {
                d.put("name", name);
            }
            if (payloadKey != null) {
                d.put(payloadKey, payload);
                d.putObject(payloadKey + "Details").put("truncated", false);
            }
            if (assigned != null) {
                d.set("assignedVariables", assigned);
                d.putObject("assignedVariablesDetails").put("truncated", false);
            }
            e.set(detailsKey, d);
        }
        return e;
    }

    /** Journal form: a compact array. */
    void write(JsonGenerator g) throws IOException {
        g.writeStartArray();
        g.writeNumber(frameId);
        g.writeNumber(id);
        g.writeNumber(previousEventId);
        g.writeNumber(timestamp);
        g.writeString(type);
        writeNullable(g, detailsKey);
        writeNullable(g, name);
        writeNullable(g, payloadKey);
        writeNullable(g, payload);
        if (details == null) {
            g.writeNull();
        } else {
            details.serialize(g, Json.PROVIDER);
        }
        if (assigned == null) {
            g.writeNull();
        } else {
            assigned.serialize(g, Json.PROVIDER);
        }
        g.writeEndArray();
    }

    private static void writeNullable(JsonGenerator g, String s) throws IOException {
        if (s == null) {
            g.writeNull();
        } else {
            g.writeString(s);
        }
    }

    com.fasterxml.jackson.databind.node.ArrayNode toArrayNode() {
        com.fasterxml.jackson.databind.node.ArrayNode a = Json.array();
        a.add(frameId).add(id).add(previousEventId).add(timestamp).add(type).add(detailsKey).add(name)
                .add(payloadKey).add(payload);
        a.add(details == null ? Json.NODES.nullNode() : details);
        a.add(assigned == null ? Json.NODES.nullNode() : assigned);
        return a;
    }

    static HistoryEvent read(JsonNode a) {
        return new HistoryEvent(a.get(0).intValue(), a.get(1).longValue(), a.get(2).longValue(), a.get(3).longValue(),
                a.get(4).textValue(), a.get(5).textValue(), a.get(6).textValue(), a.get(7).textValue(),
                a.get(8).textValue(), a.get(9).isNull() ? null : (ObjectNode) a.get(9),
                a.get(10).isNull() ? null : (ObjectNode) a.get(10));
    }
}
