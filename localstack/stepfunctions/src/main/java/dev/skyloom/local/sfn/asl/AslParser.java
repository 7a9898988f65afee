package dev.skyloom.local.sfn.asl;

import com.fasterxml.jackson.databind.JsonNode;
import dev.skyloom.local.sfn.expr.Json;
import dev.skyloom.local.sfn.expr.JsonPathExpr;
import dev.skyloom.local.sfn.expr.JsonataSupport;
import dev.skyloom.local.sfn.expr.JsonataTemplate;
import dev.skyloom.local.sfn.expr.PayloadTemplate;
import dev.skyloom.local.sfn.expr.StatesErrors;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Parses and validates a definition in one pass, collecting every problem: JSON syntax, unknown and misplaced
 * fields, field types and ranges, JSONPath versus JSONata field rules, transitions, reachability, Retry and Catch.
 * Produces the compiled {@link Definition} that the interpreter runs without further parsing.
 */
public final class AslParser {
    private static final Set<String> TOP_FIELDS = Set.of("Comment", "StartAt", "States", "Version", "TimeoutSeconds",
            "QueryLanguage");
    private static final Set<String> SCOPE_FIELDS = Set.of("Comment", "StartAt", "States", "ProcessorConfig");
    private static final Set<String> COMMON = Set.of("Type", "Comment", "QueryLanguage");
    private static final Map<State.Type, Set<String>> FIELDS = Map.of(
            State.Type.PASS, Set.of("Next", "End", "InputPath", "OutputPath", "Parameters", "ResultPath", "Result",
                    "Assign", "Output"),
            State.Type.TASK, Set.of("Next", "End", "Resource", "InputPath", "OutputPath", "Parameters", "ResultPath",
                    "ResultSelector", "Retry", "Catch", "TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds",
                    "HeartbeatSecondsPath", "Credentials", "Assign", "Output", "Arguments"),
            State.Type.CHOICE, Set.of("Choices", "Default", "InputPath", "OutputPath", "Assign", "Output"),
            State.Type.WAIT, Set.of("Next", "End", "Seconds", "SecondsPath", "Timestamp", "TimestampPath", "InputPath",
                    "OutputPath", "Assign", "Output"),
            State.Type.SUCCEED, Set.of("InputPath", "OutputPath", "Output"),
            State.Type.FAIL, Set.of("Error", "ErrorPath", "Cause", "CausePath"),
            State.Type.PARALLEL, Set.of("Next", "End", "Branches", "InputPath", "OutputPath", "Parameters",
                    "ResultPath", "ResultSelector", "Retry", "Catch", "Assign", "Output", "Arguments"),
            State.Type.MAP, Set.of("Next", "End", "Iterator", "ItemProcessor", "ItemsPath", "Items", "ItemSelector",
                    "Parameters", "MaxConcurrency", "MaxConcurrencyPath", "InputPath", "OutputPath", "ResultPath",
                    "ResultSelector", "Retry", "Catch", "ItemReader", "ItemBatcher", "ResultWriter",
                    "ToleratedFailureCount", "ToleratedFailureCountPath", "ToleratedFailurePercentage",
                    "ToleratedFailurePercentagePath", "Label", "Assign", "Output"));
    private static final Set<String> JSONPATH_ONLY = Set.of("InputPath", "OutputPath", "Parameters", "ResultPath",
            "ResultSelector", "Result", "ItemsPath", "Iterator", "SecondsPath", "TimestampPath", "TimeoutSecondsPath",
            "HeartbeatSecondsPath", "ErrorPath", "CausePath", "MaxConcurrencyPath", "ToleratedFailureCountPath",
            "ToleratedFailurePercentagePath");
    private static final Set<String> JSONATA_ONLY = Set.of("Output", "Arguments", "Items");
    private static final Set<String> COMPARATORS = Set.of("StringEquals", "StringLessThan", "StringGreaterThan",
            "StringLessThanEquals", "StringGreaterThanEquals", "StringMatches", "NumericEquals", "NumericLessThan",
            "NumericGreaterThan", "NumericLessThanEquals", "NumericGreaterThanEquals", "BooleanEquals",
            "TimestampEquals", "TimestampLessThan", "TimestampGreaterThan", "TimestampLessThanEquals",
            "TimestampGreaterThanEquals", "IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp");
    private static final Pattern ARN = Pattern.compile("^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:[0-9]*:.+$");
    private static final Pattern VARIABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,79}");

    private final List<InvalidDefinitionException.Diagnostic> errors = new ArrayList<>();
    private final Set<String> allNames = new HashSet<>();
    private QueryLanguage topLanguage = QueryLanguage.JSONPATH;

    private AslParser() {
    }

    /** Parses and validates definition text. */
    public static Definition parse(String text) throws InvalidDefinitionException {
        AslParser p = new AslParser();
        JsonNode root;
        try {
            root = Json.parse(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidDefinitionException(List.of(new InvalidDefinitionException.Diagnostic(
                    "INVALID_JSON_DESCRIPTION", String.valueOf(e.getMessage()), "/")));
        }
        Definition d = p.top(root);
        if (!p.errors.isEmpty()) {
            throw new InvalidDefinitionException(p.errors);
        }
        return d;
    }

    private void error(String message, String where) {
        errors.add(new InvalidDefinitionException.Diagnostic("SCHEMA_VALIDATION_FAILED", message, where));
    }

    private void error(String code, String message, String where) {
        errors.add(new InvalidDefinitionException.Diagnostic(code, message, where));
    }

    private Definition top(JsonNode root) {
        if (!root.isObject()) {
            error("The definition must be a JSON object", "/");
            return null;
        }
        unknownFields(root, TOP_FIELDS, "");
        if (root.has("QueryLanguage")) {
            QueryLanguage q = language(root.get("QueryLanguage"), "/QueryLanguage");
            if (q != null) {
                topLanguage = q;
            }
        }
        Integer timeout = null;
        if (root.has("TimeoutSeconds")) {
            timeout = positiveInt(root.get("TimeoutSeconds"), "/TimeoutSeconds", 0);
        }
        if (root.has("Version") && !root.get("Version").isTextual()) {
            error("The field \"Version\" must be a string", "/Version");
        }
        Scope scope = scope(root, "", topLanguage);
        String comment = root.path("Comment").isTextual() ? root.get("Comment").textValue() : null;
        if (root.has("Comment") && !root.get("Comment").isTextual()) {
            error("The field \"Comment\" must be a string", "/Comment");
        }
        return new Definition(scope, timeout, topLanguage, comment);
    }

    private void unknownFields(JsonNode node, Set<String> allowed, String where) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext();) {
            String f = it.next();
            if (!allowed.contains(f)) {
                error("The field \"" + f + "\" is not supported by Step Functions", where.isEmpty() ? "/" : where);
            }
        }
    }

    private QueryLanguage language(JsonNode n, String where) {
        QueryLanguage q = n.isTextual() ? QueryLanguage.fromWire(n.textValue()) : null;
        if (q == null) {
            error("The value of \"QueryLanguage\" must be \"JSONPath\" or \"JSONata\"", where);
        }
        return q;
    }

    private Scope scope(JsonNode node, String where, QueryLanguage inherited) {
        JsonNode startAt = node.get("StartAt");
        JsonNode states = node.get("States");
        if (startAt == null || !startAt.isTextual()) {
            error("The field \"StartAt\" is required and must be a string", where + "/StartAt");
        }
        if (states == null || !states.isObject() || states.isEmpty()) {
            error("The field \"States\" is required and must be a non-empty object", where + "/States");
            return new Scope(startAt == null ? null : startAt.asText(), Map.of());
        }
        Map<String, State> compiled = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = states.properties().iterator(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            String sw = where + "/States/" + name;
            if (name.isEmpty() || name.length() > 80) {
                error("State names must be 1 to 80 characters long", sw);
            }
            if (!allNames.add(name)) {
                error("DUPLICATE_STATE_NAME", "Duplicate State name: " + name, sw);
            }
            State s = state(name, e.getValue(), sw, inherited);
            if (s != null) {
                compiled.put(name, s);
            }
        }
        Scope scope = new Scope(startAt == null ? null : startAt.asText(), compiled);
        for (State s : compiled.values()) {
            if (s.next != null) {
                s.nextState = compiled.get(s.next);
            }
        }
        if (startAt != null && startAt.isTextual() && !states.has(startAt.textValue())) {
            error("MISSING_TRANSITION_TARGET", "State \"" + startAt.textValue() + "\" is not found in workflow",
                    where + "/StartAt");
        }
        checkTransitions(scope, states, where);
        return scope;
    }

    private void checkTransitions(Scope scope, JsonNode states, String where) {
        boolean terminal = false;
        for (State s : scope.states().values()) {
            String sw = where + "/States/" + s.name;
            for (String[] t : targets(s)) {
                if (t[0] != null && !states.has(t[0])) {
                    error("MISSING_TRANSITION_TARGET", "Missing '" + t[1] + "' target: " + t[0], sw + "/" + t[2]);
                }
            }
            if (s.end || s instanceof State.Succeed || s instanceof State.Fail) {
                terminal = true;
            }
        }
        if (!scope.states().isEmpty() && !terminal) {
            error("MISSING_END_STATE", "Workflow has no terminal state", where.isEmpty() ? "/" : where);
        }
        if (scope.startAt() == null || !states.has(scope.startAt())) {
            return;
        }
        Set<String> seen = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>();
        todo.add(scope.startAt());
        while (!todo.isEmpty()) {
            String n = todo.poll();
            if (!seen.add(n)) {
                continue;
            }
            State s = scope.states().get(n);
            if (s == null) {
                continue;
            }
            for (String[] t : targets(s)) {
                if (t[0] != null && states.has(t[0])) {
                    todo.add(t[0]);
                }
            }
        }
        for (String n : scope.states().keySet()) {
            if (!seen.contains(n)) {
                error("UNREACHABLE_STATE", "State \"" + n + "\" is not reachable.", where + "/States/" + n);
            }
        }
    }

    private static List<String[]> targets(State s) {
        List<String[]> out = new ArrayList<>();
        if (s.next != null) {
            out.add(new String[] {s.next, "Next", "Next"});
        }
        if (s instanceof State.Choice c) {
            if (c.choices != null) {
                for (int i = 0; i < c.choices.size(); i++) {
                    out.add(new String[] {c.choices.get(i).next(), "Next", "Choices/" + i + "/Next"});
                }
            }
            if (c.defaultNext != null) {
                out.add(new String[] {c.defaultNext, "Default", "Default"});
            }
        }
        for (int i = 0; i < s.catchers.size(); i++) {
            out.add(new String[] {s.catchers.get(i).next(), "Next", "Catch/" + i + "/Next"});
        }
        return out;
    }

    private State state(String name, JsonNode node, String where, QueryLanguage inherited) {
        if (!node.isObject()) {
            error("A state must be a JSON object", where);
            return null;
        }
        JsonNode typeNode = node.get("Type");
        if (typeNode == null || !typeNode.isTextual()) {
            error("The field \"Type\" is required", where + "/Type");
            return null;
        }
        State.Type type = null;
        for (State.Type t : State.Type.values()) {
            if (t.wire().equals(typeNode.textValue())) {
                type = t;
            }
        }
        if (type == null) {
            error("The value of \"Type\" must be one of Pass, Task, Choice, Wait, Succeed, Fail, Parallel, Map",
                    where + "/Type");
            return null;
        }
        QueryLanguage ql = inherited;
        if (node.has("QueryLanguage")) {
            QueryLanguage q = language(node.get("QueryLanguage"), where + "/QueryLanguage");
            if (q != null) {
                if (topLanguage == QueryLanguage.JSONATA && q == QueryLanguage.JSONPATH) {
                    error("A state cannot use JSONPath when the state machine's QueryLanguage is JSONata",
                            where + "/QueryLanguage");
                }
                ql = q;
            }
        }
        Set<String> allowed = new HashSet<>(COMMON);
        allowed.addAll(FIELDS.get(type));
        for (Iterator<String> it = node.fieldNames(); it.hasNext();) {
            String f = it.next();
            if (!allowed.contains(f)) {
                error("The field \"" + f + "\" is not supported by Step Functions for state type " + type.wire(),
                        where + "/" + f);
            } else if (ql == QueryLanguage.JSONATA && JSONPATH_ONLY.contains(f)) {
                error("The field \"" + f + "\" is not supported in JSONata states; use Arguments, Output and Assign",
                        where + "/" + f);
            } else if (ql == QueryLanguage.JSONPATH && JSONATA_ONLY.contains(f)) {
                error("The field \"" + f + "\" is only supported when QueryLanguage is JSONata", where + "/" + f);
            }
        }
        State s = switch (type) {
            case PASS -> new State.Pass();
            case TASK -> new State.Task();
            case CHOICE -> new State.Choice();
            case WAIT -> new State.Wait();
            case SUCCEED -> new State.Succeed();
            case FAIL -> new State.Fail();
            case PARALLEL -> new State.Parallel();
            case MAP -> new State.Map();
        };
        s.name = name;
        s.queryLanguage = ql;
        if (node.has("Comment") && !node.get("Comment").isTextual()) {
            error("The field \"Comment\" must be a string", where + "/Comment");
        }
        boolean flow = type != State.Type.CHOICE && type != State.Type.SUCCEED && type != State.Type.FAIL;
        if (flow) {
            JsonNode next = node.get("Next");
            JsonNode end = node.get("End");
            if (next != null && !next.isTextual()) {
                error("The field \"Next\" must be a string", where + "/Next");
            }
            if (end != null && !end.isBoolean()) {
                error("The field \"End\" must be a boolean", where + "/End");
            }
            boolean isEnd = end != null && end.isBoolean() && end.booleanValue();
            if (next != null && isEnd) {
                error("Only one of \"Next\" or \"End\" can be present", where);
            } else if (next == null && !isEnd) {
                error("MISSING_TRANSITION_TARGET", "The state must have a \"Next\" field or \"End\": true", where);
            }
            s.next = next != null && next.isTextual() ? next.textValue() : null;
            s.end = isEnd;
        }
        commonIo(s, node, where);
        switch (type) {
            case PASS -> pass((State.Pass) s, node, where);
            case TASK -> task((State.Task) s, node, where);
            case CHOICE -> choice((State.Choice) s, node, where);
            case WAIT -> waitState((State.Wait) s, node, where);
            case FAIL -> fail((State.Fail) s, node, where);
            case PARALLEL -> parallel((State.Parallel) s, node, where);
            case MAP -> map((State.Map) s, node, where);
            default -> {
            }
        }
        if (node.has("Retry")) {
            s.retry = retry(node.get("Retry"), where + "/Retry");
        }
        if (node.has("Catch")) {
            s.catchers = catchers(node.get("Catch"), where + "/Catch", ql);
        }
        return s;
    }

    private void commonIo(State s, JsonNode node, String where) {
        if (s.isJsonata()) {
            if (node.has("Output")) {
                s.output = jsonata(node.get("Output"), where + "/Output", "Output");
            }
            if (node.has("Arguments")) {
                JsonNode a = node.get("Arguments");
                if (!a.isObject() && !(a.isTextual() && JsonataSupport.isExpression(a.textValue()))) {
                    error("The field \"Arguments\" must be a JSON object or a JSONata expression", where + "/Arguments");
                } else {
                    s.arguments = jsonata(a, where + "/Arguments", "Arguments");
                }
            }
            if (node.has("Assign")) {
                JsonNode a = node.get("Assign");
                if (checkAssign(a, where + "/Assign", true)) {
                    s.assignJsonata = jsonata(a, where + "/Assign", "Assign");
                }
            }
            return;
        }
        if (node.has("InputPath")) {
            JsonNode n = node.get("InputPath");
            if (n.isNull()) {
                s.inputPathNull = true;
            } else {
                s.inputPath = path(n, where + "/InputPath", false);
            }
        }
        if (node.has("OutputPath")) {
            JsonNode n = node.get("OutputPath");
            if (n.isNull()) {
                s.outputPathNull = true;
            } else {
                s.outputPath = path(n, where + "/OutputPath", false);
            }
        }
        if (node.has("ResultPath")) {
            JsonNode n = node.get("ResultPath");
            if (n.isNull()) {
                s.resultPathNull = true;
            } else {
                s.resultPath = path(n, where + "/ResultPath", true);
            }
        }
        if (node.has("Parameters")) {
            s.parameters = template(node.get("Parameters"), where + "/Parameters", true);
        }
        if (node.has("ResultSelector")) {
            s.resultSelector = template(node.get("ResultSelector"), where + "/ResultSelector", true);
        }
        if (node.has("Assign")) {
            JsonNode a = node.get("Assign");
            if (checkAssign(a, where + "/Assign", false)) {
                s.assignPath = template(a, where + "/Assign", true);
            }
        }
    }

    private boolean checkAssign(JsonNode a, String where, boolean jsonata) {
        if (!a.isObject()) {
            error("The field \"Assign\" must be a JSON object", where);
            return false;
        }
        for (Iterator<String> it = a.fieldNames(); it.hasNext();) {
            String k = it.next();
            String name = !jsonata && k.endsWith(".$") ? k.substring(0, k.length() - 2) : k;
            if (!VARIABLE_NAME.matcher(name).matches()) {
                error("The variable name \"" + name + "\" is not valid: it must start with a letter or '_', contain "
                        + "only letters, digits and '_', and be at most 80 characters", where + "/" + k);
            }
            if (name.equals("states")) {
                error("The variable name \"states\" is reserved", where + "/" + k);
            }
        }
        return true;
    }

    private JsonataTemplate jsonata(JsonNode n, String where, String field) {
        try {
            return JsonataTemplate.compile(n, where, field);
        } catch (IllegalArgumentException e) {
            error(e.getMessage().replace(" at " + where, ""), where);
            return null;
        }
    }

    private PayloadTemplate template(JsonNode n, String where, boolean mustBeObject) {
        if (mustBeObject && !n.isObject()) {
            error("The field must be a JSON object", where);
            return null;
        }
        try {
            return PayloadTemplate.compile(n, where);
        } catch (IllegalArgumentException e) {
            String msg = e.getMessage();
            int at = msg.lastIndexOf(" at /");
            error(at > 0 ? msg.substring(0, at) : msg, at > 0 ? msg.substring(at + 4) : where);
            return null;
        }
    }

    private JsonPathExpr path(JsonNode n, String where, boolean reference) {
        if (!n.isTextual()) {
            error("The value must be a JSONPath string", where);
            return null;
        }
        try {
            JsonPathExpr p = JsonPathExpr.compile(n.textValue());
            if (reference && (!p.isReferencePath() || p.root() != JsonPathExpr.Root.INPUT)) {
                error("The value for the field must be a valid reference path (fields and indexes from '$'): "
                        + n.textValue(), where);
            }
            return p;
        } catch (IllegalArgumentException e) {
            error("The value for the field must be a valid JSONPath: " + e.getMessage(), where);
            return null;
        }
    }

    private Integer positiveInt(JsonNode n, String where, int min) {
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < min) {
            error("The value must be an integer greater than or equal to " + min, where);
            return null;
        }
        return n.intValue();
    }

    private boolean isExpr(JsonNode n) {
        return n.isTextual() && JsonataSupport.isExpression(n.textValue());
    }

    private void pass(State.Pass s, JsonNode node, String where) {
        if (node.has("Result")) {
            s.result = node.get("Result");
        }
    }

    private void task(State.Task s, JsonNode node, String where) {
        JsonNode r = node.get("Resource");
        if (r == null || !r.isTextual()) {
            error("The field \"Resource\" is required and must be a string", where + "/Resource");
        } else if (!ARN.matcher(r.textValue()).matches()) {
            error("Value is not a valid resource ARN: " + r.textValue(), where + "/Resource");
        } else {
            s.resource = r.textValue();
        }
        if (node.has("TimeoutSeconds") && node.has("TimeoutSecondsPath")) {
            error("Only one of \"TimeoutSeconds\" or \"TimeoutSecondsPath\" can be present", where);
        }
        if (node.has("HeartbeatSeconds") && node.has("HeartbeatSecondsPath")) {
            error("Only one of \"HeartbeatSeconds\" or \"HeartbeatSecondsPath\" can be present", where);
        }
        if (node.has("TimeoutSeconds")) {
            JsonNode t = node.get("TimeoutSeconds");
            if (s.isJsonata() && isExpr(t)) {
                s.timeoutJsonata = jsonata(t, where + "/TimeoutSeconds", "TimeoutSeconds");
            } else {
                s.timeoutSeconds = positiveInt(t, where + "/TimeoutSeconds", 1);
            }
        }
        if (node.has("HeartbeatSeconds")) {
            JsonNode t = node.get("HeartbeatSeconds");
            if (s.isJsonata() && isExpr(t)) {
                s.heartbeatJsonata = jsonata(t, where + "/HeartbeatSeconds", "HeartbeatSeconds");
            } else {
                s.heartbeatSeconds = positiveInt(t, where + "/HeartbeatSeconds", 1);
            }
        }
        if (s.timeoutSeconds != null && s.heartbeatSeconds != null && s.heartbeatSeconds >= s.timeoutSeconds) {
            error("HeartbeatSeconds must be smaller than TimeoutSeconds", where + "/HeartbeatSeconds");
        }
        if (node.has("TimeoutSecondsPath")) {
            s.timeoutSecondsPath = path(node.get("TimeoutSecondsPath"), where + "/TimeoutSecondsPath", false);
        }
        if (node.has("HeartbeatSecondsPath")) {
            s.heartbeatSecondsPath = path(node.get("HeartbeatSecondsPath"), where + "/HeartbeatSecondsPath", false);
        }
        if (node.has("Credentials")) {
            if (!node.get("Credentials").isObject()) {
                error("The field \"Credentials\" must be a JSON object", where + "/Credentials");
            }
            s.credentials = node.get("Credentials");
        }
        if (s.parameters == null && node.has("Parameters") && !node.get("Parameters").isObject()) {
            return;
        }
    }

    private void choice(State.Choice s, JsonNode node, String where) {
        JsonNode choices = node.get("Choices");
        if (choices == null || !choices.isArray() || choices.isEmpty()) {
            error("The field \"Choices\" is required and must be a non-empty array", where + "/Choices");
            s.choices = List.of();
        } else {
            List<ChoiceRule.Branch> out = new ArrayList<>();
            for (int i = 0; i < choices.size(); i++) {
                String cw = where + "/Choices/" + i;
                JsonNode c = choices.get(i);
                if (!c.isObject()) {
                    error("A choice rule must be a JSON object", cw);
                    continue;
                }
                JsonNode next = c.get("Next");
                if (next == null || !next.isTextual()) {
                    error("MISSING_TRANSITION_TARGET", "A choice rule must have a \"Next\" field", cw);
                }
                ChoiceRule.Condition cond;
                PayloadTemplate assignPath = null;
                JsonataTemplate assignJ = null;
                JsonataTemplate output = null;
                if (s.isJsonata()) {
                    for (Iterator<String> it = c.fieldNames(); it.hasNext();) {
                        String f = it.next();
                        if (!Set.of("Condition", "Next", "Assign", "Output", "Comment").contains(f)) {
                            error("The field \"" + f + "\" is not supported in a JSONata choice rule; use Condition",
                                    cw + "/" + f);
                        }
                    }
                    JsonNode cn = c.get("Condition");
                    if (cn == null) {
                        error("A JSONata choice rule must have a \"Condition\" field", cw);
                        cond = null;
                    } else if (cn.isBoolean()) {
                        cond = new ChoiceRule.JsonataCondition(JsonataTemplate.compile(cn, cw, "Condition"),
                                cn.toString());
                    } else if (!isExpr(cn)) {
                        error("The field \"Condition\" must be a JSONata expression {% ... %} or a boolean",
                                cw + "/Condition");
                        cond = null;
                    } else {
                        JsonataTemplate t = jsonata(cn, cw + "/Condition", "Condition");
                        cond = t == null ? null : new ChoiceRule.JsonataCondition(t, cn.textValue());
                    }
                    if (c.has("Assign") && checkAssign(c.get("Assign"), cw + "/Assign", true)) {
                        assignJ = jsonata(c.get("Assign"), cw + "/Assign", "Assign");
                    }
                    if (c.has("Output")) {
                        output = jsonata(c.get("Output"), cw + "/Output", "Output");
                    }
                } else {
                    cond = condition(c, cw, true);
                    if (c.has("Assign") && checkAssign(c.get("Assign"), cw + "/Assign", false)) {
                        assignPath = template(c.get("Assign"), cw + "/Assign", true);
                    }
                }
                out.add(new ChoiceRule.Branch(cond, next != null && next.isTextual() ? next.textValue() : null,
                        assignPath, assignJ, output));
            }
            s.choices = out;
        }
        if (node.has("Default")) {
            if (!node.get("Default").isTextual()) {
                error("The field \"Default\" must be a string", where + "/Default");
            } else {
                s.defaultNext = node.get("Default").textValue();
            }
        }
    }

    private ChoiceRule.Condition condition(JsonNode c, String where, boolean topLevel) {
        if (!c.isObject()) {
            error("A choice rule must be a JSON object", where);
            return null;
        }
        Set<String> allowed = new HashSet<>(Set.of("And", "Or", "Not", "Variable", "Comment"));
        if (topLevel) {
            allowed.add("Next");
            allowed.add("Assign");
        } else if (c.has("Next")) {
            error("Nested choice rules cannot have a \"Next\" field", where + "/Next");
        }
        String op = null;
        int ops = 0;
        for (Iterator<String> it = c.fieldNames(); it.hasNext();) {
            String f = it.next();
            String base = f.endsWith("Path") && !f.equals("IsPresent") ? f.substring(0, f.length() - 4) : f;
            if (COMPARATORS.contains(f) || (COMPARATORS.contains(base) && !base.startsWith("Is")
                    && !base.equals("StringMatches"))) {
                op = f;
                ops++;
            } else if (f.equals("And") || f.equals("Or") || f.equals("Not")) {
                op = f;
                ops++;
            } else if (!allowed.contains(f)) {
                if (f.equals("Condition")) {
                    error("The field \"Condition\" is only supported when QueryLanguage is JSONata", where + "/" + f);
                } else {
                    error("The field \"" + f + "\" is not supported in a choice rule", where + "/" + f);
                }
            }
        }
        if (ops != 1) {
            error("A choice rule must have exactly one comparison operator or And/Or/Not", where);
            return null;
        }
        switch (op) {
            case "And", "Or" -> {
                if (c.has("Variable")) {
                    error("A choice rule with " + op + " cannot have a \"Variable\" field", where + "/Variable");
                }
                JsonNode list = c.get(op);
                if (!list.isArray() || list.isEmpty()) {
                    error("The field \"" + op + "\" must be a non-empty array of choice rules", where + "/" + op);
                    return null;
                }
                List<ChoiceRule.Condition> inner = new ArrayList<>();
                for (int i = 0; i < list.size(); i++) {
                    inner.add(condition(list.get(i), where + "/" + op + "/" + i, false));
                }
                return op.equals("And") ? new ChoiceRule.And(inner) : new ChoiceRule.Or(inner);
            }
            case "Not" -> {
                if (c.has("Variable")) {
                    error("A choice rule with Not cannot have a \"Variable\" field", where + "/Variable");
                }
                return new ChoiceRule.Not(condition(c.get("Not"), where + "/Not", false));
            }
            default -> {
            }
        }
        JsonNode var = c.get("Variable");
        if (var == null || !var.isTextual()) {
            error("A comparison must have a \"Variable\" field", where + "/Variable");
            return null;
        }
        JsonPathExpr variable = path(var, where + "/Variable", false);
        JsonNode value = c.get(op);
        String operator = op;
        JsonPathExpr valuePath = null;
        java.util.regex.Pattern matcher = null;
        if (op.endsWith("Path") && !COMPARATORS.contains(op)) {
            operator = op.substring(0, op.length() - 4);
            valuePath = path(value, where + "/" + op, false);
            value = null;
        } else if (op.startsWith("String")) {
            if (!value.isTextual()) {
                error("The value of \"" + op + "\" must be a string", where + "/" + op);
            } else if (op.equals("StringMatches")) {
                matcher = wildcard(value.textValue());
            }
        } else if (op.startsWith("Numeric")) {
            if (!value.isNumber()) {
                error("The value of \"" + op + "\" must be a number", where + "/" + op);
            }
        } else if (op.startsWith("Boolean") || op.startsWith("Is")) {
            if (!value.isBoolean()) {
                error("The value of \"" + op + "\" must be a boolean", where + "/" + op);
            }
        } else if (op.startsWith("Timestamp")) {
            if (!value.isTextual() || parseTimestamp(value.textValue()) == null) {
                error("The value of \"" + op + "\" must be a timestamp string such as 2016-08-18T17:33:00Z",
                        where + "/" + op);
            }
        }
        return new ChoiceRule.Comparison(variable, operator, value, valuePath, matcher);
    }

    /** Compiles a StringMatches pattern: '*' matches any run of characters; '\*' and '\\' are literal. */
    public static java.util.regex.Pattern wildcard(String pattern) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char ch = pattern.charAt(i);
            if (ch == '\\' && i + 1 < pattern.length()) {
                char n = pattern.charAt(++i);
                re.append(java.util.regex.Pattern.quote(String.valueOf(n)));
            } else if (ch == '*') {
                re.append(".*");
            } else {
                re.append(java.util.regex.Pattern.quote(String.valueOf(ch)));
            }
        }
        return java.util.regex.Pattern.compile(re.toString(), java.util.regex.Pattern.DOTALL);
    }

    /** Parses an RFC 3339 timestamp as Step Functions accepts it; null when invalid. */
    public static OffsetDateTime parseTimestamp(String s) {
        try {
            if (s.length() < 20 || s.charAt(10) != 'T') {
                return null;
            }
            return OffsetDateTime.parse(s);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private void waitState(State.Wait s, JsonNode node, String where) {
        int count = 0;
        for (String f : List.of("Seconds", "SecondsPath", "Timestamp", "TimestampPath")) {
            if (node.has(f)) {
                count++;
            }
        }
        if (count != 1) {
            error("A Wait state must have exactly one of \"Seconds\", \"SecondsPath\", \"Timestamp\" or "
                    + "\"TimestampPath\"", where);
        }
        if (node.has("Seconds")) {
            JsonNode n = node.get("Seconds");
            if (s.isJsonata() && isExpr(n)) {
                s.secondsJsonata = jsonata(n, where + "/Seconds", "Seconds");
            } else if (!n.isIntegralNumber() || n.longValue() < 0 || n.longValue() > 99_999_999L) {
                error("The value of \"Seconds\" must be an integer between 0 and 99999999", where + "/Seconds");
            } else {
                s.seconds = n.longValue();
            }
        }
        if (node.has("SecondsPath")) {
            s.secondsPath = path(node.get("SecondsPath"), where + "/SecondsPath", false);
        }
        if (node.has("Timestamp")) {
            JsonNode n = node.get("Timestamp");
            if (s.isJsonata() && isExpr(n)) {
                s.timestampJsonata = jsonata(n, where + "/Timestamp", "Timestamp");
            } else if (!n.isTextual() || parseTimestamp(n.textValue()) == null) {
                error("The value of \"Timestamp\" must be an RFC 3339 timestamp such as 2016-03-14T01:59:00Z",
                        where + "/Timestamp");
            } else {
                s.timestamp = n.textValue();
            }
        }
        if (node.has("TimestampPath")) {
            s.timestampPath = path(node.get("TimestampPath"), where + "/TimestampPath", false);
        }
    }

    private void fail(State.Fail s, JsonNode node, String where) {
        if (node.has("Error") && node.has("ErrorPath")) {
            error("Only one of \"Error\" or \"ErrorPath\" can be present", where);
        }
        if (node.has("Cause") && node.has("CausePath")) {
            error("Only one of \"Cause\" or \"CausePath\" can be present", where);
        }
        for (String f : List.of("Error", "Cause")) {
            if (!node.has(f)) {
                continue;
            }
            JsonNode n = node.get(f);
            if (!n.isTextual()) {
                error("The value of \"" + f + "\" must be a string", where + "/" + f);
                continue;
            }
            if (s.isJsonata() && isExpr(n)) {
                JsonataTemplate t = jsonata(n, where + "/" + f, f);
                if (f.equals("Error")) {
                    s.errorJsonata = t;
                } else {
                    s.causeJsonata = t;
                }
            } else if (f.equals("Error")) {
                s.error = n.textValue();
            } else {
                s.cause = n.textValue();
            }
        }
        for (String f : List.of("ErrorPath", "CausePath")) {
            if (!node.has(f)) {
                continue;
            }
            JsonNode n = node.get(f);
            if (!n.isTextual()) {
                error("The value of \"" + f + "\" must be a JSONPath or an intrinsic function string", where + "/" + f);
                continue;
            }
            try {
                PayloadTemplate t = PayloadTemplate.dynamic(n.textValue(), where + "/" + f, f);
                if (f.equals("ErrorPath")) {
                    s.errorPath = t;
                } else {
                    s.causePath = t;
                }
            } catch (IllegalArgumentException e) {
                error("The value of \"" + f + "\" must be a valid JSONPath or intrinsic function", where + "/" + f);
            }
        }
    }

    private void parallel(State.Parallel s, JsonNode node, String where) {
        JsonNode b = node.get("Branches");
        if (b == null || !b.isArray() || b.isEmpty()) {
            error("The field \"Branches\" is required and must be a non-empty array", where + "/Branches");
            s.branches = List.of();
            return;
        }
        List<Scope> branches = new ArrayList<>();
        for (int i = 0; i < b.size(); i++) {
            String bw = where + "/Branches/" + i;
            if (!b.get(i).isObject()) {
                error("A branch must be a JSON object", bw);
                continue;
            }
            unknownFields(b.get(i), Set.of("Comment", "StartAt", "States"), bw);
            branches.add(scope(b.get(i), bw, topLanguage));
        }
        s.branches = branches;
    }

    private void map(State.Map s, JsonNode node, String where) {
        boolean hasIterator = node.has("Iterator");
        boolean hasProcessor = node.has("ItemProcessor");
        if (hasIterator == hasProcessor) {
            error("A Map state must have exactly one of \"ItemProcessor\" or \"Iterator\"", where);
        }
        JsonNode proc = hasProcessor ? node.get("ItemProcessor") : node.get("Iterator");
        String pw = where + (hasProcessor ? "/ItemProcessor" : "/Iterator");
        if (proc != null) {
            if (!proc.isObject()) {
                error("The item processor must be a JSON object", pw);
            } else {
                unknownFields(proc, hasProcessor ? SCOPE_FIELDS : Set.of("Comment", "StartAt", "States"), pw);
                JsonNode cfg = proc.get("ProcessorConfig");
                if (cfg != null) {
                    if (!cfg.isObject()) {
                        error("ProcessorConfig must be a JSON object", pw + "/ProcessorConfig");
                    } else {
                        unknownFields(cfg, Set.of("Mode", "ExecutionType"), pw + "/ProcessorConfig");
                        String mode = cfg.path("Mode").asText("INLINE");
                        if (!mode.equals("INLINE") && !mode.equals("DISTRIBUTED")) {
                            error("ProcessorConfig.Mode must be INLINE or DISTRIBUTED", pw + "/ProcessorConfig/Mode");
                        }
                        s.distributed = mode.equals("DISTRIBUTED");
                        if (cfg.has("ExecutionType")) {
                            String et = cfg.get("ExecutionType").asText();
                            if (!et.equals("STANDARD") && !et.equals("EXPRESS")) {
                                error("ProcessorConfig.ExecutionType must be STANDARD or EXPRESS",
                                        pw + "/ProcessorConfig/ExecutionType");
                            }
                            s.expressChildren = et.equals("EXPRESS");
                            if (!s.distributed) {
                                error("ProcessorConfig.ExecutionType is only valid in DISTRIBUTED mode",
                                        pw + "/ProcessorConfig/ExecutionType");
                            }
                        } else if (s.distributed) {
                            error("ProcessorConfig.ExecutionType is required in DISTRIBUTED mode",
                                    pw + "/ProcessorConfig");
                        }
                    }
                }
                s.processor = scope(proc, pw, topLanguage);
                com.fasterxml.jackson.databind.node.ObjectNode pj = Json.object();
                pj.set("StartAt", proc.get("StartAt"));
                pj.set("States", proc.get("States"));
                if (topLanguage == QueryLanguage.JSONATA) {
                    pj.put("QueryLanguage", "JSONata");
                }
                s.processorJson = pj;
            }
        }
        if (node.has("Parameters") && node.has("ItemSelector")) {
            error("Only one of \"ItemSelector\" or \"Parameters\" can be present", where);
        }
        if (node.has("ItemSelector")) {
            JsonNode is = node.get("ItemSelector");
            if (s.isJsonata()) {
                s.itemSelectorJsonata = jsonata(is, where + "/ItemSelector", "ItemSelector");
            } else {
                s.itemSelector = template(is, where + "/ItemSelector", true);
            }
        } else if (s.parameters != null) {
            s.itemSelector = s.parameters;
            s.parameters = null;
        }
        if (node.has("ItemsPath")) {
            s.itemsPath = path(node.get("ItemsPath"), where + "/ItemsPath", false);
        }
        if (node.has("Items")) {
            JsonNode items = node.get("Items");
            if (!items.isArray() && !isExpr(items)) {
                error("The field \"Items\" must be a JSON array or a JSONata expression", where + "/Items");
            } else {
                s.itemsJsonata = jsonata(items, where + "/Items", "Items");
            }
        }
        if (node.has("MaxConcurrency") && node.has("MaxConcurrencyPath")) {
            error("Only one of \"MaxConcurrency\" or \"MaxConcurrencyPath\" can be present", where);
        }
        if (node.has("MaxConcurrency")) {
            JsonNode n = node.get("MaxConcurrency");
            if (s.isJsonata() && isExpr(n)) {
                s.maxConcurrencyJsonata = jsonata(n, where + "/MaxConcurrency", "MaxConcurrency");
            } else {
                s.maxConcurrency = positiveInt(n, where + "/MaxConcurrency", 0);
            }
        }
        if (node.has("MaxConcurrencyPath")) {
            s.maxConcurrencyPath = path(node.get("MaxConcurrencyPath"), where + "/MaxConcurrencyPath", false);
        }
        boolean distributedOnly = false;
        for (String f : List.of("ItemReader", "ItemBatcher", "ResultWriter", "ToleratedFailureCount",
                "ToleratedFailureCountPath", "ToleratedFailurePercentage", "ToleratedFailurePercentagePath", "Label")) {
            if (node.has(f) && !s.distributed) {
                error("The field \"" + f + "\" is only supported when ProcessorConfig.Mode is DISTRIBUTED",
                        where + "/" + f);
                distributedOnly = true;
            }
        }
        if (distributedOnly) {
            return;
        }
        if (node.has("ToleratedFailureCount")) {
            JsonNode n = node.get("ToleratedFailureCount");
            if (s.isJsonata() && isExpr(n)) {
                s.toleratedFailureCountJsonata = jsonata(n, where + "/ToleratedFailureCount", "ToleratedFailureCount");
            } else if (!n.isIntegralNumber() || n.intValue() < 0) {
                error("ToleratedFailureCount must be a non-negative integer", where + "/ToleratedFailureCount");
            } else {
                s.toleratedFailureCount = n.doubleValue();
            }
        }
        if (node.has("ToleratedFailurePercentage")) {
            JsonNode n = node.get("ToleratedFailurePercentage");
            if (s.isJsonata() && isExpr(n)) {
                s.toleratedFailurePercentageJsonata = jsonata(n, where + "/ToleratedFailurePercentage",
                        "ToleratedFailurePercentage");
            } else if (!n.isNumber() || n.doubleValue() < 0 || n.doubleValue() > 100) {
                error("ToleratedFailurePercentage must be a number between 0 and 100",
                        where + "/ToleratedFailurePercentage");
            } else {
                s.toleratedFailurePercentage = n.doubleValue();
            }
        }
        if (node.has("ToleratedFailureCountPath")) {
            s.toleratedFailureCountPath = path(node.get("ToleratedFailureCountPath"),
                    where + "/ToleratedFailureCountPath", false);
        }
        if (node.has("ToleratedFailurePercentagePath")) {
            s.toleratedFailurePercentagePath = path(node.get("ToleratedFailurePercentagePath"),
                    where + "/ToleratedFailurePercentagePath", false);
        }
        if (node.has("Label")) {
            JsonNode l = node.get("Label");
            if (!l.isTextual() || l.textValue().length() > 40) {
                error("Label must be a string of at most 40 characters", where + "/Label");
            } else {
                s.label = l.textValue();
            }
        }
        if (node.has("ResultWriter")) {
            s.resultWriter = node.get("ResultWriter");
        }
        if (node.has("ItemReader")) {
            JsonNode r = node.get("ItemReader");
            String rw = where + "/ItemReader";
            if (!r.isObject() || !r.path("Resource").isTextual()) {
                error("ItemReader must be an object with a \"Resource\"", rw);
            } else {
                unknownFields(r, Set.of("Resource", "Parameters", "Arguments", "ReaderConfig"), rw);
                PayloadTemplate params = null;
                JsonataTemplate args = null;
                if (r.has("Parameters")) {
                    params = template(r.get("Parameters"), rw + "/Parameters", true);
                }
                if (r.has("Arguments")) {
                    args = jsonata(r.get("Arguments"), rw + "/Arguments", "Arguments");
                }
                s.itemReader = new State.ItemReader(r.get("Resource").textValue(), params, args,
                        r.has("ReaderConfig") ? r.get("ReaderConfig") : Json.object());
            }
        }
        if (node.has("ItemBatcher")) {
            JsonNode b = node.get("ItemBatcher");
            String bw = where + "/ItemBatcher";
            if (!b.isObject()) {
                error("ItemBatcher must be a JSON object", bw);
            } else {
                unknownFields(b, Set.of("MaxItemsPerBatch", "MaxItemsPerBatchPath", "MaxInputBytesPerBatch",
                        "MaxInputBytesPerBatchPath", "BatchInput"), bw);
                Integer maxItems = null;
                JsonataTemplate maxItemsJ = null;
                if (b.has("MaxItemsPerBatch")) {
                    if (s.isJsonata() && isExpr(b.get("MaxItemsPerBatch"))) {
                        maxItemsJ = jsonata(b.get("MaxItemsPerBatch"), bw + "/MaxItemsPerBatch", "MaxItemsPerBatch");
                    } else {
                        maxItems = positiveInt(b.get("MaxItemsPerBatch"), bw + "/MaxItemsPerBatch", 1);
                    }
                }
                Integer maxBytes = b.has("MaxInputBytesPerBatch")
                        ? positiveInt(b.get("MaxInputBytesPerBatch"), bw + "/MaxInputBytesPerBatch", 1) : null;
                JsonPathExpr maxItemsPath = b.has("MaxItemsPerBatchPath")
                        ? path(b.get("MaxItemsPerBatchPath"), bw + "/MaxItemsPerBatchPath", false) : null;
                JsonPathExpr maxBytesPath = b.has("MaxInputBytesPerBatchPath")
                        ? path(b.get("MaxInputBytesPerBatchPath"), bw + "/MaxInputBytesPerBatchPath", false) : null;
                PayloadTemplate batchInput = null;
                JsonataTemplate batchInputJ = null;
                if (b.has("BatchInput")) {
                    if (s.isJsonata()) {
                        batchInputJ = jsonata(b.get("BatchInput"), bw + "/BatchInput", "BatchInput");
                    } else {
                        batchInput = template(b.get("BatchInput"), bw + "/BatchInput", true);
                    }
                }
                if (maxItems == null && maxBytes == null && maxItemsPath == null && maxBytesPath == null
                        && maxItemsJ == null) {
                    error("ItemBatcher must set MaxItemsPerBatch or MaxInputBytesPerBatch", bw);
                }
                s.itemBatcher = new State.ItemBatcher(maxItems, maxItemsPath, maxBytes, maxBytesPath, batchInput,
                        batchInputJ, maxItemsJ);
            }
        }
    }

    private List<Retrier> retry(JsonNode n, String where) {
        if (!n.isArray()) {
            error("The field \"Retry\" must be an array", where);
            return List.of();
        }
        List<Retrier> out = new ArrayList<>();
        for (int i = 0; i < n.size(); i++) {
            JsonNode r = n.get(i);
            String rw = where + "/" + i;
            if (!r.isObject()) {
                error("A retrier must be a JSON object", rw);
                continue;
            }
            unknownFields(r, Set.of("ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate",
                    "MaxDelaySeconds", "JitterStrategy", "Comment"), rw);
            List<String> errs = errorEquals(r.get("ErrorEquals"), rw + "/ErrorEquals", i == n.size() - 1);
            int interval = 1;
            int attempts = 3;
            double backoff = 2.0;
            Integer maxDelay = null;
            boolean jitter = false;
            if (r.has("IntervalSeconds")) {
                JsonNode v = r.get("IntervalSeconds");
                if (!v.isIntegralNumber() || v.longValue() < 1 || v.longValue() > 99_999_999L) {
                    error("IntervalSeconds must be a positive integer", rw + "/IntervalSeconds");
                } else {
                    interval = v.intValue();
                }
            }
            if (r.has("MaxAttempts")) {
                JsonNode v = r.get("MaxAttempts");
                if (!v.isIntegralNumber() || v.longValue() < 0 || v.longValue() > 99_999_999L) {
                    error("MaxAttempts must be a non-negative integer", rw + "/MaxAttempts");
                } else {
                    attempts = v.intValue();
                }
            }
            if (r.has("BackoffRate")) {
                JsonNode v = r.get("BackoffRate");
                if (!v.isNumber() || v.doubleValue() < 1.0) {
                    error("BackoffRate must be a number greater than or equal to 1.0", rw + "/BackoffRate");
                } else {
                    backoff = v.doubleValue();
                }
            }
            if (r.has("MaxDelaySeconds")) {
                JsonNode v = r.get("MaxDelaySeconds");
                if (!v.isIntegralNumber() || v.longValue() < 1 || v.longValue() > 31_622_400L) {
                    error("MaxDelaySeconds must be an integer between 1 and 31622400", rw + "/MaxDelaySeconds");
                } else {
                    maxDelay = v.intValue();
                }
            }
            if (r.has("JitterStrategy")) {
                String j = r.get("JitterStrategy").asText();
                if (!j.equals("FULL") && !j.equals("NONE")) {
                    error("JitterStrategy must be FULL or NONE", rw + "/JitterStrategy");
                }
                jitter = j.equals("FULL");
            }
            out.add(new Retrier(errs, interval, attempts, backoff, maxDelay, jitter));
        }
        return out;
    }

    private List<Catcher> catchers(JsonNode n, String where, QueryLanguage ql) {
        if (!n.isArray()) {
            error("The field \"Catch\" must be an array", where);
            return List.of();
        }
        List<Catcher> out = new ArrayList<>();
        for (int i = 0; i < n.size(); i++) {
            JsonNode c = n.get(i);
            String cw = where + "/" + i;
            if (!c.isObject()) {
                error("A catcher must be a JSON object", cw);
                continue;
            }
            Set<String> allowed = ql == QueryLanguage.JSONATA
                    ? Set.of("ErrorEquals", "Next", "Output", "Assign", "Comment")
                    : Set.of("ErrorEquals", "Next", "ResultPath", "Assign", "Comment");
            for (Iterator<String> it = c.fieldNames(); it.hasNext();) {
                String f = it.next();
                if (!allowed.contains(f)) {
                    error("The field \"" + f + "\" is not supported in a " + (ql == QueryLanguage.JSONATA ? "JSONata"
                            : "JSONPath") + " catcher", cw + "/" + f);
                }
            }
            List<String> errs = errorEquals(c.get("ErrorEquals"), cw + "/ErrorEquals", i == n.size() - 1);
            JsonNode next = c.get("Next");
            if (next == null || !next.isTextual()) {
                error("MISSING_TRANSITION_TARGET", "A catcher must have a \"Next\" field", cw);
            }
            JsonPathExpr rp = null;
            boolean discard = false;
            if (c.has("ResultPath")) {
                if (c.get("ResultPath").isNull()) {
                    discard = true;
                } else {
                    rp = path(c.get("ResultPath"), cw + "/ResultPath", true);
                }
            }
            PayloadTemplate assignPath = null;
            JsonataTemplate assignJ = null;
            JsonataTemplate output = null;
            if (c.has("Assign") && checkAssign(c.get("Assign"), cw + "/Assign", ql == QueryLanguage.JSONATA)) {
                if (ql == QueryLanguage.JSONATA) {
                    assignJ = jsonata(c.get("Assign"), cw + "/Assign", "Assign");
                } else {
                    assignPath = template(c.get("Assign"), cw + "/Assign", true);
                }
            }
            if (c.has("Output") && ql == QueryLanguage.JSONATA) {
                output = jsonata(c.get("Output"), cw + "/Output", "Output");
            }
            out.add(new Catcher(errs, next != null && next.isTextual() ? next.textValue() : null, rp, discard,
                    assignPath, assignJ, output));
        }
        return out;
    }

    private List<String> errorEquals(JsonNode n, String where, boolean last) {
        if (n == null || !n.isArray() || n.isEmpty()) {
            error("The field \"ErrorEquals\" is required and must be a non-empty array of strings", where);
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n.size(); i++) {
            JsonNode e = n.get(i);
            if (!e.isTextual()) {
                error("Error names must be strings", where + "/" + i);
                continue;
            }
            String name = e.textValue();
            if (name.startsWith("States.") && !StatesErrors.KNOWN.contains(name)) {
                error("\"" + name + "\" is not a predefined error name; names starting with \"States.\" are "
                        + "reserved", where + "/" + i);
            }
            out.add(name);
        }
        if (out.contains(StatesErrors.ALL)) {
            if (out.size() > 1) {
                error("\"States.ALL\" must appear alone in ErrorEquals", where);
            }
            if (!last) {
                error("A retrier or catcher with \"States.ALL\" must be the last one", where);
            }
        }
        return List.copyOf(out);
    }
}
