package dev.skyloom.core.pipeline;

import java.util.List;
import java.util.Optional;

/**
 * The port through which the compiler sees a tenant's stored agents: it resolves a reference (an id such as
 * {@code agt_0123456789abcdef}, or a name) to the agent's id, and lists names for error messages.
 */
public interface AgentDirectory {

    /** The id of the stored agent with this id or name, or empty if there is none. */
    Optional<String> resolve(String idOrName);

    /** Names of the tenant's agents (some, sorted; used only to list valid choices in an error). */
    List<String> names();

    /** A directory that knows no agents: only inline agents resolve. */
    AgentDirectory NONE = new AgentDirectory() {
        @Override
        public Optional<String> resolve(String idOrName) {
            return Optional.empty();
        }

        @Override
        public List<String> names() {
            return List.of();
        }
    };
}
