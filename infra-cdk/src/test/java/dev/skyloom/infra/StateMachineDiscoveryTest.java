package dev.skyloom.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skyloom.manifest.DefinitionSubstitutions;
import dev.skyloom.manifest.ResourceKind;
import dev.skyloom.manifest.StateMachineSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The manifest's state machine discovery and placeholder convention, which the CDK app and the local cloud share. */
class StateMachineDiscoveryTest {

    @Test
    void discover_readsTopLevelAslFilesSortedByName_andIgnoresGoldenFixtures(@TempDir Path dir) throws Exception {
        // GIVEN two definitions, a golden fixture in a sub-folder and an unrelated file
        Files.writeString(dir.resolve("swarm.asl.json"), "{\"StartAt\":\"S\"}");
        Files.writeString(dir.resolve("agent-step.asl.json"), "{\"StartAt\":\"A\"}");
        Files.createDirectories(dir.resolve("golden"));
        Files.writeString(dir.resolve("golden/pipeline.asl.json"), "{}");
        Files.writeString(dir.resolve("README.md"), "# not a definition");

        // WHEN
        var specs = StateMachineSpec.discover(dir);

        // THEN
        assertThat(specs).extracting(StateMachineSpec::name).containsExactly("agent-step", "swarm");
        assertThat(specs.get(0).definition()).isEqualTo("{\"StartAt\":\"A\"}");
    }

    @Test
    void discover_shouldReturnNothing_whenTheFolderIsMissing(@TempDir Path dir) {
        assertThat(StateMachineSpec.discover(dir.resolve("absent"))).isEmpty();
    }

    @Test
    void discover_shouldNameTheFile_whenItsNameIsInvalid(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("Bad_Name.asl.json"), "{}");

        assertThatThrownBy(() -> StateMachineSpec.discover(dir))
                .hasMessageContaining("Bad_Name.asl.json")
                .hasMessageContaining("state machine name 'Bad_Name' is invalid");
    }

    @Test
    void keys_followTheConvention_withDashesAsUnderscores() {
        assertThat(DefinitionSubstitutions.key(ResourceKind.TABLE, "main")).isEqualTo("TableName_main");
        assertThat(DefinitionSubstitutions.key(ResourceKind.QUEUE, "events")).isEqualTo("QueueUrl_events");
        assertThat(DefinitionSubstitutions.key(ResourceKind.BUCKET, "artifacts")).isEqualTo("BucketName_artifacts");
        assertThat(DefinitionSubstitutions.key(ResourceKind.FUNCTION, "agent-turn")).isEqualTo("FunctionArn_agent_turn");
        assertThat(DefinitionSubstitutions.stateMachineArn("agent-step")).isEqualTo("StateMachineArn_agent_step");
    }

    @Test
    void substitute_fillsEveryPlaceholder_andReportsTheUsedKeys() {
        String asl = "{\"Resource\":\"${FunctionArn_api}\",\"Table\":\"${TableName_main}\",\"Again\":\"${FunctionArn_api}\"}";

        assertThat(DefinitionSubstitutions.referencedKeys(asl)).containsExactly("FunctionArn_api", "TableName_main");
        assertThat(DefinitionSubstitutions.substitute(asl, Map.of("FunctionArn_api", "arn:fn", "TableName_main", "t")))
                .isEqualTo("{\"Resource\":\"arn:fn\",\"Table\":\"t\",\"Again\":\"arn:fn\"}");
    }

    @Test
    void substitute_shouldNameTheValidKeys_whenAPlaceholderHasNoValue() {
        assertThatThrownBy(() -> DefinitionSubstitutions.substitute("\"${QueueUrl_nope}\"", Map.of("EventBusName", "b")))
                .hasMessage("placeholder ${QueueUrl_nope} has no value; valid keys: [EventBusName]");
    }
}
