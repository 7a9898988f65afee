package dev.skyloom.core.resources;

import java.util.List;

/**
 * A task on a project's board. {@code status} is one of the board's columns; {@code claimedBy} is the agent that
 * took it (set once, by {@code POST .../claim}, exclusively).
 */
public record Task(String title, String description, String status, String type, List<String> dependencies,
                   String claimedBy, String claimedAt) {

    public Task {
        dependencies = dependencies == null ? List.of() : List.copyOf(dependencies);
    }

    /** The body of {@code POST /projects/{id}/tasks} and {@code PUT .../tasks/{taskId}}. */
    public record Input(String title, String description, String status, String type, List<String> dependencies) {
        public void validate(Project.Board board) {
            new Check().text("title", title, true, 300).text("description", description, false, 20_000)
                    .oneOf("status", status, board.columns())
                    .oneOf("type", type, board.workTypes())
                    .list("dependencies", dependencies, 50, Check.SLUG, "a task id of this project")
                    .orThrow();
        }
    }

    /** The body of {@code POST .../claim}. */
    public record Claim(String agentId) {
        public void validate() {
            new Check().required("agentId", agentId).text("agentId", agentId, true, 64).orThrow();
        }
    }
}
