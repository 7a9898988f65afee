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
    void delete_project_removesItsTasksInPages_andACreateRacingTheDelete_fails() {
        Stored<Project> project = projects.create(alice, new Project.Input("P", null, null));
        for (int i = 0; i < ProjectService.DELETE_PAGE + 5; i++) {
            tasks.create(alice, project.id(), new Task.Input("t" + i, null, null, null, null));
        }
        Stored<Project> other = projects.create(alice, new Project.Input("Other", null, null));
        tasks.create(alice, other.id(), new Task.Input("stays", null, null, null, null));

        projects.delete(alice, project.id(), OptionalLong.empty());

        assertThat(failure(() -> projects.get(alice, project.id())).status()).isEqualTo(404);
        assertThat(store.list(alice.tenant(), TaskService.collection(project.id()), Optional.empty(), 1000).items())
                .isEmpty();
        assertThat(tasks.list(alice, other.id(), Optional.empty(), 10).items()).hasSize(1);
        assertThat(failure(() -> projects.delete(alice, project.id(), OptionalLong.empty())).status()).isEqualTo(404);
    }

    @Test
    void delete_interruptedAfterTheMark_hidesTheProject_andTheNextDeleteFinishesIt() {
        Stored<Project> project = projects.create(alice, new Project.Input("P", null, null));
        Stored<Task> task = tasks.create(alice, project.id(), new Task.Input("t", null, null, null, null));
        // GIVEN a delete that marked the project and then died (as a crashed container would leave it)
        Project marked = new Project("P", null, project.doc().board(), project.doc().members(), "2026-11-21T00:00:00Z");
        store.replace(alice.tenant(), ProjectService.COLLECTION, project.id(), dev.skyloom.core.api.Json.write(marked),
                project.version(), clock.instant());

        assertThat(failure(() -> projects.get(alice, project.id())).status()).isEqualTo(404);
        assertThat(projects.list(alice, Optional.empty(), 10).items()).isEmpty();
        assertThat(failure(() -> tasks.get(alice, project.id(), task.id())).status()).isEqualTo(404);
        assertThat(failure(() -> tasks.create(alice, project.id(), new Task.Input("late", null, null, null, null)))
                .status()).isEqualTo(404);

        projects.delete(alice, project.id(), OptionalLong.empty());

        assertThat(store.get(alice.tenant(), ProjectService.COLLECTION, project.id())).isEmpty();
        assertThat(store.get(alice.tenant(), TaskService.collection(project.id()), task.id())).isEmpty();
    }

    @Test
    void projectRoles_viewerReads_editorWritesTasks_ownerManages_nonMemberSeesNothing() {
        Principal owner = user("usr_owner", Set.of("projects:*", "tasks:*", "*:read"));
        Principal viewer = user("usr_viewer", Set.of("*:read", "tasks:*", "projects:*"));
        Principal editor = user("usr_editor", Set.of("*:read", "tasks:*", "projects:*"));
        Principal stranger = user("usr_stranger", Set.of("*:read", "tasks:*", "projects:*"));
        Stored<Project> project = projects.create(owner, new Project.Input("P", null, null));
        projects.putMember(owner, project.id(), "usr_viewer", new Project.MemberInput("viewer"), OptionalLong.empty());
        projects.putMember(owner, project.id(), "usr_editor", new Project.MemberInput("editor"), OptionalLong.empty());
        Stored<Task> task = tasks.create(editor, project.id(), new Task.Input("t", null, null, null, null));

        assertThat(tasks.get(viewer, project.id(), task.id()).doc().title()).isEqualTo("t");
        ApiError denied = failure(() -> tasks.create(viewer, project.id(), new Task.Input("v", null, null, null,
                null)));
        assertThat(denied.status()).isEqualTo(403);
        assertThat(denied.getMessage()).contains("is viewer").contains("editor or owner");
        assertThat(failure(() -> projects.replace(editor, project.id(), new Project.Input("X", null, null),
                OptionalLong.empty())).status()).isEqualTo(403);
        assertThat(failure(() -> projects.putMember(editor, project.id(), "usr_editor",
                new Project.MemberInput("owner"), OptionalLong.empty())).status()).isEqualTo(403);
        assertThat(failure(() -> projects.delete(editor, project.id(), OptionalLong.empty())).status())
                .isEqualTo(403);
        assertThat(failure(() -> projects.get(stranger, project.id())).status()).isEqualTo(404);
        assertThat(failure(() -> tasks.list(stranger, project.id(), Optional.empty(), 10)).status()).isEqualTo(404);
        assertThat(projects.list(stranger, Optional.empty(), 10).items()).isEmpty();
        assertThat(projects.list(viewer, Optional.empty(), 10).items()).hasSize(1);
        assertThat(projects.get(alice, project.id()).id()).as("a tenant admin key (*) is not bound")
                .isEqualTo(project.id());
        projects.delete(owner, project.id(), OptionalLong.empty());
    }

    private static Principal user(String userId, Set<String> scopes) {
        return new Principal(new TenantId("alice"), "user:" + userId, userId, scopes, false);
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
