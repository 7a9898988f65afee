package dev.skyloom.manifest;

import java.util.List;

/**
 * An EventBridge Scheduler schedule group. The platform creates schedules in it at run time (agent pulses); the
 * manifest declares no schedule itself.
 *
 * @param targets the state machines a schedule of the group may start (the CDK app gives the group's execution role
 *                {@code states:StartExecution} on exactly these)
 */
public record ScheduleGroupSpec(String name, String description, List<String> targets) {
    public ScheduleGroupSpec {
        Names.requireLogical("schedule group", name);
        targets = List.copyOf(targets);
        targets.forEach(target -> Names.requireLogical("state machine", target));
    }
}
