package dev.skyloom.infra;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import software.amazon.awscdk.assertions.Template;

/** Reading synthesized templates: resources by type, cross-stack outputs, intrinsic functions rendered as text. */
final class Templates {
    private Templates() {
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> properties(Map<String, Object> resource) {
        return (Map<String, Object>) resource.getOrDefault("Properties", Map.of());
    }

    /** The properties of the only resource of {@code type} whose property {@code key} equals {@code value}. */
    static Map<String, Object> resource(Template template, String type, String key, Object value) {
        List<Map<String, Object>> matches = template.findResources(type).values().stream()
                .map(Templates::properties)
                .filter(p -> value.equals(p.get(key)))
                .toList();
        if (matches.size() != 1) {
            throw new AssertionError("expected one " + type + " with " + key + "=" + value + ", found "
                    + matches.size());
        }
        return matches.get(0);
    }

    /** The logical id of the only resource of {@code type} whose property {@code key} equals {@code value}. */
    static String logicalId(Template template, String type, String key, Object value) {
        List<String> ids = template.findResources(type).entrySet().stream()
                .filter(e -> value.equals(properties(e.getValue()).get(key)))
                .map(Map.Entry::getKey).toList();
        if (ids.size() != 1) {
            throw new AssertionError("expected one " + type + " with " + key + "=" + value + ", found " + ids);
        }
        return ids.get(0);
    }

    /**
     * An intrinsic as readable text: {@code {Ref:X}}, {@code {GetAtt:X.Arn}}, {@code {AWS::Region}}; joins are
     * concatenated; {@code Fn::GetStackOutput} is followed into {@code producer}, the stack that exports it.
     */
    @SuppressWarnings("unchecked")
    static String render(Object value, Template producer) {
        if (value instanceof String text) {
            return text;
        }
        if (value instanceof Map<?, ?> map && map.size() == 1) {
            var entry = map.entrySet().iterator().next();
            String function = (String) entry.getKey();
            Object argument = entry.getValue();
            switch (function) {
                case "Ref" -> {
                    String ref = (String) argument;
                    return ref.startsWith("AWS::") ? "{" + ref + "}" : "{Ref:" + ref + "}";
                }
                case "Fn::GetAtt" -> {
                    List<Object> parts = (List<Object>) argument;
                    return "{GetAtt:" + parts.get(0) + "." + parts.get(1) + "}";
                }
                case "Fn::Join" -> {
                    List<Object> parts = (List<Object>) argument;
                    String separator = (String) parts.get(0);
                    return ((List<Object>) parts.get(1)).stream().map(p -> render(p, producer))
                            .collect(Collectors.joining(separator));
                }
                case "Fn::GetStackOutput", "Fn::ImportValue" -> {
                    return render(exportedValue(argument, producer), producer);
                }
                default -> throw new AssertionError("cannot render intrinsic " + function + ": " + argument);
            }
        }
        throw new AssertionError("cannot render " + value);
    }

    @SuppressWarnings("unchecked")
    private static Object exportedValue(Object argument, Template producer) {
        Map<String, Map<String, Object>> outputs = (Map<String, Map<String, Object>>) producer.toJSON().get("Outputs");
        if (argument instanceof Map<?, ?> reference) {
            Map<String, Object> output = outputs.get((String) reference.get("OutputName"));
            if (output == null) {
                throw new AssertionError("the producer has no output " + reference.get("OutputName"));
            }
            return output.get("Value");
        }
        for (Map<String, Object> output : outputs.values()) {
            Map<String, Object> export = (Map<String, Object>) output.get("Export");
            if (export != null && argument.equals(export.get("Name"))) {
                return output.get("Value");
            }
        }
        throw new AssertionError("the producer exports no " + argument);
    }

    /** Every statement of every identity policy (AWS::IAM::Policy, ManagedPolicy and roles' inline policies). */
    @SuppressWarnings("unchecked")
    static List<Statement> identityStatements(Template template) {
        List<Statement> statements = new ArrayList<>();
        for (String type : List.of("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy")) {
            template.findResources(type).forEach((id, resource) -> addStatements(statements, id,
                    roleRefs(properties(resource).get("Roles")), properties(resource).get("PolicyDocument")));
        }
        template.findResources("AWS::IAM::Role").forEach((id, resource) -> {
            for (Object policy : (List<Object>) properties(resource).getOrDefault("Policies", List.of())) {
                addStatements(statements, id, List.of(id), ((Map<String, Object>) policy).get("PolicyDocument"));
            }
        });
        return statements;
    }

    /** Every statement of every resource policy (buckets, queues, topics, keys). */
    static List<Statement> resourcePolicyStatements(Template template) {
        List<Statement> statements = new ArrayList<>();
        for (String type : List.of("AWS::S3::BucketPolicy", "AWS::SQS::QueuePolicy", "AWS::SNS::TopicPolicy")) {
            template.findResources(type).forEach((id, resource) ->
                    addStatements(statements, id, List.of(), properties(resource).get("PolicyDocument")));
        }
        template.findResources("AWS::KMS::Key").forEach((id, resource) ->
                addStatements(statements, id, List.of(), properties(resource).get("KeyPolicy")));
        return statements;
    }

    private static List<String> roleRefs(Object roles) {
        return asList(roles).stream().map(r -> r instanceof Map<?, ?> ref ? String.valueOf(ref.get("Ref"))
                : String.valueOf(r)).toList();
    }

    @SuppressWarnings("unchecked")
    private static void addStatements(List<Statement> statements, String owner, List<String> roles,
                                      Object document) {
        if (document == null) {
            return;
        }
        Object raw = ((Map<String, Object>) document).get("Statement");
        for (Object statement : raw instanceof List<?> list ? list : List.of(raw)) {
            Map<String, Object> s = (Map<String, Object>) statement;
            statements.add(new Statement(owner, roles, (String) s.get("Effect"), strings(s.get("Action")),
                    asList(s.get("Resource")), s));
        }
    }

    private static List<String> strings(Object value) {
        return asList(value).stream().map(String::valueOf).toList();
    }

    private static List<Object> asList(Object value) {
        if (value == null) {
            return List.of();
        }
        return value instanceof List<?> list ? List.copyOf(list) : List.of(value);
    }

    /**
     * One policy statement: the resource that holds it, the roles it applies to (identity policies), its effect,
     * actions and resources (intrinsics kept as they are).
     */
    record Statement(String owner, List<String> roles, String effect, List<String> actions, List<Object> resources,
                     Map<String, Object> raw) {
        boolean allows() {
            return "Allow".equals(effect);
        }
    }
}
