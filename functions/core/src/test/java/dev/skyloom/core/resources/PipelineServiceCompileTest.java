package dev.skyloom.core.resources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.skyloom.core.api.ApiError;
import dev.skyloom.core.identity.Principal;
import dev.skyloom.core.identity.TenantId;
import dev.skyloom.core.pipeline.CompileTarget;
import java.time.Clock;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** PipelineService built with a compile target compiles every definition before storing it. */
class PipelineServiceCompileTest {
    private final Principal alice = new Principal(new TenantId("alice"), "k", "alice", Set.of("*"), false);
    private final InMemoryDocumentStore store = new InMemoryDocumentStore();
    private final PipelineService pipelines = new PipelineService(store, Clock.systemUTC(),
            CompileTarget.placeholders());
    private final AgentService agents = new AgentService(store, Clock.systemUTC());

    private static final String YAML = """
            id: build
            name: Build
            agents: [planner]
            steps:
              - id: plan
                agent: planner
                input: "Plan {{run.input.goal}}"
              - id: review
                agent: planner
                input: "Review {{steps.plan.output}}"
                onResult:
                  FAIL: {goto: plann}
            """;

    private void createPlanner() {
        agents.create(alice, new Agent("planner", null, null, null, new Agent.Model("bedrock", "skyloom.local", null,
                null), null, null, null, null, null, null));
    }

    @Test
    void create_withCompiler_storesAPipelineWhoseAgentsExist() {
        createPlanner();

        Stored<Pipeline> stored = pipelines.create(alice, new Pipeline.Input(YAML.replace("plann}", "plan}")));

        assertThat(stored.id()).isEqualTo("build");
        assertThat(stored.doc().latestVersion()).isEqualTo(1);
    }

    @Test
    void create_withCompiler_answers400WithEveryErrorAndItsLine() {
        ApiError error = catchThrowableOfType(ApiError.class, () -> pipelines.create(alice, new Pipeline.Input(YAML)));

        assertThat(error.status()).isEqualTo(400);
        assertThat(error.details()).extracting(ApiError.Detail::field)
                .containsExactly("yaml.agents[0]", "yaml.steps[1].onResult.FAIL.goto");
        assertThat(error.details().get(1).problem()).isEqualTo("line 12, column 20: step \"review\" onResult goto "
                + "\"plann\": no such step; steps are: plan, review");
        assertThat(error.details().getFirst().problem())
                .isEqualTo("line 3, column 10: agent \"planner\" does not exist; this tenant has no agents yet: "
                        + "create one (POST /agents) or define it inline");
        assertThat(error.getMessage()).startsWith("Invalid pipeline: 2 problems, first: agents[0] line 3, column 10:");
    }

    @Test
    void update_withCompiler_checksTheNewVersion() {
        createPlanner();
        pipelines.create(alice, new Pipeline.Input(YAML.replace("plann}", "plan}")));

        ApiError error = catchThrowableOfType(ApiError.class, () -> pipelines.update(alice, "build",
                new Pipeline.Input(YAML), OptionalLong.empty()));

        assertThat(error.details()).extracting(ApiError.Detail::field)
                .containsExactly("yaml.steps[1].onResult.FAIL.goto");
    }

    @Test
    void validate_withoutCaller_checksEverythingButAgents() {
        Pipeline.Checked checked = pipelines.validate(new Pipeline.Input(YAML));

        assertThat(checked.id()).isEqualTo("build");
        assertThat(checked.problems()).extracting(ApiError.Detail::field)
                .containsExactly("yaml.steps[1].onResult.FAIL.goto");
        assertThat(pipelines.validate(alice, new Pipeline.Input(YAML)).problems()).hasSize(2);
        assertThat(pipelines.validate(new Pipeline.Input("name: x\nsteps: 4\n")).problems())
                .extracting(ApiError.Detail::field).containsExactly("yaml.id", "yaml.steps");
    }
}
