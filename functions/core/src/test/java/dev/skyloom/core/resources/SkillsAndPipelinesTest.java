package dev.skyloom.core.resources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.skyloom.core.api.ApiError;
import dev.skyloom.core.identity.Principal;
import dev.skyloom.core.identity.TenantId;
import java.time.Clock;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SkillsAndPipelinesTest {
    private final Principal alice = new Principal(new TenantId("alice"), "k", "alice", Set.of("*"), false);
    private final PipelineService pipelines = new PipelineService(new InMemoryDocumentStore(), Clock.systemUTC());

    private static ApiError.Detail skillProblem(String markdown) {
        return catchThrowableOfType(ApiError.class, () -> Skill.parse(markdown)).details().getFirst();
    }

    @Test
    void parse_frontMatter_givesNameDescriptionTagsEnabled() {
        Skill skill = Skill.parse("---\nname: code-review\ndescription: Reviews diffs\ntags: [git, review]\n"
                + "enabled: false\n---\n# Code review\nLook closely.\n");

        assertThat(skill.name()).isEqualTo("code-review");
        assertThat(skill.tags()).containsExactly("git", "review");
        assertThat(skill.enabled()).isFalse();
        assertThat(Skill.parse("---\nname: a\ndescription: b\n---\nbody").enabled()).isTrue();
    }

    @Test
    void parse_badFrontMatter_namesTheField() {
        assertThat(skillProblem("# no front matter").field()).isEqualTo("markdown");
        assertThat(skillProblem("---\nname: a\n").problem()).contains("closing");
        assertThat(skillProblem("---\nname: a\ndescription: b\ncolour: red\n---\n").field())
                .isEqualTo("markdown.frontMatter.colour");
        assertThat(skillProblem("---\nname: a\ndescription: b\nenabled: maybe\n---\n").field())
                .isEqualTo("markdown.frontMatter.enabled");
        assertThat(skillProblem("---\nname: Not A Slug\ndescription: b\n---\n").field())
                .isEqualTo("markdown.frontMatter.name");
        assertThat(skillProblem("---\nname: a\n---\n").field()).isEqualTo("markdown.frontMatter.description");
        assertThat(skillProblem("---\nname: 'unclosed\n---\n").field()).startsWith("markdown.frontMatter");
        assertThat(skillProblem("---\nname: 'unclosed\n---\n").problem()).contains("YAML");
    }

    @Test
    void check_pipelineYaml_reportsIdNameAndSteps() {
        assertThat(Pipeline.check("id: build\nname: Build\nsteps: []\n").problems()).isEmpty();
        assertThat(Pipeline.check("name: Build\nsteps: 3\n").problems()).extracting(ApiError.Detail::field)
                .containsExactly("yaml.id", "yaml.steps");
        assertThat(Pipeline.check("- a\n- b\n").problems()).extracting(ApiError.Detail::field)
                .containsExactly("yaml");
        assertThat(Pipeline.check("id: [\n").problems().getFirst().problem()).contains("not valid YAML");
        assertThat(Pipeline.check("a: &a [x]\nb: *a\nid: x\nname: y\n").problems()).isEmpty();
    }

    @Test
    void update_storesANewVersion_andKeepsTheOldOne() {
        pipelines.create(alice, new Pipeline.Input("id: build\nname: Build\n"));
        Stored<Pipeline> updated = pipelines.update(alice, "build", new Pipeline.Input("id: build\nname: Build 2\n"),
                OptionalLong.of(1));

        assertThat(updated.doc().latestVersion()).isEqualTo(2);
        assertThat(pipelines.version(alice, "build", "1").doc().yaml()).contains("name: Build\n");
        assertThat(pipelines.versions(alice, "build", Optional.empty(), 10).items()).hasSize(2);
        assertThat(catchThrowableOfType(ApiError.class, () -> pipelines.update(alice, "build",
                new Pipeline.Input("id: build\nname: B\n"), OptionalLong.of(1))).status()).isEqualTo(412);
        assertThat(catchThrowableOfType(ApiError.class, () -> pipelines.update(alice, "build",
                new Pipeline.Input("id: other\nname: B\n"), OptionalLong.empty())).details().getFirst().field())
                .isEqualTo("yaml.id");
        assertThat(catchThrowableOfType(ApiError.class, () -> pipelines.create(alice,
                new Pipeline.Input("id: build\nname: again\n"))).status()).isEqualTo(409);

        pipelines.delete(alice, "build", OptionalLong.empty());
        assertThat(pipelines.create(alice, new Pipeline.Input("id: build\nname: Fresh\n")).doc().latestVersion())
                .isEqualTo(1);
    }
}
