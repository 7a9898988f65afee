package dev.skyloom.local.cloud.bedrock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

class ScenarioTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static Scenario parse(String yaml) throws Exception {
        JsonNode root = YAML.readTree(yaml);
        return Scenario.parse("s", root);
    }

    @Test
    void parse_turnWithToolCalls_defaultsToToolUse_andTextOnlyToEndTurn() throws Exception {
        Scenario scenario = parse("""
                agents:
                  a:
                    turns:
                      - {toolCalls: [{name: search, input: {q: x}}]}
                      - {text: done}
                      - {text: cut, stopReason: max_tokens}
                """);

        Scenario.AgentScript script = scenario.scriptOf("a");
        assertThat(script.turn(1, "s", "a").stopReason()).isEqualTo("tool_use");
        assertThat(script.turn(1, "s", "a").toolCalls().getFirst().input().path("q").asText()).isEqualTo("x");
        assertThat(script.turn(2, "s", "a").stopReason()).isEqualTo("end_turn");
        assertThat(script.turn(3, "s", "a").stopReason()).isEqualTo("max_tokens");
    }

    @Test
    void turn_pastTheScript_followsTheAfterRule() throws Exception {
        Scenario scenario = parse("""
                agents:
                  repeat: {turns: [{text: one}, {text: two}], after: repeatLast}
                  fallback: {turns: [{text: one}], after: default}
                  fixed: {turns: [{text: one}], after: {text: forever}}
                  strict: {turns: [{text: one}]}
                """);

        assertThat(scenario.scriptOf("repeat").turn(9, "s", "repeat").text()).isEqualTo("two");
        assertThat(scenario.scriptOf("fallback").turn(2, "s", "fallback")).isNull();
        assertThat(scenario.scriptOf("fixed").turn(5, "s", "fixed").text()).isEqualTo("forever");
        assertThatThrownBy(() -> scenario.scriptOf("strict").turn(2, "s", "strict"))
                .isInstanceOf(BedrockException.class).hasMessageContaining("scripts 1 turn(s)");
    }

    @Test
    void errorOf_failsTheFirstAttemptsInOrder_thenAnswers() throws Exception {
        Scenario.Turn turn = parse("""
                agents:
                  a:
                    turns:
                      - text: ok
                        errors: [{type: throttlingexception, times: 2}, {type: ModelTimeoutException}]
                """).scriptOf("a").turn(1, "s", "a");

        assertThat(turn.errorOf(1).type()).isEqualTo("ThrottlingException");
        assertThat(turn.errorOf(2).type()).isEqualTo("ThrottlingException");
        assertThat(turn.errorOf(3).type()).isEqualTo("ModelTimeoutException");
        assertThat(turn.errorOf(4)).isNull();
    }

    @Test
    void scriptOf_matchesIgnoringCase_thenTheWildcard_andOtherwiseNamesTheScriptedAgents() throws Exception {
        Scenario withWildcard = parse("agents: {Reviewer: {turns: [{text: r}]}, '*': {turns: [{text: any}]}}");
        Scenario without = parse("agents: {reviewer: {turns: [{text: r}]}, writer: {turns: [{text: w}]}}");

        assertThat(withWildcard.scriptOf("reviewer").turns().getFirst().text()).isEqualTo("r");
        assertThat(withWildcard.scriptOf("planner").turns().getFirst().text()).isEqualTo("any");
        assertThatThrownBy(() -> without.scriptOf("planner")).isInstanceOf(BedrockException.class)
                .hasMessageContaining("no script for agent 'planner'; scripted agents: reviewer, writer");
    }

    @Test
    void parse_theReadmeExample_isAValidScenario() throws Exception {
        String readme = java.nio.file.Files.readString(java.nio.file.Path.of("../README.md"));
        int start = readme.indexOf("```yaml\n# <models-dir>/review.yaml");
        assertThat(start).as("the README's scenario example").isNotNegative();
        String yaml = readme.substring(readme.indexOf('\n', start) + 1, readme.indexOf("```", start + 7));

        Scenario scenario = parse(yaml);

        assertThat(scenario.throttle()).isEqualTo(new Scenario.Throttle(2, false));
        Scenario.Turn second = scenario.scriptOf("reviewer").turn(2, "s", "reviewer");
        assertThat(second.usage().inputTokens()).isEqualTo(120_000);
        assertThat(second.errorOf(1).type()).isEqualTo("ThrottlingException");
        assertThat(scenario.scriptOf("writer").turn(1, "s", "writer").errorOf(3).type())
                .isEqualTo("ModelTimeoutException");
    }

    @Test
    void parse_mistakes_nameTheFieldAndWhatIsValid() {
        assertThatThrownBy(() -> parse("agents: {a: {turns: [{text: x, delay: 5}]}}"))
                .hasMessage("scenario 's': agents.a.turns[0].delay is not a field here; valid: text, toolCalls, "
                        + "stopReason, delayMs, usage, error, errors");
        assertThatThrownBy(() -> parse("agents: {a: {turns: [{text: x, error: {type: Boom}}]}}"))
                .hasMessageContaining("agents.a.turns[0].error.type must be a Bedrock error type")
                .hasMessageContaining("ThrottlingException");
        assertThatThrownBy(() -> parse("agents: {a: {turns: [{stopReason: end_turn}]}}"))
                .hasMessageContaining("agents.a.turns[0] needs 'text' or 'toolCalls'");
        assertThatThrownBy(() -> parse("agents: {a: {turns: [{text: x}], after: again}}"))
                .hasMessageContaining("agents.a.after must be repeatLast, default, fail, or a turn");
        assertThatThrownBy(() -> parse("throttle: {everyNthCall: 0}\nagents: {a: {turns: [{text: x}]}}"))
                .hasMessageContaining("throttle.everyNthCall must be an integer >= 1");
        assertThatThrownBy(() -> parse("description: none")).hasMessageContaining("agents is required");
    }

    @Test
    void parse_visits_giveEachVisitItsOwnScript() throws Exception {
        Scenario.AgentScript script = parse("""
                agents:
                  reviewer:
                    visits:
                      - turns: [{text: fail}]
                      - turns: [{text: pass}]
                        after: repeatLast
                    afterVisits: repeatLast
                """).scriptOf("reviewer");

        assertThat(script.visit(1, "s", "reviewer").turn(1, "s", "reviewer").text()).isEqualTo("fail");
        assertThat(script.visit(2, "s", "reviewer").turn(3, "s", "reviewer").text()).isEqualTo("pass");
        assertThat(script.visit(5, "s", "reviewer").turn(1, "s", "reviewer").text()).isEqualTo("pass");
        assertThat(parse("agents: {a: {turns: [{text: x}]}}").scriptOf("a").visit(4, "s", "a").turns())
                .as("a script without visits serves every visit").hasSize(1);
    }

    @Test
    void parse_theReadmeVisitsExample_isAValidScenario() throws Exception {
        String readme = java.nio.file.Files.readString(java.nio.file.Path.of("../README.md"));
        int start = readme.indexOf("```yaml\n# <models-dir>/gate-once.yaml");
        assertThat(start).as("the README's visits example").isNotNegative();
        String yaml = readme.substring(readme.indexOf('\n', start) + 1, readme.indexOf("```", start + 7));

        Scenario.AgentScript script = parse(yaml).scriptOf("reviewer");

        assertThat(script.visit(1, "s", "r").turn(1, "s", "r").toolCalls().getFirst().input().path("verdict").asText())
                .isEqualTo("fail");
        assertThat(script.visit(2, "s", "r").turn(1, "s", "r").toolCalls().getFirst().input().path("verdict").asText())
                .isEqualTo("pass");
        assertThatThrownBy(() -> script.visit(3, "s", "r")).hasMessageContaining("this is visit 3");
    }

    @Test
    void parse_visitMistakes_nameTheFieldAndWhatIsValid() {
        assertThatThrownBy(() -> parse("agents: {a: {turns: [{text: x}], visits: [{turns: [{text: y}]}]}}"))
                .hasMessage("scenario 's': agents.a has both 'visits' and 'turns': give each visit its own 'turns' "
                        + "(and 'after') under 'visits', or one 'turns' for every visit");
        assertThatThrownBy(() -> parse("agents: {a: {turns: [{text: x}], afterVisits: default}}"))
                .hasMessage("scenario 's': agents.a.afterVisits is only valid with 'visits'");
        assertThatThrownBy(() -> parse("agents: {a: {visits: []}}"))
                .hasMessageContaining("agents.a.visits must be a list of at least one script {turns, after}");
        assertThatThrownBy(() -> parse("agents: {a: {visits: [{visits: []}]}}"))
                .hasMessage("scenario 's': agents.a.visits[0].visits is not a field here; valid: turns, after");
        assertThatThrownBy(() -> parse("agents: {a: {visits: [{after: repeatLast}]}}"))
                .hasMessage("scenario 's': agents.a.visits[0].turns is required: a list of at least one turn");
        assertThatThrownBy(() -> parse("agents: {a: {visits: [{turns: [{text: x}]}], afterVisits: again}}"))
                .hasMessage("scenario 's': agents.a.afterVisits must be repeatLast, default or fail; was 'again'");
        assertThatThrownBy(() -> parse("agents: {a: {after: default}}"))
                .hasMessage("scenario 's': agents.a.turns is required: a list of at least one turn (or 'visits': "
                        + "one script per visit of the step)");
    }
}
