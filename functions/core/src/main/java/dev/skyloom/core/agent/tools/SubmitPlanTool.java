package dev.skyloom.core.agent.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.core.agent.model.ToolSpec;
import dev.skyloom.core.api.ApiError;
import dev.skyloom.core.pipeline.AgentDirectory;
import dev.skyloom.core.resources.AgentService;
import dev.skyloom.core.swarm.SwarmTask;
import dev.skyloom.core.swarm.SwarmValidator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code submit_plan}: ends a swarm's planning step (step type {@code swarm-planner}, decision 0700) with the task
 * list the swarm then runs. The plan is checked by {@link SwarmValidator#validatePlan} against the same rules as a
 * swarm given its tasks (keys, prompts, agents of this tenant by id or name, dependencies forming a DAG, timeouts,
 * models, retries): a rejected plan is an error naming every problem and the step goes on, so the planner can fix
 * it; its attempts are bounded by the step's turns. An accepted plan completes the step with
 * {@code output = {tasks: [{key, title, prompt, agentId, dependencies, timeoutSeconds, model?, maxRetries?}]}}, the
 * agents resolved to their ids: the swarm machine's task contract.
 */
public final class SubmitPlanTool implements Tool {
    public static final String NAME = "submit_plan";
    private static final ToolSpec SPEC = new ToolSpec(NAME, """
            Submit the swarm's plan and finish this step: the tasks that together reach the goal. Each task runs as \
            soon as every task it depends on has completed; its prompt may quote a dependency's answer with \
            {{deps.<key>.output}} (or .text, .result, .status). 'agent' is the id or name of one of this tenant's \
            agents. An invalid plan is answered with an error naming each problem: fix them and call submit_plan \
            again.""", ToolJson.parse("""
            {"type": "object",
             "properties": {
               "tasks": {"type": "array", "minItems": 1, "description": "the tasks, dependencies before dependents",
                 "items": {"type": "object",
                   "properties": {
                     "key": {"type": "string", "description": "unique: 1-64 of a-z, 0-9, '_', '-'"},
                     "title": {"type": "string"},
                     "prompt": {"type": "string", "description": "the task for its agent"},
                     "agent": {"type": "string", "description": "an agent id or name"},
                     "dependencies": {"type": "array", "items": {"type": "string"},
                                      "description": "keys of tasks that must complete first"},
                     "timeoutSeconds": {"type": "integer", "minimum": 1},
                     "model": {"type": "string", "description": "a model id overriding the agent's"},
                     "maxRetries": {"type": "integer", "minimum": 0,
                                    "description": "re-runs of the task after a failure"}
                   },
                   "required": ["key", "prompt", "agent"]}}
             },
             "required": ["tasks"], "additionalProperties": false}"""));

    private final AgentService agents;

    public SubmitPlanTool(AgentService agents) {
        this.agents = agents;
    }

    @Override
    public ToolSpec spec() {
        return SPEC;
    }

    @Override
    public ToolResult call(JsonNode input, ToolContext context) {
        if (!context.caller().allows("agents:read")) {
            throw new ToolException("This agent's credential lacks the scope agents:read.");
        }
        List<SwarmTask> tasks;
        try {
            tasks = new SwarmValidator(directory(context)).validatePlan(input.get("tasks"));
        } catch (ApiError rejected) {
            String problems = rejected.details().stream().limit(20).map(d -> d.field() + " " + d.problem())
                    .collect(Collectors.joining("; "));
            return ToolResult.error("The plan was rejected (" + rejected.details().size() + " problem"
                    + (rejected.details().size() == 1 ? "" : "s") + "): " + problems
                    + ". Fix the plan and call submit_plan again with the whole task list.");
        }
        ObjectNode output = ToolJson.object();
        ArrayNode list = output.putArray("tasks");
        for (SwarmTask t : tasks) {
            ObjectNode task = list.addObject().put("key", t.key()).put("title", t.title()).put("prompt", t.prompt())
                    .put("agentId", t.agentId());
            t.dependencies().forEach(task.putArray("dependencies")::add);
            task.put("timeoutSeconds", t.timeoutSeconds());
            if (t.model() != null) {
                task.put("model", t.model());
            }
            if (t.maxRetries() != null) {
                task.put("maxRetries", t.maxRetries());
            }
        }
        String keys = tasks.stream().map(SwarmTask::key).collect(Collectors.joining(", "));
        return ToolResult.completed("Plan accepted: " + tasks.size() + " tasks.",
                new ToolResult.Completion("A plan of " + tasks.size() + " tasks: " + keys, output, "PLANNED"));
    }

    /** This tenant's agents by id and by name (the first 1000). */
    private AgentDirectory directory(ToolContext context) {
        return agents.directory(context.caller());
    }
}
