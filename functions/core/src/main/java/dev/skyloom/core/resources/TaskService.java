package dev.skyloom.core.resources;

import dev.skyloom.core.api.ApiError;
import dev.skyloom.core.api.Page;
import dev.skyloom.core.identity.Principal;
import dev.skyloom.core.store.DocumentStore;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A project's board: tasks with dependencies inside the project, statuses checked against the board's columns, and
 * an exclusive claim (a write conditioned on the version read, so of two concurrent claims exactly one wins).
 */
public final class TaskService {
    private final Documents<Task> documents;
    private final ProjectService projects;
    private final AgentService agents;
    private final Clock clock;
    private final DocumentStore store;

    public TaskService(DocumentStore store, Clock clock, ProjectService projects, AgentService agents) {
        this.documents = new Documents<>(store, clock, "Task", Task.class);
        this.store = store;
        this.projects = projects;
        this.agents = agents;
        this.clock = clock;
    }

    static String collection(String projectId) {
        return "TASK#" + projectId;
    }

    /**
     * Creates a task, conditioned on the project still being at the version read: a project deleted (or changed)
     * concurrently makes this a 409, so no task outlives its project.
     */
    public Stored<Task> create(Principal caller, String projectId, Task.Input input) {
        Stored<Project> project = projects.require(caller, projectId, Project.Role.EDITOR, "create tasks");
        Project.Board board = project.doc().board();
        input.validate(board);
        requireDependencies(caller, projectId, input.dependencies(), null);
        Task task = new Task(input.title(), input.description(),
                input.status() == null ? board.columns().getFirst() : input.status(), input.type(),
                input.dependencies(), null, null);
        String id = Documents.newId("tsk_");
        var now = clock.instant();
        DocumentStore.Write written = store.transact(caller.tenant(), List.of(
                new DocumentStore.Check(ProjectService.COLLECTION, projectId, project.version()),
                new DocumentStore.Create(collection(projectId), id, dev.skyloom.core.api.Json.write(task))), now);
        if (written != DocumentStore.Write.DONE) {
            throw ApiError.conflict("Project " + projectId + " changed while the task was created (or is being "
                    + "deleted); retry");
        }
        return new Stored<>(id, 1, now, now, task);
    }

    public Stored<Task> get(Principal caller, String projectId, String taskId) {
        projects.require(caller, projectId, Project.Role.VIEWER, "read tasks");
        return documents.get(caller.tenant(), collection(projectId), taskId);
    }

    public Page<Stored<Task>> list(Principal caller, String projectId, Optional<Map<String, String>> cursor,
                                   int limit) {
        projects.require(caller, projectId, Project.Role.VIEWER, "read tasks");
        return documents.list(caller.tenant(), collection(projectId), cursor, limit);
    }

    public Stored<Task> replace(Principal caller, String projectId, String taskId, Task.Input input,
                                OptionalLong ifMatch) {
        Project.Board board = projects.require(caller, projectId, Project.Role.EDITOR, "change tasks").doc()
                .board();
        input.validate(board);
        requireDependencies(caller, projectId, input.dependencies(), taskId);
        requireNoCycle(caller, projectId, taskId, input.dependencies());
        String last = board.columns().getLast();
        return documents.update(caller.tenant(), collection(projectId), taskId, ifMatch, current -> {
            String status = input.status() == null ? current.status() : input.status();
            if (status.equals(last) && !current.status().equals(last)) {
                for (String dependency : input.dependencies() == null ? List.<String>of() : input.dependencies()) {
                    String dependencyStatus = documents.get(caller.tenant(), collection(projectId), dependency).doc()
                            .status();
                    if (!dependencyStatus.equals(last)) {
                        throw ApiError.conflict("Task " + taskId + " cannot move to " + last + ": it depends on "
                                + dependency + ", which is " + dependencyStatus);
                    }
                }
            }
            return new Task(input.title(), input.description(), status, input.type(), input.dependencies(),
                    current.claimedBy(), current.claimedAt());
        });
    }

    public void delete(Principal caller, String projectId, String taskId, OptionalLong ifMatch) {
        projects.require(caller, projectId, Project.Role.EDITOR, "delete tasks");
        documents.delete(caller.tenant(), collection(projectId), taskId, ifMatch);
    }

    /** Claims the task for an agent of the tenant; 409 when it is claimed already, also by a concurrent claim. */
    public Stored<Task> claim(Principal caller, String projectId, String taskId, Task.Claim claim) {
        claim.validate();
        projects.require(caller, projectId, Project.Role.EDITOR, "claim tasks");
        if (!agents.exists(caller, claim.agentId())) {
            throw ApiError.invalidField("agentId", "names no agent of this tenant");
        }
        Stored<Task> current = documents.get(caller.tenant(), collection(projectId), taskId);
        if (current.doc().claimedBy() != null) {
            throw ApiError.conflict("Task " + taskId + " is claimed already by " + current.doc().claimedBy());
        }
        try {
            return documents.update(caller.tenant(), collection(projectId), taskId,
                    OptionalLong.of(current.version()), task -> {
                        if (task.claimedBy() != null) {
                            throw ApiError.conflict("Task " + taskId + " is claimed already by " + task.claimedBy());
                        }
                        return new Task(task.title(), task.description(), task.status(), task.type(),
                                task.dependencies(), claim.agentId(), clock.instant().toString());
                    });
        } catch (ApiError e) {
            if (e.status() == 412) {
                throw ApiError.conflict("Task " + taskId + " was claimed concurrently by another agent");
            }
            throw e;
        }
    }

    /** Rejects dependencies that would make {@code taskId} depend on itself (reads at most 200 tasks). */
    private void requireNoCycle(Principal caller, String projectId, String taskId, List<String> dependencies) {
        java.util.ArrayDeque<String> pending = new java.util.ArrayDeque<>(dependencies == null ? List.of()
                : dependencies);
        java.util.Set<String> seen = new java.util.HashSet<>();
        while (!pending.isEmpty() && seen.size() < 200) {
            String next = pending.pop();
            if (next.equals(taskId)) {
                throw ApiError.invalidField("dependencies", "would create a cycle: " + taskId
                        + " would depend on itself through " + String.join(", ", seen));
            }
            if (seen.add(next)) {
                documents.find(caller.tenant(), collection(projectId), next)
                        .ifPresent(task -> pending.addAll(task.doc().dependencies()));
            }
        }
    }

    private void requireDependencies(Principal caller, String projectId, List<String> dependencies, String self) {
        if (dependencies == null) {
            return;
        }
        for (int i = 0; i < dependencies.size(); i++) {
            String dependency = dependencies.get(i);
            if (dependency.equals(self)) {
                throw ApiError.invalidField("dependencies[" + i + "]", "must not be the task itself");
            }
            if (documents.find(caller.tenant(), collection(projectId), dependency).isEmpty()) {
                throw ApiError.invalidField("dependencies[" + i + "]", "names no task of project " + projectId);
            }
        }
    }
}
