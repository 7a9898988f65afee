package dev.skyloom.infra.constructs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skyloom.manifest.Naming;
import dev.skyloom.manifest.RuleSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awscdk.services.events.CfnRule;
import software.amazon.awscdk.services.iam.Effect;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.lambda.CfnPermission;
import software.amazon.awscdk.services.sqs.IQueue;
import software.constructs.Construct;

/**
 * Every {@link RuleSpec} of the manifest as an EventBridge rule on its bus, with the event pattern exactly as
 * declared (so the local cloud and AWS match events the same way) and a target per declared target, each with the
 * rule's dead-letter queue for events EventBridge could not deliver. Delivery is allowed where it lands: a statement
 * in the target queue's (and the dead-letter queue's) resource policy limited to this rule, a Lambda permission on the
 * function's {@code live} alias for this rule, or a role that EventBridge assumes to start exactly the target state
 * machine.
 */
public final class Rules extends Construct {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ServicePrincipal EVENTS = new ServicePrincipal("events.amazonaws.com");

    private final Map<String, CfnRule> rules = new LinkedHashMap<>();
    private Role stateMachineRole;

    public Rules(Construct scope, String id, RulesProps props) {
        super(scope, id);
        DeployedResources resources = props.resources();
        Naming naming = resources.naming();
        for (RuleSpec spec : resources.manifest().rules()) {
            IQueue deadLetterQueue = props.deadLetterQueues().get(spec.deadLetterQueue());
            if (deadLetterQueue == null) {
                throw new IllegalArgumentException("rule " + spec.name() + ": queue " + spec.deadLetterQueue()
                        + " has no dead-letter queue; queues with one: " + props.deadLetterQueues().keySet());
            }
            CfnRule rule = CfnRule.Builder.create(this, "Rule-" + spec.name())
                    .name(naming.physical(spec.name()))
                    .description(spec.description())
                    .eventBusName(resources.eventBus(spec.bus()).getEventBusName())
                    .eventPattern(pattern(spec))
                    .state("ENABLED")
                    .build();
            String ruleArn = rule.getAttrArn();
            allowSend(deadLetterQueue, ruleArn, spec.name());
            List<Object> targets = new ArrayList<>();
            for (RuleSpec.Target target : spec.targets()) {
                CfnRule.TargetProperty.Builder builder = CfnRule.TargetProperty.builder()
                        .id(target.id())
                        .deadLetterConfig(CfnRule.DeadLetterConfigProperty.builder()
                                .arn(deadLetterQueue.getQueueArn()).build());
                switch (target.kind()) {
                    case QUEUE -> {
                        IQueue queue = resources.queue(target.name());
                        allowSend(queue, ruleArn, spec.name());
                        builder.arn(queue.getQueueArn());
                    }
                    case FUNCTION -> {
                        String alias = resources.functionAliasArn(this, target.name());
                        CfnPermission.Builder.create(this, "Invoke-" + spec.name() + "-" + target.name())
                                .action("lambda:InvokeFunction")
                                .functionName(alias)
                                .principal("events.amazonaws.com")
                                .sourceArn(ruleArn)
                                .build();
                        builder.arn(alias);
                    }
                    case STATE_MACHINE -> {
                        String machine = resources.stateMachineArn(this, target.name());
                        stateMachineRole().addToPrincipalPolicy(AccessPolicies.allow(
                                AccessPolicies.STATE_MACHINE_START, List.of(machine)));
                        builder.arn(machine).roleArn(stateMachineRole().getRoleArn());
                    }
                    default -> throw new IllegalArgumentException("rule " + spec.name() + ": unsupported target "
                            + target);
                }
                targets.add(builder.build());
            }
            rule.setTargets(targets);
            rules.put(spec.name(), rule);
        }
    }

    private static void allowSend(IQueue queue, String ruleArn, String rule) {
        queue.addToResourcePolicy(PolicyStatement.Builder.create()
                .sid("FromRule" + rule.replace("-", ""))
                .effect(Effect.ALLOW)
                .principals(List.of(EVENTS))
                .actions(List.of("sqs:SendMessage"))
                .resources(List.of(queue.getQueueArn()))
                .conditions(Map.of("ArnEquals", Map.of("aws:SourceArn", ruleArn)))
                .build());
    }

    private Role stateMachineRole() {
        if (stateMachineRole == null) {
            stateMachineRole = Role.Builder.create(this, "StateMachineTargetRole")
                    .assumedBy(EVENTS)
                    .description("Assumed by EventBridge to start the state machines that rules target")
                    .build();
        }
        return stateMachineRole;
    }

    private static Map<String, Object> pattern(RuleSpec spec) {
        try {
            return JSON.readValue(spec.eventPattern(), new TypeReference<Map<String, Object>>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("rule " + spec.name() + ": the event pattern is not JSON: "
                    + e.getOriginalMessage(), e);
        }
    }

    /** Rules by logical name. */
    public Map<String, CfnRule> rules() {
        return Collections.unmodifiableMap(rules);
    }

    /**
     * Properties of {@link Rules}.
     *
     * @param deadLetterQueues the dead-letter queue of each manifest queue, by the queue's logical name
     */
    public record RulesProps(DeployedResources resources, Map<String, IQueue> deadLetterQueues) {
        public RulesProps {
            Objects.requireNonNull(resources, "resources");
            deadLetterQueues = Map.copyOf(deadLetterQueues);
        }

        public static Builder builder() {
            return new Builder();
        }

        /** Builds {@link RulesProps}. */
        public static final class Builder {
            private DeployedResources resources;
            private Map<String, IQueue> deadLetterQueues = Map.of();

            public Builder resources(DeployedResources resources) {
                this.resources = resources;
                return this;
            }

            public Builder deadLetterQueues(Map<String, ? extends IQueue> deadLetterQueues) {
                this.deadLetterQueues = Map.copyOf(deadLetterQueues);
                return this;
            }

            public RulesProps build() {
                return new RulesProps(resources, deadLetterQueues);
            }
        }
    }
}
