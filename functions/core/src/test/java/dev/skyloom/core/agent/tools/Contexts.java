package dev.skyloom.core.agent.tools;

import com.fasterxml.jackson.databind.JsonNode;
import dev.skyloom.core.identity.Principal;
import dev.skyloom.core.identity.TenantId;
import java.util.Optional;
import java.util.Set;

/** Tool contexts for tests. */
final class Contexts {
    static final Principal AGENT = new Principal(new TenantId("acme"), "key1", null, Set.of("*"), false);

    private Contexts() {
    }

    static ToolContext agentStep() {
        return context("agent", Optional.empty(), "exec-1/1/0");
    }

    static ToolContext context(String stepType, Optional<JsonNode> outputSchema, String callKey) {
        return new ToolContext(AGENT, Optional.of("prj_1"), "run_1", "write", "agt_1", 1, callKey, stepType,
                outputSchema);
    }
}
