package dev.skyloom.core.agent.tools;

import dev.skyloom.core.resources.TestDocumentStores;
import dev.skyloom.core.store.DocumentStore;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.skyloom.core.identity.Principal;
import dev.skyloom.core.identity.TenantId;
import dev.skyloom.core.resources.Agent;
import dev.skyloom.core.resources.AgentService;
import dev.skyloom.core.resources.Project;
import dev.skyloom.core.resources.ProjectService;
import dev.skyloom.core.resources.Skill;
import dev.skyloom.core.resources.SkillService;
import dev.skyloom.core.resources.Task;
import dev.skyloom.core.resources.TaskService;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BoardAndSkillToolsTest {
    private static final Principal ADMIN = new Principal(new TenantId("acme"), "key1", null, Set.of("*"), false);
    private final DocumentStore store = TestDocumentStores.inMemory();
    private final Clock clock = Clock.systemUTC();
    private final ProjectService projects = new ProjectService(store, clock);
    private final AgentService agents = new AgentService(store, clock);
    private final TaskService tasks = new TaskService(store, clock, projects, agents);
    private final SkillService skills = new SkillService(store, clock);
    private final ToolInvoker invoker = ToolInvoker.create();
    private List<Tool> tools;
    private String projectId;
    private String agentId;
    private String otherAgentId;

    @BeforeEach
    void setUp() {
        projectId = projects.create(ADMIN, new Project.Input("Website", null, null)).id();
        agentId = agents.create(ADMIN, agent("Coder", List.of("deploy"))).id();
        otherAgentId = agents.create(ADMIN, agent("Other", List.of())).id();
        skills.create(ADMIN, new Skill.Input("---\nname: deploy\ndescription: How to deploy\n---\n# Deploy\nrun it"));
        skills.create(ADMIN, new Skill.Input("---\nname: secret-sauce\ndescription: Not yours\n---\n# no"));
        tools = new ArrayList<>(BoardTools.all(tasks, projects));
        tools.add(new LoadSkillTool(skills, agents));
    }

    private static Agent agent(String name, List<String> skillNames) {
        return new Agent(name, null, null, null, new Agent.Model("scripted", "m", null, null), null, null,
                skillNames, null, null, null);
    }

    private ToolContext context(Principal caller, String agent, String callKey) {
        return new ToolContext(caller, Optional.of(projectId), "run_1", "s", agent, 1, callKey, "agent",
                Optional.empty());
    }

    private ToolResult call(String tool, String json) {
        return call(tool, json, ADMIN, agentId, "e/1/0");
    }

    private ToolResult call(String tool, String json, Principal caller, String agent, String callKey) {
        return invoker.invoke(tools, tool, ToolJson.parse(json), context(caller, agent, callKey));
    }

    private String create(String title, List<String> dependencies) {
        return tasks.create(ADMIN, projectId, new Task.Input(title, null, "todo", null, dependencies)).id();
    }

    @Test
    void readyTasks_areUnclaimed_notDone_withDependenciesDone() {
        String first = create("first", List.of());
        String blocked = create("blocked", List.of(first));
        String claimed = create("claimed", List.of());
        tasks.claim(ADMIN, projectId, claimed, new Task.Claim(otherAgentId));

        JsonNode ready = ToolJson.parse(call("get_ready_tasks", "{}").content());

        assertThat(ready.path("tasks").findValuesAsText("id")).containsExactly(first);
        assertThat(blocked).isNotBlank();
    }

    @Test
    void claim_isExclusive_andARetryByTheSameAgentSucceeds() {
        String id = create("work", List.of());

        ToolResult mine = call("claim_task", "{\"taskId\": \"" + id + "\"}");
        ToolResult retry = call("claim_task", "{\"taskId\": \"" + id + "\"}");
        ToolResult theirs = call("claim_task", "{\"taskId\": \"" + id + "\"}", ADMIN, otherAgentId, "x/1/0");

        assertThat(mine.error()).isFalse();
        assertThat(retry.content()).contains("already claimed by you");
        assertThat(theirs.error()).isTrue();
        assertThat(theirs.content()).contains("claimed already by " + agentId);
    }

    @Test
    void transition_movesTheTask_unknownStatusNamesTheColumns() {
        String id = create("work", List.of());
        call("claim_task", "{\"taskId\": \"" + id + "\"}");

        ToolResult moved = call("transition_task", "{\"taskId\": \"" + id + "\", \"status\": \"review\"}");
        ToolResult bad = call("transition_task", "{\"taskId\": \"" + id + "\", \"status\": \"shipped\"}");
        ToolResult byOther = call("transition_task", "{\"taskId\": \"" + id + "\", \"status\": \"done\"}", ADMIN,
                otherAgentId, "x/1/0");

        assertThat(moved.content()).contains("\"status\":\"review\"");
        assertThat(bad.error()).isTrue();
        assertThat(bad.content()).contains("status", "in-progress");
        assertThat(byOther.content()).contains("claimed by " + agentId);
    }

    @Test
    void create_retriedWithTheSameCallKey_createsOneTask() {
        ToolResult first = call("create_task", "{\"title\": \"Fix the footer\", \"description\": \"It overlaps\"}");
        ToolResult retry = call("create_task", "{\"title\": \"Fix the footer\", \"description\": \"It overlaps\"}");
        ToolResult other = call("create_task", "{\"title\": \"Fix the footer\"}", ADMIN, agentId, "e/2/0");

        assertThat(first.content()).contains("\"description\":\"It overlaps\"");
        assertThat(retry.content()).contains("earlier try");
        assertThat(other.error()).isFalse();
        assertThat(tasks.list(ADMIN, projectId, Optional.empty(), 100).items()).hasSize(2);
    }

    @Test
    void scopes_areChecked_likeTheApi() {
        Principal reader = new Principal(new TenantId("acme"), "key2", null, Set.of("tasks:read"), false);
        String id = create("work", List.of());

        assertThat(call("get_ready_tasks", "{}", reader, agentId, "r").error()).isFalse();
        assertThat(call("claim_task", "{\"taskId\": \"" + id + "\"}", reader, agentId, "r").content())
                .contains("lacks the scope tasks:claim");
    }

    @Test
    void loadSkill_returnsOnlyTheAgentsOwnEnabledSkills() {
        assertThat(call("load_skill", "{\"name\": \"deploy\"}").content()).contains("# Deploy");
        assertThat(call("load_skill", "{\"name\": \"secret-sauce\"}").content())
                .contains("not one of your skills", "deploy");
    }
}
