package dev.skyloom.local.sfn.api;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.local.sfn.SfnResponse;
import dev.skyloom.local.sfn.expr.Json;
import dev.skyloom.local.sfn.runtime.Operations;
import dev.skyloom.local.sfn.runtime.ServiceException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The AWS JSON 1.0 wire layer: dispatches an {@code X-Amz-Target} action to {@link Operations}, converts dates to
 * epoch seconds, and is the one place that maps errors to statuses ({@code 400} with
 * {@code {"__type":"com.amazonaws.sfn#Code","message":...}}; anything unexpected becomes a logged 500).
 */
public final class SfnApi {
    private static final Logger LOG = LoggerFactory.getLogger(SfnApi.class);
    private static final Set<String> DATE_FIELDS = Set.of("creationDate", "updateDate", "startDate", "stopDate",
            "redriveDate", "timestamp");

    private final Map<String, Function<JsonNode, ObjectNode>> actions;

    public SfnApi(Operations ops) {
        this.actions = Map.ofEntries(
                Map.entry("CreateStateMachine", ops::createStateMachine),
                Map.entry("DescribeStateMachine", ops::describeStateMachine),
                Map.entry("UpdateStateMachine", ops::updateStateMachine),
                Map.entry("DeleteStateMachine", ops::deleteStateMachine),
                Map.entry("ListStateMachines", ops::listStateMachines),
                Map.entry("PublishStateMachineVersion", ops::publishStateMachineVersion),
                Map.entry("ListStateMachineVersions", ops::listStateMachineVersions),
                Map.entry("DeleteStateMachineVersion", ops::deleteStateMachineVersion),
                Map.entry("ValidateStateMachineDefinition", ops::validateStateMachineDefinition),
                Map.entry("StartExecution", ops::startExecution),
                Map.entry("StartSyncExecution", ops::startSyncExecution),
                Map.entry("DescribeExecution", ops::describeExecution),
                Map.entry("DescribeStateMachineForExecution", ops::describeStateMachineForExecution),
                Map.entry("ListExecutions", ops::listExecutions),
                Map.entry("GetExecutionHistory", ops::getExecutionHistory),
                Map.entry("StopExecution", ops::stopExecution),
                Map.entry("RedriveExecution", ops::redriveExecution),
                Map.entry("SendTaskSuccess", ops::sendTaskSuccess),
                Map.entry("SendTaskFailure", ops::sendTaskFailure),
                Map.entry("SendTaskHeartbeat", ops::sendTaskHeartbeat),
                Map.entry("TagResource", ops::tagResource),
                Map.entry("UntagResource", ops::untagResource),
                Map.entry("ListTagsForResource", ops::listTagsForResource));
    }

    public SfnResponse handle(String action, byte[] body) {
        Function<JsonNode, ObjectNode> op = actions.get(action);
        if (op == null) {
            return error(400, "UnknownOperationException", "Unknown operation '" + action + "'. Supported: "
                    + new java.util.TreeSet<>(actions.keySet()));
        }
        JsonNode req;
        try {
            req = body == null || body.length == 0 ? Json.object() : Json.parse(body);
        } catch (IllegalArgumentException e) {
            return error(400, "SerializationException", "The request body is not valid JSON: " + e.getMessage());
        }
        if (!req.isObject()) {
            return error(400, "SerializationException", "The request body must be a JSON object");
        }
        try {
            return new SfnResponse(200, write(op.apply(req)));
        } catch (ServiceException e) {
            return error(400, e.code(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("sfn_api_failure action={}", action, e);
            return error(500, "InternalServerError", "Internal error: " + e);
        }
    }

    private static SfnResponse error(int status, String code, String message) {
        ObjectNode o = Json.object();
        o.put("__type", "com.amazonaws.sfn#" + code);
        o.put("message", message);
        return new SfnResponse(status, Json.bytes(o));
    }

    private static byte[] write(JsonNode response) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
            writeNode(g, response, null);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    private static void writeNode(JsonGenerator g, JsonNode n, String key) throws IOException {
        if (key != null && DATE_FIELDS.contains(key) && n.isIntegralNumber()) {
            g.writeNumber(BigDecimal.valueOf(n.longValue(), 3));
            return;
        }
        if (n.isObject()) {
            g.writeStartObject();
            for (Iterator<Map.Entry<String, JsonNode>> it = n.properties().iterator(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getValue().isNull()) {
                    continue;
                }
                g.writeFieldName(e.getKey());
                writeNode(g, e.getValue(), e.getKey());
            }
            g.writeEndObject();
        } else if (n.isArray()) {
            g.writeStartArray();
            for (JsonNode e : n) {
                writeNode(g, e, null);
            }
            g.writeEndArray();
        } else {
            Json.MAPPER.writeTree(g, n);
        }
    }
}
