package dev.skyloom.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.skyloom.local.cloud.LocalCloud;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Skills and pipelines through the local API Gateway: front matter, versions, validation, optimistic locking. */
class CatalogIT {
    @TempDir
    Path dataDir;

    private static String json(String text) {
        return ApiClient.JSON.getNodeFactory().textNode(text).toString();
    }

    @Test
    void skillsAndPipelines_storeVersionsAndAnswerActionableErrors() throws Exception {
        try (LocalCloud cloud = PlatformIT.start(dataDir)) {
            ApiClient api = new ApiClient(cloud.apiEndpoint().orElseThrow());
            String token = api.newTenant(Files.readString(dataDir.resolve("admin.key")).trim(), "alice");

            String skill = "---\nname: code-review\ndescription: Reviews diffs\ntags: [git]\n---\n# Review\n";
            ApiClient.Response created = api.post("/api/v1/skills", token, "{\"markdown\":" + json(skill) + "}");
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            assertThat(created.json().path("id").asText()).isEqualTo("code-review");
            assertThat(created.json().path("enabled").asBoolean()).isTrue();
            ApiClient.Response bad = api.post("/api/v1/skills", token,
                    "{\"markdown\":" + json(skill.replace("tags: [git]", "tags: git: x")) + "}");
            assertThat(bad.status()).isEqualTo(400);
            assertThat(bad.json().path("error").path("details").get(0).path("field").asText())
                    .startsWith("markdown.frontMatter");
            ApiClient.Response disabled = api.send("PUT", "/api/v1/skills/code-review", token,
                    "{\"markdown\":" + json(skill.replace("tags: [git]", "tags: [git]\nenabled: false")) + "}",
                    Map.of("If-Match", "\"1\""));
            assertThat(disabled.status()).as(disabled.toString()).isEqualTo(200);
            assertThat(disabled.json().path("enabled").asBoolean()).isFalse();
            assertThat(api.get("/api/v1/skills", token).json().path("items")).hasSize(1);

            String yaml = "id: build\nname: Build\nagents:\n  - name: planner\n    model: {provider: bedrock, "
                    + "modelId: skyloom.local}\nsteps:\n  - id: plan\n    agent: planner\n"
                    + "    input: \"Plan {{run.input.goal}}\"\n";
            ApiClient.Response valid = api.post("/api/v1/pipelines/validate", token, "{\"yaml\":" + json(yaml) + "}");
            assertThat(valid.json().path("valid").asBoolean()).isTrue();
            ApiClient.Response invalid = api.post("/api/v1/pipelines/validate", token,
                    "{\"yaml\":" + json("name: x\nsteps: 4\n") + "}");
            assertThat(invalid.status()).isEqualTo(200);
            assertThat(invalid.json().path("valid").asBoolean()).isFalse();
            assertThat(invalid.json().path("errors").findValuesAsText("field")).containsExactly("yaml.id",
                    "yaml.steps");

            ApiClient.Response pipeline = api.post("/api/v1/pipelines", token, "{\"yaml\":" + json(yaml) + "}");
            assertThat(pipeline.status()).as(pipeline.toString()).isEqualTo(201);
            assertThat(pipeline.json().path("latestVersion").asInt()).isEqualTo(1);
            ApiClient.Response v2 = api.send("PUT", "/api/v1/pipelines/build", token,
                    "{\"yaml\":" + json(yaml.replace("Build", "Build v2")) + "}", Map.of("If-Match", "\"1\""));
            assertThat(v2.status()).as(v2.toString()).isEqualTo(200);
            assertThat(v2.json().path("latestVersion").asInt()).isEqualTo(2);
            ApiClient.Response stale = api.send("PUT", "/api/v1/pipelines/build", token,
                    "{\"yaml\":" + json(yaml) + "}", Map.of("If-Match", "\"1\""));
            assertThat(stale.status()).isEqualTo(412);
            JsonNode versions = api.get("/api/v1/pipelines/build/versions", token).json().path("items");
            assertThat(versions).hasSize(2);
            assertThat(api.get("/api/v1/pipelines/build/versions/1", token).json().path("yaml").asText())
                    .isEqualTo(yaml);
            assertThat(api.get("/api/v1/pipelines/build/versions/7", token).status()).isEqualTo(404);
            ApiClient.Response invalidStore = api.post("/api/v1/pipelines", token,
                    "{\"yaml\":" + json("id: Bad Id\nname: x\n") + "}");
            assertThat(invalidStore.status()).isEqualTo(400);
            assertThat(invalidStore.json().path("error").path("details").get(0).path("field").asText())
                    .isEqualTo("yaml.id");

            // the compiler's errors reach the API with their line and column and the valid choices
            ApiClient.Response unknownStep = api.post("/api/v1/pipelines", token, "{\"yaml\":" + json(yaml
                    + "    onComplete: plann\n") + "}");
            assertThat(unknownStep.status()).as(unknownStep.toString()).isEqualTo(400);
            JsonNode detail = unknownStep.json().path("error").path("details").get(0);
            assertThat(detail.path("field").asText()).isEqualTo("yaml.steps[0].onComplete");
            assertThat(detail.path("problem").asText())
                    .isEqualTo("line 10, column 17: step \"plan\" onComplete \"plann\": no such step; steps are: plan");

            assertThat(api.send("DELETE", "/api/v1/pipelines/build", token, null).status()).isEqualTo(204);
            assertThat(api.get("/api/v1/pipelines/build/versions/1", token).status()).isEqualTo(404);
            assertThat(api.post("/api/v1/pipelines", token, "{\"yaml\":" + json(yaml) + "}").status())
                    .isEqualTo(201);
        }
    }
}
