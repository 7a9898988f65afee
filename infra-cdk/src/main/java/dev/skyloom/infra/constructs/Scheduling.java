package dev.skyloom.infra.constructs;

import dev.skyloom.manifest.Naming;
import dev.skyloom.manifest.ScheduleGroupSpec;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.scheduler.ScheduleGroup;
import software.amazon.awscdk.services.stepfunctions.IStateMachine;
import software.constructs.Construct;

/**
 * Every {@link ScheduleGroupSpec} of the manifest as an EventBridge Scheduler schedule group
 * {@code skyloom-<stage>-<name>} that the platform creates schedules in (agent pulses), with the execution role those
 * schedules run with. Only EventBridge Scheduler acting for this account and this group may assume the role, and it
 * may start exactly the group's target state machines that are deployed.
 */
public final class Scheduling extends Construct {
    private final Map<String, ScheduleGroup> groups = new LinkedHashMap<>();
    private final Map<String, Role> executionRoles = new LinkedHashMap<>();

    public Scheduling(Construct scope, String id, SchedulingProps props) {
        super(scope, id);
        for (ScheduleGroupSpec spec : props.groups()) {
            String groupName = props.naming().physical(spec.name());
            ScheduleGroup group = ScheduleGroup.Builder.create(this, "Group-" + spec.name())
                    .scheduleGroupName(groupName)
                    .removalPolicy(RemovalPolicy.DESTROY)
                    .build();
            Role executionRole = Role.Builder.create(this, "ExecutionRole-" + spec.name())
                    .description("Assumed by EventBridge Scheduler for the schedules of " + groupName)
                    .assumedBy(new ServicePrincipal("scheduler.amazonaws.com").withConditions(Map.of(
                            "StringEquals", Map.of("aws:SourceAccount", Aws.ACCOUNT_ID),
                            "ArnEquals", Map.of("aws:SourceArn", group.getScheduleGroupArn()))))
                    .build();
            for (String target : spec.targets()) {
                IStateMachine machine = props.stateMachines().get(target);
                if (machine != null) {
                    machine.grantStartExecution(executionRole);
                }
            }
            groups.put(spec.name(), group);
            executionRoles.put(spec.name(), executionRole);
        }
    }

    /** Schedule groups by logical name. */
    public Map<String, ScheduleGroup> groups() {
        return Collections.unmodifiableMap(groups);
    }

    /** The execution role of each group, by the group's logical name. */
    public Map<String, Role> executionRoles() {
        return Collections.unmodifiableMap(executionRoles);
    }

    /**
     * Properties of {@link Scheduling}.
     *
     * @param stateMachines the deployed state machines by logical name, which groups' targets are looked up in
     */
    public record SchedulingProps(Naming naming, List<ScheduleGroupSpec> groups,
                                  Map<String, ? extends IStateMachine> stateMachines) {
        public SchedulingProps {
            Objects.requireNonNull(naming, "naming");
            groups = List.copyOf(groups);
            stateMachines = Map.copyOf(stateMachines);
        }

        public static Builder builder() {
            return new Builder();
        }

        /** Builds {@link SchedulingProps}. */
        public static final class Builder {
            private Naming naming;
            private List<ScheduleGroupSpec> groups = List.of();
            private Map<String, ? extends IStateMachine> stateMachines = Map.of();

            public Builder naming(Naming naming) {
                this.naming = naming;
                return this;
            }

            public Builder groups(List<ScheduleGroupSpec> groups) {
                this.groups = groups;
                return this;
            }

            public Builder stateMachines(Map<String, ? extends IStateMachine> stateMachines) {
                this.stateMachines = stateMachines;
                return this;
            }

            public SchedulingProps build() {
                return new SchedulingProps(naming, groups, stateMachines);
            }
        }
    }
}
