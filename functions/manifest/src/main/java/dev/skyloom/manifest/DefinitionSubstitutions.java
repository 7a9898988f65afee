package dev.skyloom.manifest;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The placeholders a state machine definition may use, so that one ASL file runs on AWS and in the local cloud.
 * A definition writes {@code "${FunctionArn_api}"} where it needs the ARN of the function {@code api}; each deployer
 * supplies the value for its own names (CloudFormation's {@code DefinitionSubstitutions} on AWS).
 *
 * <table>
 *   <caption>placeholders</caption>
 *   <tr><th>key</th><th>value</th></tr>
 *   <tr><td>{@code TableName_<table>}</td><td>the table's physical name</td></tr>
 *   <tr><td>{@code QueueUrl_<queue>}</td><td>the queue's URL</td></tr>
 *   <tr><td>{@code BucketName_<bucket>}</td><td>the bucket's physical name</td></tr>
 *   <tr><td>{@code FunctionArn_<function>}</td><td>the ARN to invoke the function with (on AWS its {@code live}
 *       alias, which carries the SnapStart snapshot)</td></tr>
 *   <tr><td>{@code StateMachineArn_<state machine>}</td><td>another state machine's ARN</td></tr>
 *   <tr><td>{@code EventBusName}</td><td>the platform's EventBridge bus</td></tr>
 * </table>
 * In a key, a {@code -} of the logical name becomes {@code _}: {@code StateMachineArn_agent_step}.
 */
public final class DefinitionSubstitutions {
    /** The platform's EventBridge bus name. */
    public static final String EVENT_BUS_NAME = "EventBusName";

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]*)}");

    private DefinitionSubstitutions() {
    }

    /**
     * The key of a declared resource: {@code TableName_main}, {@code QueueUrl_events}, {@code FunctionArn_api},
     * {@code StateMachineArn_agent_step}, and {@value #EVENT_BUS_NAME} for the platform's (only) event bus.
     */
    public static String key(ResourceKind kind, String name) {
        Objects.requireNonNull(kind, "kind");
        String prefix = switch (kind) {
            case TABLE -> "TableName_";
            case QUEUE -> "QueueUrl_";
            case BUCKET -> "BucketName_";
            case FUNCTION -> "FunctionArn_";
            case STATE_MACHINE -> "StateMachineArn_";
            case EVENT_BUS -> null;
            case MODEL -> throw new IllegalArgumentException("models have no definition placeholder");
            case ROLE -> throw new IllegalArgumentException("roles have no definition placeholder");
        };
        return prefix == null ? EVENT_BUS_NAME : prefix + id(name);
    }

    /** The key of a state machine's ARN: {@code StateMachineArn_agent_step}. */
    public static String stateMachineArn(String name) {
        return "StateMachineArn_" + id(name);
    }

    /** The placeholder keys a definition uses, sorted. */
    public static Set<String> referencedKeys(String definition) {
        Set<String> keys = new TreeSet<>();
        Matcher matcher = PLACEHOLDER.matcher(definition);
        while (matcher.find()) {
            keys.add(matcher.group(1));
        }
        return keys;
    }

    /**
     * Fills in every placeholder of a definition. A placeholder with no value is an error that names the valid keys,
     * as CloudFormation would refuse the definition.
     */
    public static String substitute(String definition, Map<String, String> values) {
        Matcher matcher = PLACEHOLDER.matcher(definition);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String value = values.get(matcher.group(1));
            if (value == null) {
                throw new IllegalArgumentException("placeholder ${" + matcher.group(1) + "} has no value; valid keys: "
                        + new TreeSet<>(values.keySet()));
            }
            matcher.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    private static String id(String name) {
        Objects.requireNonNull(name, "name");
        return name.replace('-', '_');
    }
}
