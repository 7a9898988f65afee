package dev.skyloom.core.pipeline;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** A fixed directory of stored agents for the compiler's tests and golden files: names and ids never change. */
final class TestAgents implements AgentDirectory {
    static final TestAgents STANDARD = new TestAgents(Map.of(
            "planner", "agt_00000000000000a1",
            "coder", "agt_00000000000000a2",
            "analyst", "agt_00000000000000a3",
            "reviewer", "agt_00000000000000a4",
            "writer", "agt_00000000000000a5"));

    private final Map<String, String> byName;

    TestAgents(Map<String, String> byName) {
        this.byName = new TreeMap<>(byName);
    }

    @Override
    public Optional<String> resolve(String idOrName) {
        if (byName.containsValue(idOrName)) {
            return Optional.of(idOrName);
        }
        return Optional.ofNullable(byName.get(idOrName));
    }

    @Override
    public List<String> names() {
        return List.copyOf(byName.keySet());
    }
}
