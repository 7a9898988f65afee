package dev.skyloom.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeploymentConfigTest {

    @Test
    void resolve_shouldExplainHowToBuildTheJar_whenTheLambdaAssetIsMissing(@TempDir Path infraCdk) {
        assertThatThrownBy(() -> DeploymentConfig.resolve(key -> null, Map.of(), infraCdk))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the Lambda asset")
                .hasMessageContaining("skyloom-functions.jar does not exist")
                .hasMessageContaining("./skyloom build");
    }

    @Test
    void resolve_prefersContext_thenEnvironment_thenDefaults(@TempDir Path dir) throws Exception {
        Path jar = Files.writeString(dir.resolve("f.jar"), "jar");

        DeploymentConfig fromContext = DeploymentConfig.resolve(
                key -> Map.<String, Object>of(DeploymentConfig.CONTEXT_STAGE, "prod",
                        DeploymentConfig.CONTEXT_FUNCTIONS_JAR, "f.jar").get(key),
                Map.of("SKYLOOM_STAGE", "staging", "SKYLOOM_ALARM_EMAIL", "ops@example.com"), dir);
        DeploymentConfig fromEnvironment = DeploymentConfig.resolve(key -> null,
                Map.of("SKYLOOM_STAGE", "staging", "SKYLOOM_FUNCTIONS_JAR", jar.toString()), dir);

        assertThat(fromContext.stage()).isEqualTo("prod");
        assertThat(fromContext.functionsJar()).isEqualTo(jar);
        assertThat(fromContext.alarmEmail()).isEqualTo("ops@example.com");
        assertThat(fromContext.stateMachinesDir()).isEqualTo(dir.resolve("../statemachines").normalize());
        assertThat(fromContext.naming().physical("main")).isEqualTo("skyloom-prod-main");
        assertThat(fromEnvironment.stage()).isEqualTo("staging");
        assertThat(fromEnvironment.alarmEmail()).isNull();
    }

    @Test
    void stage_shouldBeRejected_whenItCannotNameResources(@TempDir Path dir) throws Exception {
        Path jar = Files.writeString(dir.resolve("f.jar"), "jar");

        assertThatThrownBy(() -> new DeploymentConfig("Prod_1", jar, dir, null))
                .hasMessageContaining("stage 'Prod_1' is invalid: use 1-12 characters of a-z and 0-9");
        assertThatThrownBy(() -> new DeploymentConfig("averyveryverylongstage", jar, dir, null))
                .hasMessageContaining("is invalid");
    }
}
