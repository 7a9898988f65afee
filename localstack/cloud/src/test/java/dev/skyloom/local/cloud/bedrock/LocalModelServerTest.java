package dev.skyloom.local.cloud.bedrock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which scripted answer a call gets, per visit of a step: the server on its own, no HTTP. */
class LocalModelServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path models;
    private LocalModelServer server;

    @BeforeEach
    void scenarios() throws Exception {
        Files.writeString(models.resolve("gate.yaml"), """
                agents:
                  reviewer:
                    visits:
                      - turns: [{text: fail once}]
                      - turns:
                          - text: pass now
                            error: {type: ThrottlingException}
                  '*':
                    turns: [{text: every visit}]
                """);
        Files.writeString(models.resolve("repeat.yaml"), """
                agents:
                  a:
                    visits: [{turns: [{text: first}]}, {turns: [{text: second}]}]
                    afterVisits: repeatLast
                  b:
                    visits: [{turns: [{text: first}]}]
                    afterVisits: default
                """);
        server = new LocalModelServer(models);
    }

    private String answer(String scenario, String agent, String run, String execution, String visit) {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put(LocalModelServer.META_SCENARIO, scenario);
        metadata.put(LocalModelServer.META_AGENT, agent);
        metadata.put(LocalModelServer.META_RUN, run);
        metadata.put(LocalModelServer.META_STEP, "review");
        metadata.put(LocalModelServer.META_TURN, "1");
        if (execution != null) {
            metadata.put(LocalModelServer.META_EXECUTION, execution);
        }
        if (visit != null) {
            metadata.put(LocalModelServer.META_VISIT, visit);
        }
        ObjectNode body = JSON.createObjectNode();
        body.putArray("messages").addObject().put("role", "user").putArray("content").addObject()
                .put("text", "Review it");
        body.set("requestMetadata", JSON.valueToTree(metadata));
        ModelAnswer answer = server.answer(ConverseCall.parse("skyloom.local", body));
        return ((ModelAnswer.Text) answer.content().getFirst()).text();
    }

    @Test
    void eachExecutionOfAStepInARun_isTheNextVisit_andARetriedTurnKeepsItsVisit() {
        assertThat(answer("gate", "reviewer", "run-1", "exec-a", null)).isEqualTo("fail once");
        assertThat(answer("gate", "reviewer", "run-1", "exec-a", null)).as("the same execution again")
                .isEqualTo("fail once");
        // visit 2's turn injects one throttling error: its first attempt fails, whatever visit 1 did
        assertThatThrownBy(() -> answer("gate", "reviewer", "run-1", "exec-b", null))
                .isInstanceOfSatisfying(BedrockException.class,
                        e -> assertThat(e.code()).isEqualTo("ThrottlingException"));
        assertThat(answer("gate", "reviewer", "run-1", "exec-b", null)).isEqualTo("pass now");
        assertThat(answer("gate", "reviewer", "run-1", "exec-a", null)).as("exec-a is still visit 1")
                .isEqualTo("fail once");
        // another run numbers its own visits
        assertThat(answer("gate", "reviewer", "run-2", "exec-c", null)).isEqualTo("fail once");
        // past the last visit: fail by default, saying which visit and what to add
        assertThatThrownBy(() -> answer("gate", "reviewer", "run-1", "exec-d", null))
                .isInstanceOf(BedrockException.class)
                .hasMessageContaining("scripts 2 visit(s) for agent 'reviewer' and this is visit 3")
                .hasMessageContaining("'afterVisits' rule (repeatLast, default, fail)");
    }

    @Test
    void aScriptWithoutVisits_answersTheSameOnEveryVisit() {
        assertThat(answer("gate", "writer", "run-1", "exec-a", null)).isEqualTo("every visit");
        assertThat(answer("gate", "writer", "run-1", "exec-b", null)).isEqualTo("every visit");
    }

    @Test
    void theVisit_canBeNamed_andWithoutAnExecutionIsTheFirst() {
        assertThat(answer("gate", "reviewer", "run-3", null, null)).isEqualTo("fail once");
        assertThat(answer("gate", "reviewer", "run-3", null, "1")).isEqualTo("fail once");
        assertThatThrownBy(() -> answer("gate", "reviewer", "run-3", "exec-x", "0"))
                .isInstanceOf(BedrockException.class)
                .hasMessageContaining("requestMetadata.skyloom:visit")
                .hasMessageContaining("whole number >= 1");
    }

    @Test
    void pastTheLastVisit_repeatLast_repeatsItsScript_andDefault_isTheDefaultModel() {
        assertThat(answer("repeat", "a", "run-4", null, "1")).isEqualTo("first");
        assertThat(answer("repeat", "a", "run-4", null, "2")).isEqualTo("second");
        assertThat(answer("repeat", "a", "run-4", null, "7")).isEqualTo("second");
        assertThat(answer("repeat", "b", "run-4", null, "1")).isEqualTo("first");
        assertThat(answer("repeat", "b", "run-4", null, "2")).startsWith("Local model answer to: Review it");
    }
}
