package dev.skyloom.local.cloud.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.skyloom.local.cloud.edge.AwsErrors;
import dev.skyloom.local.cloud.edge.ServiceHandler;
import dev.skyloom.local.cloud.http.HttpExchanges;
import java.io.IOException;

/**
 * The EventBridge API on the edge (AWS JSON 1.1, {@code X-Amz-Target: AWSEvents.<Action>}): event buses, rules,
 * targets, PutEvents and TestEventPattern.
 */
public final class EventBridgeApi implements ServiceHandler {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PREFIX = "AWSEvents.";
    private static final int MAX_REQUEST = 1024 * 1024;

    private final LocalEventBridge events;

    public EventBridgeApi(LocalEventBridge events) {
        this.events = events;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
        if (target == null || !target.startsWith(PREFIX)) {
            AwsErrors.json(exchange, 400, "UnknownOperationException", "EventBridge takes POST / with "
                    + "X-Amz-Target: AWSEvents.<Action>");
            return;
        }
        JsonNode request;
        try {
            byte[] body = HttpExchanges.readBody(exchange, MAX_REQUEST);
            request = body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body);
            if (request == null || !request.isObject()) {
                throw new IOException("not an object");
            }
        } catch (HttpExchanges.BodyTooLargeException e) {
            AwsErrors.json(exchange, 413, "RequestEntityTooLargeException", e.getMessage());
            return;
        } catch (IOException e) {
            AwsErrors.json(exchange, 400, "SerializationException", "The request body must be a JSON object");
            return;
        }
        try {
            JsonNode response = dispatch(target.substring(PREFIX.length()), request);
            HttpExchanges.send(exchange, 200, "application/x-amz-json-1.1", JSON.writeValueAsBytes(response));
        } catch (EventBridgeException e) {
            AwsErrors.json(exchange, 400, e.code(), e.getMessage());
        }
    }

    private JsonNode dispatch(String action, JsonNode r) {
        String bus = r.path("EventBusName").asText("default");
        ObjectNode out = JSON.createObjectNode();
        switch (action) {
            case "CreateEventBus" -> out.put("EventBusArn", events.createEventBus(text(r, "Name")));
            case "DeleteEventBus" -> events.deleteEventBus(text(r, "Name"));
            case "DescribeEventBus" -> {
                String name = r.path("Name").asText("default");
                if (!events.busNames().contains(name)) {
                    throw new EventBridgeException("ResourceNotFoundException", "Event bus " + name
                            + " does not exist.");
                }
                out.put("Name", name).put("Arn", events.busArn(name));
            }
            case "ListEventBuses" -> {
                ArrayNode buses = out.putArray("EventBuses");
                events.busNames().forEach(name -> buses.addObject().put("Name", name).put("Arn", events.busArn(name)));
            }
            case "PutRule" -> out.put("RuleArn", events.putRule(bus, text(r, "Name"), optional(r, "EventPattern"),
                    optional(r, "ScheduleExpression"), optional(r, "State"), optional(r, "Description")));
            case "DescribeRule" -> {
                return events.describeRule(bus, text(r, "Name"));
            }
            case "ListRules" -> {
                ArrayNode rules = out.putArray("Rules");
                events.listRules(bus, optional(r, "NamePrefix")).forEach(rules::add);
            }
            case "EnableRule" -> events.setRuleState(bus, text(r, "Name"), "ENABLED");
            case "DisableRule" -> events.setRuleState(bus, text(r, "Name"), "DISABLED");
            case "DeleteRule" -> events.deleteRule(bus, text(r, "Name"));
            case "PutTargets" -> {
                events.putTargets(bus, text(r, "Rule"), r.get("Targets"));
                out.put("FailedEntryCount", 0).putArray("FailedEntries");
            }
            case "RemoveTargets" -> {
                events.removeTargets(bus, text(r, "Rule"), r.path("Ids"));
                out.put("FailedEntryCount", 0).putArray("FailedEntries");
            }
            case "ListTargetsByRule" -> {
                ArrayNode targets = out.putArray("Targets");
                events.listTargets(bus, text(r, "Rule")).forEach(targets::add);
            }
            case "PutEvents" -> {
                ArrayNode entries = events.putEvents(r.get("Entries"));
                int failed = 0;
                for (JsonNode e : entries) {
                    failed += e.has("ErrorCode") ? 1 : 0;
                }
                out.put("FailedEntryCount", failed);
                out.set("Entries", entries);
            }
            case "TestEventPattern" -> out.put("Result", events.testEventPattern(text(r, "EventPattern"),
                    text(r, "Event")));
            default -> throw new EventBridgeException("UnknownOperationException", "The local EventBridge has no "
                    + "operation " + action + ". Supported: CreateEventBus, DeleteEventBus, DescribeEventBus, "
                    + "ListEventBuses, PutRule, DescribeRule, ListRules, EnableRule, DisableRule, DeleteRule, "
                    + "PutTargets, RemoveTargets, ListTargetsByRule, PutEvents, TestEventPattern");
        }
        return out;
    }

    private static String text(JsonNode r, String field) {
        JsonNode v = r.get(field);
        if (v == null || !v.isTextual()) {
            throw new EventBridgeException("ValidationException", "1 validation error detected: Value null at '"
                    + Character.toLowerCase(field.charAt(0)) + field.substring(1)
                    + "' failed to satisfy constraint: Member must not be null");
        }
        return v.asText();
    }

    private static String optional(JsonNode r, String field) {
        JsonNode v = r.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
