package dev.skyloom.infra.constructs;

import dev.skyloom.manifest.Naming;
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
 * Agent pulses on AWS: an EventBridge Scheduler schedule group {@code skyloom-<stage>-pulses} that the platform
 * creates schedules in, and the execution role those schedules run with. Only EventBridge Scheduler acting for
 * this account and this group may assume the role, and it may start exactly the state machines given as targets.
 */
public final class Scheduling extends Construct {
    private final ScheduleGroup group;
    private final Role executionRole;

    public Scheduling(Construct scope, String id, SchedulingProps props) {
        super(scope, id);
        String groupName = props.naming().physical("pulses");
        group = ScheduleGroup.Builder.create(this, "Group")
                .scheduleGroupName(groupName)
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        executionRole = Role.Builder.create(this, "ExecutionRole")
                .description("Assumed by EventBridge Scheduler for the schedules of " + groupName)
                .assumedBy(new ServicePrincipal("scheduler.amazonaws.com").withConditions(Map.of(
                        "StringEquals", Map.of("aws:SourceAccount", Aws.ACCOUNT_ID),
                        "ArnEquals", Map.of("aws:SourceArn", group.getScheduleGroupArn()))))
                .build();
        for (IStateMachine target : props.targets()) {
            target.grantStartExecution(executionRole);
        }
    }

    public ScheduleGroup group() {
        return group;
    }

    public Role executionRole() {
        return executionRole;
    }

    /**
     * Properties of {@link Scheduling}.
     *
     * @param targets the state machines a schedule of the group may start (the pulse workflow)
     */
    public record SchedulingProps(Naming naming, List<IStateMachine> targets) {
        public SchedulingProps {
            Objects.requireNonNull(naming, "naming");
            targets = List.copyOf(targets);
        }

        public static Builder builder() {
            return new Builder();
        }

        /** Builds {@link SchedulingProps}. */
        public static final class Builder {
            private Naming naming;
            private List<IStateMachine> targets = List.of();

            public Builder naming(Naming naming) {
                this.naming = naming;
                return this;
            }

            public Builder targets(List<IStateMachine> targets) {
                this.targets = targets;
                return this;
            }

            public SchedulingProps build() {
                return new SchedulingProps(naming, targets);
            }
        }
    }
}
