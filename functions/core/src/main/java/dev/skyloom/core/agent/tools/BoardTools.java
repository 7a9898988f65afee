package dev.skyloom.core.agent.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.core.agent.model.ToolSpec;
import dev.skyloom.core.api.Page;
import dev.skyloom.core.resources.Project;
import dev.skyloom.core.resources.ProjectService;
import dev.skyloom.core.resources.Stored;
import dev.skyloom.core.resources.Task;
import dev.skyloom.core.resources.TaskService;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The project board for agents: {@code get_ready_tasks}, {@code claim_task}, {@code transition_task} and
 * {@code create_task}, through {@link TaskService} as the agent's principal, in the run's project. The principal's
 * scopes are checked here as the API's routes check them ({@code tasks:read}, {@code tasks:claim},
 * {@code tasks:write}); a refusal of the service (409 claimed already, 400 unknown status) is an error result with
 * its message.
 *
 * <p>Retries: claiming a task the agent holds already and moving a task to the status it has are successes.
 * {@code create_task} cannot choose the task's id ({@code TaskService.create} generates it), so it marks the
 * description with a key derived from {@link ToolContext#callKey()} and looks for that mark before creating: a
 * retried turn finds the task it created (among the board's first {@value #MAX_SCAN} tasks).
 */
public final class BoardTools {
    static final int MAX_SCAN = 1000;
    private static final String MARK = "\n\n<!-- skyloom:call ";

    private BoardTools() {
    }

    public static List<Tool> all(TaskService tasks, ProjectService projects) {
        return List.of(new GetReadyTasks(tasks, projects), new ClaimTask(tasks), new TransitionTask(tasks),
                new CreateTask(tasks));
    }

    private static String project(ToolContext context) {
        return context.projectId().orElseThrow(() -> new ToolException("This run belongs to no project, so there "
                + "is no board."));
    }

    private static void requireScope(ToolContext context, String scope) {
        if (!context.caller().allows(scope)) {
            throw new ToolException("This agent's credential lacks the scope " + scope + ".");
        }
    }

    private static List<Stored<Task>> allTasks(TaskService tasks, ToolContext context, String projectId) {
        List<Stored<Task>> all = new ArrayList<>();
        Optional<Map<String, String>> cursor = Optional.empty();
        do {
            Page<Stored<Task>> page = tasks.list(context.caller(), projectId, cursor, 100);
            all.addAll(page.items());
            cursor = page.next();
        } while (cursor.isPresent() && all.size() < MAX_SCAN);
        return all;
    }

    private static ObjectNode describe(Stored<Task> task) {
        ObjectNode out = ToolJson.object().put("id", task.id()).put("title", task.doc().title())
                .put("status", task.doc().status());
        if (task.doc().type() != null) {
            out.put("type", task.doc().type());
        }
        if (task.doc().description() != null) {
            String description = task.doc().description();
            int mark = description.indexOf(MARK);
            out.put("description", mark < 0 ? description : description.substring(0, mark));
        }
        out.putPOJO("dependencies", task.doc().dependencies());
        if (task.doc().claimedBy() != null) {
            out.put("claimedBy", task.doc().claimedBy());
        }
        return out;
    }

    static final class GetReadyTasks implements Tool {
        private static final ToolSpec SPEC = new ToolSpec("get_ready_tasks", """
                List tasks of the project board that are ready to work on: not claimed, not done, and every \
                dependency done.""", ToolJson.parse("""
                {"type": "object", "properties": {"limit": {"type": "integer", "minimum": 1, "maximum": 50}},
                 "additionalProperties": false}"""));
        private final TaskService tasks;
        private final ProjectService projects;

        GetReadyTasks(TaskService tasks, ProjectService projects) {
            this.tasks = tasks;
            this.projects = projects;
        }

        @Override
        public ToolSpec spec() {
            return SPEC;
        }

        @Override
        public ToolResult call(JsonNode input, ToolContext context) {
            requireScope(context, "tasks:read");
            String projectId = project(context);
            Project.Board board = projects.get(context.caller(), projectId).doc().board();
            String done = board.columns().getLast();
            List<Stored<Task>> all = allTasks(tasks, context, projectId);
            Map<String, String> status = new HashMap<>();
            all.forEach(t -> status.put(t.id(), t.doc().status()));
            ArrayNode ready = ToolJson.MAPPER.createArrayNode();
            int limit = ToolJson.integer(input, "limit", 10);
            for (Stored<Task> task : all) {
                if (ready.size() >= limit) {
                    break;
                }
                boolean dependenciesDone = task.doc().dependencies().stream()
                        .allMatch(d -> done.equals(status.get(d)));
                if (task.doc().claimedBy() == null && !task.doc().status().equals(done) && dependenciesDone) {
                    ready.add(describe(task));
                }
            }
            ObjectNode out = ToolJson.object();
            out.set("tasks", ready);
            out.putPOJO("columns", board.columns());
            return ToolResult.ok(out.toString());
        }
    }

    static final class ClaimTask implements Tool {
        private static final ToolSpec SPEC = new ToolSpec("claim_task", """
                Claim a task of the project board for yourself, so no other agent works on it. Fails when another \
                agent claimed it.""", ToolJson.parse("""
                {"type": "object", "properties": {"taskId": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"}},
                 "required": ["taskId"], "additionalProperties": false}"""));
        private final TaskService tasks;

        ClaimTask(TaskService tasks) {
            this.tasks = tasks;
        }

        @Override
        public ToolSpec spec() {
            return SPEC;
        }

        @Override
        public ToolResult call(JsonNode input, ToolContext context) {
            requireScope(context, "tasks:claim");
            String projectId = project(context);
            String taskId = input.get("taskId").asText();
            Stored<Task> current = tasks.get(context.caller(), projectId, taskId);
            if (context.agentId().equals(current.doc().claimedBy())) {
                return ToolResult.ok(describe(current).put("note", "already claimed by you").toString());
            }
            Stored<Task> claimed = tasks.claim(context.caller(), projectId, taskId, new Task.Claim(context.agentId()));
            return ToolResult.ok(describe(claimed).toString());
        }
    }

    static final class TransitionTask implements Tool {
        private static final ToolSpec SPEC = new ToolSpec("transition_task", """
                Move a task you work on to another column of the board (e.g. in-progress, review, done). A task \
                moves to the last column only when its dependencies are there.""", ToolJson.parse("""
                {"type": "object", "properties": {
                   "taskId": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"},
                   "status": {"type": "string", "minLength": 1, "maxLength": 64}},
                 "required": ["taskId", "status"], "additionalProperties": false}"""));
        private final TaskService tasks;

        TransitionTask(TaskService tasks) {
            this.tasks = tasks;
        }

        @Override
        public ToolSpec spec() {
            return SPEC;
        }

        @Override
        public ToolResult call(JsonNode input, ToolContext context) {
            requireScope(context, "tasks:write");
            String projectId = project(context);
            String taskId = input.get("taskId").asText();
            String status = input.get("status").asText();
            Stored<Task> current = tasks.get(context.caller(), projectId, taskId);
            Task task = current.doc();
            if (task.claimedBy() != null && !task.claimedBy().equals(context.agentId())) {
                return ToolResult.error("Task " + taskId + " is claimed by " + task.claimedBy()
                        + "; only that agent moves it.");
            }
            if (task.status().equals(status)) {
                return ToolResult.ok(describe(current).put("note", "already in " + status).toString());
            }
            Stored<Task> moved = tasks.replace(context.caller(), projectId, taskId, new Task.Input(task.title(),
                    task.description(), status, task.type(), task.dependencies()), OptionalLong.of(current.version()));
            return ToolResult.ok(describe(moved).toString());
        }
    }

    static final class CreateTask implements Tool {
        private static final ToolSpec SPEC = new ToolSpec("create_task", """
                Create a task on the project board (e.g. follow-up work you found).""", ToolJson.parse("""
                {"type": "object", "properties": {
                   "title": {"type": "string", "minLength": 1, "maxLength": 300},
                   "description": {"type": "string", "maxLength": 19000},
                   "type": {"type": "string", "maxLength": 64},
                   "status": {"type": "string", "maxLength": 64},
                   "dependencies": {"type": "array", "maxItems": 50,
                                    "items": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"}}},
                 "required": ["title"], "additionalProperties": false}"""));
        private final TaskService tasks;

        CreateTask(TaskService tasks) {
            this.tasks = tasks;
        }

        @Override
        public ToolSpec spec() {
            return SPEC;
        }

        @Override
        public ToolResult call(JsonNode input, ToolContext context) {
            requireScope(context, "tasks:write");
            String projectId = project(context);
            String mark = MARK + callHash(context.callKey()) + " -->";
            for (Stored<Task> task : allTasks(tasks, context, projectId)) {
                if (task.doc().description() != null && task.doc().description().endsWith(mark)) {
                    return ToolResult.ok(describe(task).put("note", "created by an earlier try of this call")
                            .toString());
                }
            }
            List<String> dependencies = new ArrayList<>();
            input.path("dependencies").forEach(d -> dependencies.add(d.asText()));
            String description = ToolJson.text(input, "description");
            Stored<Task> created = tasks.create(context.caller(), projectId, new Task.Input(
                    input.get("title").asText(), (description == null ? "" : description) + mark,
                    ToolJson.text(input, "status"), ToolJson.text(input, "type"), dependencies));
            return ToolResult.ok(describe(created).toString());
        }

        private static String callHash(String callKey) {
            try {
                return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                        .digest(callKey.getBytes(StandardCharsets.UTF_8))).substring(0, 24);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
