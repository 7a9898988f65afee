package dev.skyloom.core.resources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.skyloom.core.api.ApiError;
import dev.skyloom.core.identity.Principal;
import dev.skyloom.core.identity.TenantId;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ResourceServicesTest {
    private final InMemoryDocumentStore store = new InMemoryDocumentStore();
    private final Clock clock = Clock.systemUTC();
    private final ProjectService projects = new ProjectService(store, clock);
    private final AgentService agents = new AgentService(store, clock);
    private final TaskService tasks = new TaskService(store, clock, projects, agents);
    private final Principal alice = new Principal(new TenantId("alice"), "k1", "alice", Set.of("*"), false);
    private final Principal bob = new Principal(new TenantId("bob"), "k2", "bob", Set.of("*"), false);
    private final Agent agent = new Agent("Dev", null, null, null, new Agent.Model("scripted", "echo", 0.5, 100),
            null, null, null, null, null, null);

    private static ApiError failure(Runnable call) {
        return catchThrowableOfType(ApiError.class, call::run);
    }

    @Test
    void update_withStaleIfMatch_is412_andAnotherTenantsProject_is404() {
        Stored<Project> project = projects.create(alice, new Project.Input("P", null, null));
        projects.replace(alice, project.id(), new Project.Input("P2", null, null), OptionalLong.of(1));

        assertThat(failure(() -> projects.replace(alice, project.id(), new Project.Input("P3", null, null),
                OptionalLong.of(1))).status()).isEqualTo(412);
        assertThat(failure(() -> projects.get(bob, project.id())).status()).isEqualTo(404);
        assertThat(failure(() -> projects.delete(bob, project.id(), OptionalLong.empty())).status()).isEqualTo(404);
        assertThat(projects.get(alice, project.id()).doc().name()).isEqualTo("P2");
    }

    @Test
    void members_keepAnOwner() {
        Stored<Project> project = projects.create(alice, new Project.Input("P", null, null));

        assertThat(failure(() -> projects.removeMember(alice, project.id(), "alice", OptionalLong.empty()))
                .status()).isEqualTo(409);
        assertThat(projects.putMember(alice, project.id(), "carol", new Project.MemberInput("viewer"),
                OptionalLong.empty()).doc().members()).hasSize(2);
    }

    @Test
    void agent_validation_reportsEveryBadFieldAtOnce() {
        Agent bad = new Agent("", null, null, null, new Agent.Model("other", "", 3.0, 0), 0,
                List.of("Bad Tool"), null, List.of(new Agent.McpServer("x", "ftp://x")), "forever",
                new Agent.Budgets(0L, -1.0, null));

        ApiError error = failure(() -> agents.create(alice, bad));

        assertThat(error.details()).extracting(ApiError.Detail::field).contains("name", "model.provider",
                "model.modelId", "model.temperature", "model.maxOutputTokens", "maxTurns", "tools[0]",
                "mcpServers[0].url", "memoryProfile", "budgets.maxTokensPerRun", "budgets.maxDollarsPerRun");
    }

    @Test
    void claim_secondClaim_is409_andTheFirstClaimStays() {
        Stored<Project> project = projects.create(alice, new Project.Input("P", null, null));
        String a = agents.create(alice, agent).id();
        String b = agents.create(alice, agent).id();
        Stored<Task> task = tasks.create(alice, project.id(), new Task.Input("t", null, null, null, null));

        tasks.claim(alice, project.id(), task.id(), new Task.Claim(a));

        assertThat(failure(() -> tasks.claim(alice, project.id(), task.id(), new Task.Claim(b))).status())
                .isEqualTo(409);
        assertThat(tasks.get(alice, project.id(), task.id()).doc().claimedBy()).isEqualTo(a);
        assertThat(failure(() -> tasks.claim(bob, project.id(), task.id(), new Task.Claim(b))).status())
                .isEqualTo(404);
    }

    @Test
    void list_pagesThroughTheCollectionOnly() {
        for (int i = 0; i < 5; i++) {
            projects.create(alice, new Project.Input("P" + i, null, null));
        }
        agents.create(alice, agent);

        var first = projects.list(alice, Optional.empty(), 2);
        var second = projects.list(alice, first.next(), 2);
        var third = projects.list(alice, second.next(), 2);

        assertThat(first.items()).hasSize(2);
        assertThat(second.items()).hasSize(2);
        assertThat(third.items()).hasSize(1);
        assertThat(third.next()).isEmpty();
        assertThat(projects.list(bob, Optional.empty(), 10).items()).isEmpty();
    }

    @Test
    void delete_projectWithTasks_is409_andEmptyProject_isDeleted() {
        Stored<Project> project = projects.create(alice, new Project.Input("P", null, null));
        Stored<Task> task = tasks.create(alice, project.id(), new Task.Input("t", null, null, null, null));

        assertThat(failure(() -> projects.delete(alice, project.id(), OptionalLong.empty())).status()).isEqualTo(409);
        tasks.delete(alice, project.id(), task.id(), OptionalLong.empty());
        projects.delete(alice, project.id(), OptionalLong.empty());
        assertThat(failure(() -> projects.get(alice, project.id())).status()).isEqualTo(404);
    }

    @Test
    void tasks_cannotBeDoneBeforeTheirDependencies_norDependOnThemselves() {
        Stored<Project> project = projects.create(alice, new Project.Input("P", null,
                new Project.Board(List.of("todo", "done"), null)));
        String a = tasks.create(alice, project.id(), new Task.Input("a", null, null, null, null)).id();
        String b = tasks.create(alice, project.id(), new Task.Input("b", null, null, null, List.of(a))).id();

        assertThat(failure(() -> tasks.replace(alice, project.id(), b, new Task.Input("b", null, "done", null,
                List.of(a)), OptionalLong.empty())).status()).isEqualTo(409);
        assertThat(failure(() -> tasks.replace(alice, project.id(), a, new Task.Input("a", null, null, null,
                List.of(b)), OptionalLong.empty())).details().getFirst().problem()).contains("cycle");
        tasks.replace(alice, project.id(), a, new Task.Input("a", null, "done", null, null), OptionalLong.empty());
        assertThat(tasks.replace(alice, project.id(), b, new Task.Input("b", null, "done", null, List.of(a)),
                OptionalLong.empty()).doc().status()).isEqualTo("done");
    }
}
