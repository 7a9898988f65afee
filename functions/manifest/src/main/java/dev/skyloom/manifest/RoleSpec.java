package dev.skyloom.manifest;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * An execution role the deployment creates for state machines the platform creates at run time (pipelines: decision
 * 0501), which a function hands to Step Functions with {@link Grant#passRole}. Only Step Functions acting for the
 * deployment's account and for the state machines of {@code stateMachines} may assume it; it may do exactly its
 * grants (plus what every Skyloom state machine may do: X-Ray traces and log delivery).
 *
 * <p>On AWS it is the IAM role {@code skyloom-<stage>-<name>}; the local cloud does not enforce IAM and creates
 * nothing, but resolves {@link EnvValue#roleArn} to {@code arn:aws:iam::000000000000:role/skyloom-<name>} so both
 * deployments give functions the same variables.
 *
 * @param stateMachines the family of state machines that run as this role, {@code <prefix>-*} ({@code pipeline-*})
 * @param grants        what those state machines do: {@link Grant#runAndWait} child workflows,
 *                      {@link Grant#invoke} functions, {@link Grant#putEvents} on the bus
 */
public record RoleSpec(String name, String description, String stateMachines, List<Grant> grants) {
    private static final Set<Grant.Access> ROLE_ACCESS = Set.of(Grant.Access.RUN_SYNC, Grant.Access.INVOKE,
            Grant.Access.PUT_EVENTS);

    public RoleSpec {
        Names.requireLogical("role", name);
        Objects.requireNonNull(description, "description of role " + name);
        Objects.requireNonNull(stateMachines, "stateMachines of role " + name);
        if (!stateMachines.endsWith(Grant.FAMILY_SUFFIX)) {
            throw new IllegalArgumentException("role " + name + ": stateMachines '" + stateMachines
                    + "' must name a family of state machines, '<prefix>-*'");
        }
        Names.requireLogical("state machine family of role " + name,
                stateMachines.substring(0, stateMachines.length() - Grant.FAMILY_SUFFIX.length()));
        grants = List.copyOf(grants);
        for (Grant grant : grants) {
            if (!ROLE_ACCESS.contains(grant.access()) || grant.kind() == ResourceKind.MODEL) {
                throw new IllegalArgumentException("role " + name + ": grant " + grant + " is not for a state "
                        + "machine role; use " + ROLE_ACCESS + " of state machines, functions and the bus");
            }
        }
    }

    /** The logical name prefix of the state machines that run as this role: {@code pipeline-}. */
    public String stateMachinePrefix() {
        return stateMachines.substring(0, stateMachines.length() - 1);
    }
}
