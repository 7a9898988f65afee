package dev.skyloom.core.agent.tools;

import dev.skyloom.core.resources.AgentService;
import dev.skyloom.core.resources.ProjectService;
import dev.skyloom.core.resources.SkillService;
import dev.skyloom.core.resources.TaskService;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Every built-in tool over its ports, for a composition root to build the {@link ToolRegistry} once. */
public final class BuiltInTools {
    private BuiltInTools() {
    }

    public static ToolRegistry registry(Workspace workspace, HttpRequestTool http, MemoryStore memory,
                                        TaskService tasks, ProjectService projects, SkillService skills,
                                        AgentService agents, Clock clock) {
        return registry(workspace, http, memory, Optional.empty(), tasks, projects, skills, agents, clock);
    }

    /** With {@code embeddings}, {@code remember} and {@code recall} rank semantically too ({@link MemoryTools}). */
    public static ToolRegistry registry(Workspace workspace, HttpRequestTool http, MemoryStore memory,
                                        Optional<Embeddings> embeddings, TaskService tasks,
                                        ProjectService projects, SkillService skills, AgentService agents,
                                        Clock clock) {
        List<Tool> tools = new ArrayList<>();
        tools.addAll(WorkspaceTools.all(workspace));
        tools.add(http);
        tools.addAll(MemoryTools.all(memory, embeddings, clock));
        tools.addAll(BoardTools.all(tasks, projects));
        tools.add(new LoadSkillTool(skills, agents));
        tools.add(new CompleteStepTool());
        tools.add(new GateVerdictTool());
        tools.add(new SubmitPlanTool(agents));
        return ToolRegistry.of(tools);
    }
}
