package dev.skyloom.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The app as the CDK CLI runs it: {@code cdk.json} names {@code sh cdk-app.sh}, which starts the app with the class
 * path Maven wrote; the CLI passes the output directory in {@code CDK_OUTDIR}. Offline, on this machine's Node.
 */
class CdkAppIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void cdkJsonApp_synthesizesEveryStack_intoTheOutputDirectory(@TempDir Path out) throws Exception {
        Path infraCdk = SynthesizedApp.root().resolve("infra-cdk");
        JsonNode cdkJson = JSON.readTree(infraCdk.resolve("cdk.json").toFile());
        assertThat(cdkJson.path("app").asText()).isEqualTo("sh cdk-app.sh");

        ProcessBuilder builder = new ProcessBuilder("sh", "-c", cdkJson.path("app").asText())
                .directory(infraCdk.toFile())
                .redirectErrorStream(true)
                .redirectOutput(out.resolve("synth.log").toFile());
        builder.environment().put("CDK_OUTDIR", out.resolve("cdk.out").toString());
        builder.environment().put("SKYLOOM_STAGE", "cli");
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process process = builder.start();
        boolean finished = process.waitFor(4, TimeUnit.MINUTES);
        if (!finished) {
            process.destroyForcibly();
        }

        String log = Files.readString(out.resolve("synth.log"));
        assertThat(finished).as("synth finished in time; log:\n" + log).isTrue();
        assertThat(process.exitValue()).as("exit status; log:\n" + log).isZero();
        for (String stack : new String[] {"Skyloom-cli-Data", "Skyloom-cli-Platform", "Skyloom-cli-Console"}) {
            assertThat(out.resolve("cdk.out/" + stack + ".template.json")).isRegularFile();
            assertThat(out.resolve("cdk.out/AwsSolutions-" + stack + "-NagReport.json")).isRegularFile();
        }
        JsonNode platform = JSON.readTree(out.resolve("cdk.out/Skyloom-cli-Platform.template.json").toFile());
        assertThat(platform.toString()).contains("\"FunctionName\":\"skyloom-cli-api\"");
        assertThat(JSON.readTree(out.resolve("cdk.out/manifest.json").toFile()).path("artifacts").has("Skyloom-cli-Platform"))
                .isTrue();
    }
}
