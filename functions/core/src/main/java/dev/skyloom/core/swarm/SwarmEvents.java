package dev.skyloom.core.swarm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code SWARM_*} events of a swarm's state changes (decision 0700 "Events"), computed from the task statuses
 * before and after one committed write of the scheduler's state. Event ids are derived from (swarm, task,
 * transition), so a transition emitted twice (a retried call, a re-sent batch) is stored once by the ingest.
 *
 * <ul>
 *   <li>{@code SWARM_STARTED} (init), {@code SWARM_COMPLETE} / {@code SWARM_FAILED} (finish; also for a cancelled
 *       or timed-out swarm, with its {@code status});</li>
 *   <li>per task: {@code SWARM_TASK_READY} when its dependencies are done (emitted with the commit that made them
 *       so, before the task's {@code SWARM_TASK_STARTED}), {@code SWARM_TASK_STARTED}, {@code SWARM_TASK_COMPLETED},
 *       {@code SWARM_TASK_FAILED} (with {@code retrying} when a re-run follows), {@code SWARM_TASK_SKIPPED},
 *       {@code SWARM_TASK_CANCELLED}; a re-run's start and failure carry its attempt in their ids.</li>
 * </ul>
 */
public final class SwarmEvents {
    /** Event types, in the order a task goes through them. */
    public static final String STARTED = "SWARM_STARTED";
    public static final String TASK_READY = "SWARM_TASK_READY";
    public static final String TASK_STARTED = "SWARM_TASK_STARTED";
    public static final String TASK_COMPLETED = "SWARM_TASK_COMPLETED";
    public static final String TASK_FAILED = "SWARM_TASK_FAILED";
    public static final String TASK_SKIPPED = "SWARM_TASK_SKIPPED";
    public static final String TASK_CANCELLED = "SWARM_TASK_CANCELLED";
    public static final String COMPLETE = "SWARM_COMPLETE";
    public static final String FAILED = "SWARM_FAILED";

    /** One event for the bus: its type, its id (the ingest's dedup key) and its detail. */
    public record Event(String type, String eventId, ObjectNode detail) {
    }

    /** Puts events on the bus in the order given. Implementations log and swallow their failures. */
    @FunctionalInterface
    public interface Sink {
        void emit(List<Event> events);

        Sink NONE = events -> {
        };
    }

    private final ObjectMapper json;

    public SwarmEvents(ObjectMapper json) {
        this.json = json;
    }

    static String eventId(String swarmId, String task, String transition) {
        return task == null ? swarmId + ":" + transition : swarmId + ":" + task + ":" + transition;
    }

    ObjectNode detail(String tenant, String swarmId) {
        return json.createObjectNode().put("tenantId", tenant).put("swarmId", swarmId);
    }

    Event swarm(String tenant, String swarmId, String type, String transition, ObjectNode extra) {
        ObjectNode d = detail(tenant, swarmId);
        String id = eventId(swarmId, null, transition);
        d.put("eventId", id);
        if (extra != null) {
            d.setAll(extra);
        }
        return new Event(type, id, d);
    }

    /** The tasks ready at the start: those without dependencies. */
    List<Event> initial(String tenant, String swarmId, Dag dag, int taskCount) {
        List<Event> out = new ArrayList<>();
        out.add(swarm(tenant, swarmId, STARTED, "started", json.createObjectNode().put("tasks", taskCount)));
        for (int i = 0; i < dag.size(); i++) {
            if (dag.deps(i).length == 0) {
                out.add(task(tenant, swarmId, dag.key(i), TASK_READY, "ready", null));
            }
        }
        return out;
    }

    /** The events of one committed change: {@code before} the statuses read, {@code tasks} the state written. */
    List<Event> transitions(String tenant, String swarmId, Dag dag, FailurePolicy policy, TaskStatus[] before,
            JsonNode tasks) {
        TaskStatus[] after = new TaskStatus[dag.size()];
        for (int i = 0; i < after.length; i++) {
            after[i] = TaskStatus.valueOf(tasks.get(dag.key(i)).path("status").asText()
                    .toUpperCase(java.util.Locale.ROOT));
        }
        List<Event> ends = new ArrayList<>();
        List<Event> readies = new ArrayList<>();
        List<Event> starts = new ArrayList<>();
        for (int i = 0; i < after.length; i++) {
            if (before[i] == after[i]) {
                continue;
            }
            String key = dag.key(i);
            JsonNode t = tasks.get(key);
            int attempt = t.path("attempt").asInt(1);
            // a claim or a failure of a re-run (per-task retries) is its own transition: its id names the attempt
            String nth = attempt <= 1 ? "" : "-" + attempt;
            if (before[i] == TaskStatus.RUNNING && after[i] == TaskStatus.PENDING) { // failed, to be retried
                ends.add(task(tenant, swarmId, key, TASK_FAILED, "failed" + nth,
                        json.createObjectNode().put("durationMs", duration(t)).put("error", t.path("error").asText())
                                .put("reason", t.path("reason").asText()).put("attempt", attempt)
                                .put("retrying", true)));
                continue;
            }
            switch (after[i]) {
                case COMPLETED -> ends.add(task(tenant, swarmId, key, TASK_COMPLETED, "completed",
                        json.createObjectNode().put("durationMs", duration(t)).put("tokens", t.path("tokens").asLong())
                                .put("costMicroUsd", t.path("costMicroUsd").asLong())
                                .put("turns", t.path("turns").asInt())));
                case FAILED -> ends.add(task(tenant, swarmId, key, TASK_FAILED, "failed" + nth,
                        json.createObjectNode().put("durationMs", duration(t)).put("error", t.path("error").asText())
                                .put("reason", t.path("reason").asText()).put("attempt", attempt)
                                .put("retrying", false)));
                case SKIPPED -> ends.add(task(tenant, swarmId, key, TASK_SKIPPED, "skipped",
                        json.createObjectNode().put("reason", t.path("reason").asText())));
                case CANCELLED -> ends.add(task(tenant, swarmId, key, TASK_CANCELLED, "cancelled",
                        json.createObjectNode().put("reason", t.path("reason").asText())));
                case RUNNING -> starts.add(task(tenant, swarmId, key, TASK_STARTED, "started" + nth,
                        json.createObjectNode().put("attempt", attempt)
                                .put("worker", t.path("worker").asInt())));
                default -> {
                }
            }
        }
        // ready: dependencies done now and not before (a task with none was announced by initial)
        for (int i = 0; i < after.length; i++) {
            boolean candidate = after[i] == TaskStatus.PENDING || after[i] == TaskStatus.READY
                    || (after[i] == TaskStatus.RUNNING && before[i] != TaskStatus.RUNNING);
            if (candidate && dag.deps(i).length > 0 && depsDone(dag, after, i, policy)
                    && !depsDone(dag, before, i, policy)) {
                readies.add(task(tenant, swarmId, dag.key(i), TASK_READY, "ready", null));
            }
        }
        List<Event> out = new ArrayList<>(ends);
        out.addAll(readies);
        out.addAll(starts);
        return out;
    }

    private static boolean depsDone(Dag dag, TaskStatus[] status, int i, FailurePolicy policy) {
        for (int d : dag.deps(i)) {
            boolean done = policy == FailurePolicy.CONTINUE ? status[d].terminal() : status[d] == TaskStatus.COMPLETED;
            if (!done) {
                return false;
            }
        }
        return true;
    }

    private static long duration(JsonNode t) {
        return t.has("startedAt") && t.has("endedAt") ? t.get("endedAt").asLong() - t.get("startedAt").asLong() : 0;
    }

    private Event task(String tenant, String swarmId, String key, String type, String transition, ObjectNode extra) {
        ObjectNode d = detail(tenant, swarmId);
        String id = eventId(swarmId, key, transition);
        d.put("eventId", id).put("stepId", key).put("taskKey", key);
        if (extra != null) {
            d.setAll(extra);
        }
        return new Event(type, id, d);
    }
}
