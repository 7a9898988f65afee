package dev.skyloom.local.sfn.asl;

import java.util.Map;

/** A list of states with its start: the top level, a Parallel branch, or a Map's item processor. */
public record Scope(String startAt, Map<String, State> states) {
    public State start() {
        return states.get(startAt);
    }

    public State state(String name) {
        return states.get(name);
    }
}
