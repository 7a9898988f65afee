package dev.skyloom.manifest;

import java.util.Objects;
import java.util.Set;

/**
 * What a function may do with a declared resource. The CDK app turns grants into least-privilege IAM
 * statements; the local cloud keeps them as documentation of intent.
 */
public record Grant(ResourceKind kind, String name, Access access) {
    public Grant {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(access, "access");
        if (kind == ResourceKind.MODEL && !BEDROCK.equals(name)) {
            throw new IllegalArgumentException("a model grant is named '" + BEDROCK + "' (the Bedrock models of the "
                    + "region), not '" + name + "'");
        }
        if (!access.appliesTo().contains(kind)) {
            throw new IllegalArgumentException("access " + access + " does not apply to a " + kind
                    + "; it applies to " + access.appliesTo());
        }
        if (name.endsWith(FAMILY_SUFFIX)) {
            if (kind != ResourceKind.STATE_MACHINE || !FAMILY_ACCESS.contains(access)) {
                throw new IllegalArgumentException("'" + name + "' names a family of state machines created at run "
                        + "time; only " + FAMILY_ACCESS + " of state machines apply to a family");
            }
            Names.requireLogical("state machine family", name.substring(0, name.length() - FAMILY_SUFFIX.length()));
        } else if (access == Access.DEPLOY) {
            throw new IllegalArgumentException("DEPLOY applies to a family of state machines created at run time "
                    + "('<prefix>-*'), not to '" + name + "'");
        }
    }

    /**
     * Whether this grant names a family of state machines the platform creates at run time ({@code pipeline-*}: every
     * state machine whose logical name starts with {@code pipeline-}) rather than one declared by its file.
     */
    public boolean family() {
        return name.endsWith(FAMILY_SUFFIX);
    }

    /** The logical name prefix of a {@link #family()} grant, {@code pipeline-} for {@code pipeline-*}. */
    public String familyPrefix() {
        if (!family()) {
            throw new IllegalStateException(name + " is not a family of state machines");
        }
        return name.substring(0, name.length() - 1);
    }

    public static Grant readWrite(ResourceKind kind, String name) {
        return new Grant(kind, name, Access.READ_WRITE);
    }

    public static Grant read(ResourceKind kind, String name) {
        return new Grant(kind, name, Access.READ);
    }

    /** Put events on a declared event bus. */
    public static Grant putEvents(String bus) {
        return new Grant(ResourceKind.EVENT_BUS, bus, Access.PUT_EVENTS);
    }

    /** Start executions of a state machine; describe, stop, redrive and read the history of its executions. */
    public static Grant runStateMachine(String stateMachine) {
        return new Grant(ResourceKind.STATE_MACHINE, stateMachine, Access.RUN);
    }

    /**
     * Start executions of a state machine and wait for them ({@code states:startExecution.sync}): what a state machine
     * role needs for a child workflow, i.e. start, describe and stop its executions, and the rule Step Functions
     * manages to learn when they end.
     */
    public static Grant runAndWait(String stateMachine) {
        return new Grant(ResourceKind.STATE_MACHINE, stateMachine, Access.RUN_SYNC);
    }

    /**
     * Create, update, publish versions of and delete the state machines of a family ({@code pipeline-*}), start
     * their versions, and describe, stop, redrive and read the history of their executions.
     */
    public static Grant deployStateMachines(String family) {
        return new Grant(ResourceKind.STATE_MACHINE, family, Access.DEPLOY);
    }

    /**
     * Answer the task tokens of a state machine's (or a family's) waiting tasks: {@code SendTaskSuccess} and
     * {@code SendTaskFailure}.
     */
    public static Grant answerTasks(String stateMachine) {
        return new Grant(ResourceKind.STATE_MACHINE, stateMachine, Access.ANSWER_TASKS);
    }

    /** Hand a declared execution role ({@link RoleSpec}) to the state machines it serves ({@code iam:PassRole}). */
    public static Grant passRole(String role) {
        return new Grant(ResourceKind.ROLE, role, Access.PASS);
    }

    /** Invoke a declared function (its {@code live} alias on AWS). */
    public static Grant invoke(String function) {
        return new Grant(ResourceKind.FUNCTION, function, Access.INVOKE);
    }

    /**
     * Invoke the Bedrock foundation models and inference profiles of the deployment's region ({@code InvokeModel}
     * and {@code InvokeModelWithResponseStream}, which also authorize {@code Converse} and {@code ConverseStream}).
     */
    public static Grant invokeModels() {
        return new Grant(ResourceKind.MODEL, BEDROCK, Access.INVOKE);
    }

    /** The name of the {@link ResourceKind#MODEL} grant: every Bedrock model of the region. */
    public static final String BEDROCK = "bedrock";

    /** How a grant names a family of state machines created at run time: {@code <prefix>-*}. */
    public static final String FAMILY_SUFFIX = "-*";

    private static final Set<Access> FAMILY_ACCESS = Set.of(Access.DEPLOY, Access.ANSWER_TASKS);

    /** Levels of access. */
    public enum Access {
        READ(Set.of(ResourceKind.TABLE, ResourceKind.BUCKET)),
        READ_WRITE(Set.of(ResourceKind.TABLE, ResourceKind.BUCKET)),
        SEND(Set.of(ResourceKind.QUEUE)),
        CONSUME(Set.of(ResourceKind.QUEUE)),
        INVOKE(Set.of(ResourceKind.FUNCTION, ResourceKind.MODEL)),
        PUT_EVENTS(Set.of(ResourceKind.EVENT_BUS)),
        /** Start, describe, stop and redrive executions. */
        RUN(Set.of(ResourceKind.STATE_MACHINE)),
        /** Start executions and wait for them ({@code .sync}): start, describe, stop, and the managed rule. */
        RUN_SYNC(Set.of(ResourceKind.STATE_MACHINE)),
        /** Create, update, publish, delete a family of state machines; start and control their executions. */
        DEPLOY(Set.of(ResourceKind.STATE_MACHINE)),
        /** {@code SendTaskSuccess} and {@code SendTaskFailure} for the tasks of a state machine's executions. */
        ANSWER_TASKS(Set.of(ResourceKind.STATE_MACHINE)),
        /** {@code iam:PassRole}, only to Step Functions. */
        PASS(Set.of(ResourceKind.ROLE));

        private final Set<ResourceKind> appliesTo;

        Access(Set<ResourceKind> appliesTo) {
            this.appliesTo = appliesTo;
        }

        public Set<ResourceKind> appliesTo() {
            return appliesTo;
        }
    }
}
