package dev.skyloom.infra.constructs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skyloom.manifest.DefinitionSubstitutions;
import dev.skyloom.manifest.Naming;
import dev.skyloom.manifest.StateMachineSpec;
import io.github.cdklabs.cdknag.RegexAppliesTo;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.ArnFormat;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.stepfunctions.DefinitionBody;
import software.amazon.awscdk.services.stepfunctions.LogLevel;
import software.amazon.awscdk.services.stepfunctions.LogOptions;
import software.amazon.awscdk.services.stepfunctions.StateMachine;
import software.amazon.awscdk.services.stepfunctions.StateMachineType;
import software.constructs.Construct;

/**
 * Every {@code statemachines/*.asl.json} as a STANDARD state machine: the definition inline
 * ({@code DefinitionBody.fromString}, no S3 asset) with its {@code ${...}} placeholders filled in by CloudFormation's
 * {@code DefinitionSubstitutions}, execution history logged at level ALL (with data) to its own log group, X-Ray
 * tracing, and a role that may use exactly the resources the definition names. A definition with a distributed Map
 * ({@code ProcessorConfig.Mode DISTRIBUTED}) runs its iterations as child executions of itself, so its role may also
 * start its own executions and describe and stop them.
 */
public final class Workflows extends Construct {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, StateMachine> stateMachines = new LinkedHashMap<>();

    public Workflows(Construct scope, String id, WorkflowsProps props) {
        super(scope, id);
        for (StateMachineSpec spec : props.stateMachines()) {
            String name = props.naming().physical(spec.name());
            Set<String> keys = DefinitionSubstitutions.referencedKeys(spec.definition());
            Map<String, String> substitutions = new TreeMap<>();
            for (String key : keys) {
                Placeholder placeholder = props.placeholders().get(key);
                if (placeholder == null) {
                    throw new IllegalArgumentException("state machine " + spec.name() + " (" + spec.name()
                            + StateMachineSpec.SUFFIX + ") uses ${" + key + "}, which names no declared resource; "
                            + "valid placeholders: " + props.placeholders().keySet());
                }
                substitutions.put(key, placeholder.value());
            }
            LogGroup logGroup = LogGroup.Builder.create(this, "Logs-" + spec.name())
                    .logGroupName("/aws/vendedlogs/states/" + name)
                    .retention(props.logRetention())
                    .removalPolicy(RemovalPolicy.DESTROY)
                    .build();
            StateMachine.Builder builder = StateMachine.Builder.create(this, "StateMachine-" + spec.name())
                    .stateMachineName(name)
                    .stateMachineType(StateMachineType.STANDARD)
                    .definitionBody(DefinitionBody.fromString(spec.definition()))
                    .logs(LogOptions.builder().destination(logGroup).level(LogLevel.ALL).includeExecutionData(true)
                            .build())
                    .tracingEnabled(true)
                    .comment("statemachines/" + spec.name() + StateMachineSpec.SUFFIX);
            if (!substitutions.isEmpty()) {
                builder.definitionSubstitutions(substitutions);
            }
            StateMachine machine = builder.build();
            for (String key : keys) {
                for (Placeholder.Permission permission : props.placeholders().get(key).permissions()) {
                    machine.addToRolePolicy(permission.toStatement());
                }
            }
            if (hasDistributedMap(spec)) {
                // built from the name, not referenced: a reference would make the role depend on its own machine
                Stack stack = Stack.of(this);
                machine.addToRolePolicy(AccessPolicies.allow(AccessPolicies.STATE_MACHINE_START, List.of(
                        stack.formatArn(ArnComponents.builder().service("states").resource("stateMachine")
                                .resourceName(name).arnFormat(ArnFormat.COLON_RESOURCE_NAME).build()))));
                machine.addToRolePolicy(AccessPolicies.allow(AccessPolicies.EXECUTION_WAIT, List.of(
                        stack.formatArn(ArnComponents.builder().service("states").resource("execution")
                                .resourceName(name + ":*").arnFormat(ArnFormat.COLON_RESOURCE_NAME).build()))));
            }
            Suppressions.suppress(machine, "AwsSolutions-IAM5",
                    "Log delivery (logs:*LogDelivery, DescribeLogGroups, ...) and X-Ray actions support no "
                            + "resource-level permissions (Resource *); S3 object keys and child executions of a "
                            + "named state machine are only known at run time ('<arn>/*', 'execution:<name>:*').",
                    List.<Object>of("Resource::*", RegexAppliesTo.builder().regex("/^Resource::.*\\/\\*$/g").build(),
                            RegexAppliesTo.builder().regex("/^Resource::.*:execution:.*:\\*$/g").build()));
            stateMachines.put(spec.name(), machine);
        }
    }

    /** Whether a definition has a Map state whose iterations run as child executions ({@code DISTRIBUTED}). */
    public static boolean hasDistributedMap(StateMachineSpec spec) {
        try {
            return hasDistributedMap(JSON.readTree(spec.definition()));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("state machine " + spec.name() + StateMachineSpec.SUFFIX
                    + " is not JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static boolean hasDistributedMap(JsonNode node) {
        if (node.isObject() && "DISTRIBUTED".equals(node.path("ItemProcessor").path("ProcessorConfig").path("Mode")
                .asText())) {
            return true;
        }
        for (JsonNode child : node) {
            if (hasDistributedMap(child)) {
                return true;
            }
        }
        return false;
    }

    /** State machines by logical name, sorted. */
    public Map<String, StateMachine> stateMachines() {
        return Collections.unmodifiableMap(stateMachines);
    }

    /** Properties of {@link Workflows}. */
    public record WorkflowsProps(List<StateMachineSpec> stateMachines, Naming naming,
                                 Map<String, Placeholder> placeholders, RetentionDays logRetention) {
        public WorkflowsProps {
            stateMachines = List.copyOf(stateMachines);
            Objects.requireNonNull(naming, "naming");
            placeholders = Collections.unmodifiableMap(new TreeMap<>(placeholders));
            Objects.requireNonNull(logRetention, "logRetention");
        }

        public static Builder builder() {
            return new Builder();
        }

        /** Builds {@link WorkflowsProps}; execution logs are kept a month by default. */
        public static final class Builder {
            private List<StateMachineSpec> stateMachines = List.of();
            private Naming naming;
            private Map<String, Placeholder> placeholders = Map.of();
            private RetentionDays logRetention = RetentionDays.ONE_MONTH;

            public Builder stateMachines(List<StateMachineSpec> stateMachines) {
                this.stateMachines = stateMachines;
                return this;
            }

            public Builder naming(Naming naming) {
                this.naming = naming;
                return this;
            }

            public Builder placeholders(Map<String, Placeholder> placeholders) {
                this.placeholders = placeholders;
                return this;
            }

            public Builder logRetention(RetentionDays logRetention) {
                this.logRetention = logRetention;
                return this;
            }

            public WorkflowsProps build() {
                return new WorkflowsProps(stateMachines, naming, placeholders, logRetention);
            }
        }
    }
}
