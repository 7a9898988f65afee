package dev.skyloom.local.cloud.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.local.cloud.http.EdgeJsonClient;
import dev.skyloom.local.cloud.lambda.LocalLambda;
import dev.skyloom.local.sfn.SfnResponse;
import dev.skyloom.local.sfn.StepFunctionsEngine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state and behaviour of the local EventBridge. Buses, rules and targets live in one JSON document under the data
 * directory, replaced atomically on every change. {@link #putEvents} matches each event against the enabled rules of
 * its bus and delivers it to their targets before answering, so an accepted event is already in the target queue,
 * the Lambda async queue or a started execution.
 */
public final class LocalEventBridge {
    private static final Logger LOG = LoggerFactory.getLogger(LocalEventBridge.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NAME = Pattern.compile("[.\\-_A-Za-z0-9]{1,64}");
    private static final int MAX_ENTRY_BYTES = 256 * 1024;

    private final Path stateFile;
    private final String region;
    private final String accountId;
    private final URI edge;
    private final EdgeJsonClient edgeClient;
    private final LocalLambda lambda;
    private final StepFunctionsEngine stepFunctions;
    private final ObjectNode state;

    public LocalEventBridge(Path dir, String region, String accountId, URI edge, EdgeJsonClient edgeClient,
                            LocalLambda lambda, StepFunctionsEngine stepFunctions) {
        this.stateFile = dir.resolve("eventbridge.json");
        this.region = region;
        this.accountId = accountId;
        this.edge = edge;
        this.edgeClient = edgeClient;
        this.lambda = lambda;
        this.stepFunctions = stepFunctions;
        try {
            Files.createDirectories(dir);
            state = Files.exists(stateFile) ? (ObjectNode) JSON.readTree(stateFile.toFile()) : JSON.createObjectNode();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the EventBridge state " + stateFile, e);
        }
        if (!state.has("buses")) {
            state.putObject("buses");
        }
        if (!state.path("buses").has("default")) {
            ((ObjectNode) state.get("buses")).putObject("default").putObject("rules");
        }
    }

    // ------------------------------------------------------------------ buses

    public synchronized String createEventBus(String name) {
        requireName("Name", name);
        if (buses().has(name)) {
            throw new EventBridgeException("ResourceAlreadyExistsException", "Event bus " + name + " already exists.");
        }
        buses().putObject(name).putObject("rules");
        save();
        return busArn(name);
    }

    /** Creates the bus unless it exists (for the platform's own bus at start). */
    public synchronized void ensureEventBus(String name) {
        if (!buses().has(name)) {
            createEventBus(name);
        }
    }

    public synchronized void deleteEventBus(String name) {
        if ("default".equals(name)) {
            throw new EventBridgeException("ValidationException", "Cannot delete event bus default.");
        }
        buses().remove(name);
        save();
    }

    public synchronized List<String> busNames() {
        List<String> names = new ArrayList<>();
        buses().fieldNames().forEachRemaining(names::add);
        return names;
    }

    public String busArn(String name) {
        return "arn:aws:events:" + region + ":" + accountId + ":event-bus/" + name;
    }

    // ------------------------------------------------------------------ rules and targets

    public synchronized String putRule(String bus, String name, String pattern, String schedule, String stateName,
                                       String description) {
        requireName("Name", name);
        ObjectNode rules = rules(bus);
        if (pattern == null && schedule == null) {
            throw new EventBridgeException("ValidationException",
                    "Parameter(s) EventPattern or ScheduleExpression must be specified.");
        }
        if (pattern != null) {
            try {
                EventPattern.parse(pattern);
            } catch (EventPattern.InvalidPatternException e) {
                throw new EventBridgeException("InvalidEventPatternException", "Event pattern is not valid. Reason: "
                        + e.getMessage());
            }
        }
        String ruleState = stateName == null ? "ENABLED" : stateName;
        if (!List.of("ENABLED", "DISABLED").contains(ruleState)) {
            throw new EventBridgeException("ValidationException", "State must be ENABLED or DISABLED, was " + ruleState);
        }
        ObjectNode rule = rules.has(name) ? (ObjectNode) rules.get(name) : rules.putObject(name);
        rule.put("Name", name).put("State", ruleState);
        if (pattern != null) {
            rule.put("EventPattern", pattern);
        }
        if (schedule != null) {
            rule.put("ScheduleExpression", schedule);
        }
        if (description != null) {
            rule.put("Description", description);
        }
        if (!rule.has("Targets")) {
            rule.putObject("Targets");
        }
        save();
        return ruleArn(bus, name);
    }

    public synchronized ObjectNode describeRule(String bus, String name) {
        ObjectNode rule = rule(bus, name).deepCopy();
        rule.remove("Targets");
        rule.put("Arn", ruleArn(bus, name));
        rule.put("EventBusName", busName(bus));
        return rule;
    }

    public synchronized List<ObjectNode> listRules(String bus, String prefix) {
        List<ObjectNode> result = new ArrayList<>();
        rules(bus).fieldNames().forEachRemaining(name -> {
            if (prefix == null || name.startsWith(prefix)) {
                result.add(describeRule(bus, name));
            }
        });
        return result;
    }

    public synchronized void setRuleState(String bus, String name, String ruleState) {
        rule(bus, name).put("State", ruleState);
        save();
    }

    public synchronized void deleteRule(String bus, String name) {
        ObjectNode rule = rule(bus, name);
        if (!rule.path("Targets").isEmpty()) {
            throw new EventBridgeException("ValidationException", "Rule can't be deleted since it has targets.");
        }
        rules(bus).remove(name);
        save();
    }

    public synchronized void putTargets(String bus, String ruleName, JsonNode targets) {
        ObjectNode rule = rule(bus, ruleName);
        if (targets == null || !targets.isArray() || targets.isEmpty()) {
            throw new EventBridgeException("ValidationException", "Targets must be a non-empty array");
        }
        for (JsonNode target : targets) {
            String id = target.path("Id").asText("");
            String arn = target.path("Arn").asText("");
            if (id.isEmpty() || arn.isEmpty()) {
                throw new EventBridgeException("ValidationException", "Each target needs an Id and an Arn");
            }
            if (!(arn.startsWith("arn:aws:sqs:") || arn.startsWith("arn:aws:lambda:")
                    || arn.startsWith("arn:aws:states:") || arn.startsWith("arn:aws:events:"))) {
                throw new EventBridgeException("ValidationException", "Target " + id + " has ARN " + arn
                        + ": the local EventBridge delivers to SQS queues, Lambda functions, Step Functions state "
                        + "machines and event buses");
            }
            ((ObjectNode) rule.get("Targets")).set(id, target);
        }
        save();
    }

    public synchronized void removeTargets(String bus, String ruleName, JsonNode ids) {
        ObjectNode targets = (ObjectNode) rule(bus, ruleName).get("Targets");
        ids.forEach(id -> targets.remove(id.asText()));
        save();
    }

    public synchronized List<JsonNode> listTargets(String bus, String ruleName) {
        List<JsonNode> result = new ArrayList<>();
        rule(bus, ruleName).get("Targets").forEach(result::add);
        return result;
    }

    // ------------------------------------------------------------------ events

    /** PutEvents: one result per entry, with an EventId or an ErrorCode/ErrorMessage. */
    public ArrayNode putEvents(JsonNode entries) {
        if (entries == null || !entries.isArray() || entries.isEmpty() || entries.size() > 10) {
            throw new EventBridgeException("ValidationException", "Entries must hold 1 to 10 events");
        }
        ArrayNode results = JSON.createArrayNode();
        for (JsonNode entry : entries) {
            ObjectNode result = results.addObject();
            String problem = problemOf(entry);
            if (problem != null) {
                result.put("ErrorCode", problem.startsWith("Detail") ? "MalformedDetail" : "InvalidArgument");
                result.put("ErrorMessage", problem);
                continue;
            }
            String id = UUID.randomUUID().toString();
            ObjectNode event = envelope(id, entry);
            String bus = busName(entry.path("EventBusName").asText("default"));
            List<JsonNode> targets = matchingTargets(bus, event);
            for (JsonNode target : targets) {
                deliver(target, event);
            }
            result.put("EventId", id);
        }
        return results;
    }

    private String problemOf(JsonNode entry) {
        if (entry.path("Source").asText("").isEmpty()) {
            return "Parameter Source is not valid. Reason: Source is a required argument.";
        }
        if (entry.path("DetailType").asText("").isEmpty()) {
            return "Parameter DetailType is not valid. Reason: DetailType is a required argument.";
        }
        String detail = entry.path("Detail").asText("");
        try {
            JsonNode parsed = JSON.readTree(detail);
            if (parsed == null || !parsed.isObject()) {
                return "Detail is malformed: it must be a JSON object.";
            }
        } catch (IOException e) {
            return "Detail is malformed: " + e.getMessage();
        }
        if (entry.toString().getBytes(StandardCharsets.UTF_8).length > MAX_ENTRY_BYTES) {
            return "Parameter entry is not valid. Reason: the entry is larger than 256 KB.";
        }
        String bus = busName(entry.path("EventBusName").asText("default"));
        synchronized (this) {
            if (!buses().has(bus)) {
                return "Parameter EventBusName is not valid. Reason: Event bus " + bus + " does not exist.";
            }
        }
        return null;
    }

    private ObjectNode envelope(String id, JsonNode entry) {
        ObjectNode event = JSON.createObjectNode();
        event.put("version", "0");
        event.put("id", id);
        event.put("detail-type", entry.get("DetailType").asText());
        event.put("source", entry.get("Source").asText());
        event.put("account", accountId);
        String time = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        if (entry.hasNonNull("Time")) {
            JsonNode given = entry.get("Time");
            time = given.isNumber() ? Instant.ofEpochSecond(given.asLong()).toString() : parseTime(given.asText(), time);
        }
        event.put("time", time);
        event.put("region", region);
        ArrayNode resources = event.putArray("resources");
        entry.path("Resources").forEach(resources::add);
        try {
            event.set("detail", JSON.readTree(entry.get("Detail").asText()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return event;
    }

    private static String parseTime(String text, String fallback) {
        try {
            return Instant.parse(text).toString();
        } catch (DateTimeParseException e) {
            return fallback;
        }
    }

    private synchronized List<JsonNode> matchingTargets(String bus, JsonNode event) {
        List<JsonNode> targets = new ArrayList<>();
        for (JsonNode rule : rules(bus)) {
            if (!"ENABLED".equals(rule.path("State").asText()) || !rule.hasNonNull("EventPattern")) {
                continue;
            }
            if (EventPattern.parse(rule.get("EventPattern").asText()).matches(event)) {
                rule.path("Targets").forEach(targets::add);
            }
        }
        return targets;
    }

    public boolean testEventPattern(String pattern, String event) {
        try {
            return EventPattern.parse(pattern).matches(JSON.readTree(event));
        } catch (EventPattern.InvalidPatternException e) {
            throw new EventBridgeException("InvalidEventPatternException", "Event pattern is not valid. Reason: "
                    + e.getMessage());
        } catch (IOException e) {
            throw new EventBridgeException("ValidationException", "Parameter Event is not valid JSON");
        }
    }

    private void deliver(JsonNode target, ObjectNode event) {
        String arn = target.path("Arn").asText();
        String payload = input(target, event);
        try {
            String[] parts = arn.split(":");
            switch (parts[2]) {
                case "sqs" -> {
                    ObjectNode request = JSON.createObjectNode()
                            .put("QueueUrl", edge + "/" + parts[4] + "/" + parts[5])
                            .put("MessageBody", payload);
                    if (target.path("SqsParameters").hasNonNull("MessageGroupId")) {
                        request.put("MessageGroupId", target.path("SqsParameters").get("MessageGroupId").asText());
                        request.put("MessageDeduplicationId", event.get("id").asText());
                    }
                    edgeClient.call("SQS", "sqs", "1.0", "AmazonSQS.SendMessage", request).toCompletableFuture()
                            .join();
                }
                case "lambda" -> lambda.invokeAsync(arn, payload.getBytes(StandardCharsets.UTF_8));
                case "states" -> {
                    ObjectNode request = JSON.createObjectNode().put("stateMachineArn", arn).put("input", payload);
                    SfnResponse response = stepFunctions.handle("StartExecution",
                            request.toString().getBytes(StandardCharsets.UTF_8));
                    if (response.status() != 200) {
                        throw new IllegalStateException(new String(response.body(), StandardCharsets.UTF_8));
                    }
                }
                case "events" -> {
                    ObjectNode entry = JSON.createObjectNode().put("Source", event.get("source").asText())
                            .put("DetailType", event.get("detail-type").asText())
                            .put("Detail", event.get("detail").toString())
                            .put("EventBusName", parts[5].substring("event-bus/".length()));
                    putEvents(JSON.createArrayNode().add(entry));
                }
                default -> throw new IllegalStateException("unsupported target " + arn);
            }
        } catch (RuntimeException e) {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            LOG.warn("eventbridge delivery failed target={} eventId={} reason={}", arn, event.get("id").asText(),
                    cause.getMessage());
        }
    }

    /** The target's input: Input (constant), InputPath, InputTransformer, or the whole event. */
    private static String input(JsonNode target, ObjectNode event) {
        if (target.hasNonNull("Input")) {
            return target.get("Input").asText();
        }
        if (target.hasNonNull("InputPath")) {
            JsonNode value = path(event, target.get("InputPath").asText());
            return value == null ? "null" : value.toString();
        }
        JsonNode transformer = target.get("InputTransformer");
        if (transformer != null && transformer.hasNonNull("InputTemplate")) {
            Map<String, JsonNode> values = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = transformer.path("InputPathsMap").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                values.put(e.getKey(), path(event, e.getValue().asText()));
            }
            String template = transformer.get("InputTemplate").asText();
            for (Map.Entry<String, JsonNode> e : values.entrySet()) {
                JsonNode v = e.getValue();
                String text = v == null ? "null" : v.isTextual() ? v.textValue() : v.toString();
                template = template.replace("<" + e.getKey() + ">", text);
            }
            template = template.replace("<aws.events.event.json>", event.toString());
            return template;
        }
        return event.toString();
    }

    /** A JSONPath of the simple form EventBridge input paths use: {@code $.detail.a.b}. */
    private static JsonNode path(JsonNode root, String path) {
        if (path.equals("$")) {
            return root;
        }
        JsonNode node = root;
        for (String part : path.replaceFirst("^\\$\\.?", "").split("\\.")) {
            if (node == null || part.isEmpty()) {
                break;
            }
            node = node.get(part);
        }
        return node;
    }

    // ------------------------------------------------------------------ helpers

    private ObjectNode buses() {
        return (ObjectNode) state.get("buses");
    }

    private String busName(String nameOrArn) {
        if (nameOrArn == null || nameOrArn.isEmpty()) {
            return "default";
        }
        int slash = nameOrArn.lastIndexOf("event-bus/");
        return slash >= 0 ? nameOrArn.substring(slash + "event-bus/".length()) : nameOrArn;
    }

    private ObjectNode rules(String bus) {
        String name = busName(bus);
        JsonNode busNode = buses().get(name);
        if (busNode == null) {
            throw new EventBridgeException("ResourceNotFoundException", "Event bus " + name + " does not exist.");
        }
        return (ObjectNode) busNode.get("rules");
    }

    private ObjectNode rule(String bus, String name) {
        JsonNode rule = rules(bus).get(name);
        if (rule == null) {
            throw new EventBridgeException("ResourceNotFoundException", "Rule " + name + " does not exist on EventBus "
                    + busName(bus) + ".");
        }
        return (ObjectNode) rule;
    }

    private String ruleArn(String bus, String name) {
        String b = busName(bus);
        return "arn:aws:events:" + region + ":" + accountId + ":rule/" + (b.equals("default") ? "" : b + "/") + name;
    }

    private static void requireName(String field, String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new EventBridgeException("ValidationException", "1 validation error detected: Value '" + name
                    + "' at '" + field + "' failed to satisfy constraint: Member must satisfy regular expression "
                    + "pattern: [\\.\\-_A-Za-z0-9]+ and have length between 1 and 64");
        }
    }

    private void save() {
        try {
            Path temp = stateFile.resolveSibling(stateFile.getFileName() + ".tmp");
            JSON.writeValue(temp.toFile(), state);
            try {
                Files.move(temp, stateFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, stateFile, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store the EventBridge state", e);
        }
    }
}
