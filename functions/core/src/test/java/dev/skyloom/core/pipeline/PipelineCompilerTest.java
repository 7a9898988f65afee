package dev.skyloom.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PipelineCompilerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final PipelineCompiler compiler = PipelineCompiler.create();

    private JsonNode asl(String yaml) throws Exception {
        Compilation compilation = compiler.compile(yaml, TestAgents.STANDARD, CompileTarget.placeholders());
        assertThat(compilation.errors()).isEmpty();
        JsonNode machine = JSON.readTree(compilation.asl());
        assertThat(AslStructure.problems(machine)).isEmpty();
        return machine;
    }

    @Test
    void compile_agentStep_startsAgentStepWithAStepSpec() throws Exception {
        JsonNode step = asl("""
                id: one
                name: One
                steps:
                  - id: write
                    agent: writer
                    input: "Write about {{run.input.topic}}"
                    maxTurns: 5
                    timeoutSeconds: 600
                    budget: {maxTokens: 1000, maxDollars: 0.5}
                """).at("/States/write");

        assertThat(step.path("Resource").asText()).isEqualTo("arn:aws:states:::states:startExecution.sync:2");
        JsonNode input = step.at("/Arguments/Input");
        assertThat(input.path("agentId").asText()).isEqualTo("agt_00000000000000a5");
        assertThat(input.path("stepType").asText()).isEqualTo("agent");
        assertThat(input.path("prompt").asText()).isEqualTo("{% 'Write about ' & $run.input.topic %}");
        assertThat(input.path("limits").toString()).isEqualTo(
                "{\"maxTurns\":5,\"timeoutSeconds\":600,\"maxTokens\":1000,\"maxDollars\":0.5}");
        assertThat(step.path("TimeoutSeconds").asInt()).isEqualTo(600 + AslWriter.TIMEOUT_GRACE_SECONDS);
        assertThat(step.at("/Retry/0/MaxAttempts").asInt()).isEqualTo(2);
        assertThat(step.at("/Catch/0/Next").asText()).isEqualTo("RunFailed");
        assertThat(step.path("Next").asText()).isEqualTo("RunComplete");
    }

    @Test
    void compile_anyPipeline_canResumeAtEachTopLevelStep() throws Exception {
        JsonNode machine = asl("""
                id: r
                name: R
                steps:
                  - {id: a, agent: writer, input: A}
                  - {id: b, agent: writer, input: "B {{steps.a.output}}"}
                """);

        assertThat(machine.at("/States/Start/Next").asText()).isEqualTo("Resume");
        assertThat(machine.at("/States/Start/Assign/steps").asText())
                .isEqualTo("{% $merge([{}, $states.input.resume.variables.steps]) %}");
        assertThat(machine.at("/States/Resume/Choices/1/Condition").asText())
                .isEqualTo("{% $run.resume.from = 'b' %}");
        assertThat(machine.at("/States/Resume/Choices/1/Next").asText()).isEqualTo("b");
        assertThat(machine.at("/States/Resume/Default").asText()).isEqualTo("a");
    }

    @Test
    void compile_swarmStep_startsTheSwarmMachine_withTheInputInitAccepts_agentsResolved() throws Exception {
        JsonNode machine = asl("""
                id: s
                name: S
                agents:
                  - writer
                  - name: helper
                    model: {provider: bedrock, modelId: skyloom.local}
                steps:
                  - {id: plan, agent: writer, input: "Plan {{run.input.goal}}"}
                  - id: fan
                    type: swarm
                    swarm:
                      maxConcurrent: 2
                      failurePolicy: fail-fast
                      budget: {maxDollars: 2}
                      tasks:
                        - {key: a, title: "{% $x %}", prompt: "Do {{steps.plan.output}}", agent: helper,
                           model: skyloom.local}
                        - {key: b, prompt: "Then {{deps.a.text}} for {{run.input.goal}}", agent: writer,
                           dependencies: [a], timeoutSeconds: 60}
                """);
        JsonNode fan = machine.path("States").path("fan");
        assertThat(fan.path("Resource").asText()).isEqualTo("arn:aws:states:::states:startExecution.sync:2");
        JsonNode input = fan.path("Arguments").path("Input");
        assertThat(input.path("tenantId").asText()).isEqualTo("{% $run.tenantId %}");
        assertThat(input.path("swarmId").asText()).contains("$run.runId").contains("'-fan-'");
        JsonNode swarm = input.path("swarm");
        assertThat(swarm.path("maxConcurrent").asInt()).isEqualTo(2);
        assertThat(swarm.path("failurePolicy").asText()).isEqualTo("fail-fast");
        assertThat(swarm.path("budget").path("maxDollars").asDouble()).isEqualTo(2.0);
        JsonNode a = swarm.path("tasks").get(0);
        assertThat(a.path("agentId").asText()).startsWith("agt_").isNotEqualTo("agt_00000000000000a5");
        assertThat(a.path("prompt").asText()).isEqualTo("{% ('Do ' & $steps.plan.output) %}");
        assertThat(a.path("title").asText()).as("a literal that reads as JSONata is quoted")
                .isEqualTo("{% '{\\u0025 $x \\u0025}' %}");
        assertThat(a.path("model").asText()).as("what else the validator accepts goes as written")
                .isEqualTo("skyloom.local");
        assertThat(a.has("agent")).isFalse();
        JsonNode b = swarm.path("tasks").get(1);
        assertThat(b.path("agentId").asText()).isEqualTo("agt_00000000000000a5");
        assertThat(b.path("prompt").asText())
                .isEqualTo("{% ('Then ') & '{{deps.a.text}}' & (' for ' & $run.input.goal) %}");
        assertThat(b.path("dependencies").toString()).isEqualTo("[\"a\"]");
        assertThat(b.path("timeoutSeconds").asInt()).isEqualTo(60);
        assertThat(fan.path("Assign").path("steps").asText()).contains("'result': $o.status");
    }

    @Test
    void compile_swarmStepWithAGoal_isRefused_namingTheTasksForm() {
        Compilation compilation = compiler.compile("""
                id: s
                name: S
                steps:
                  - id: fan
                    type: swarm
                    swarm: {goal: "Ship it", planner: writer}
                """, TestAgents.STANDARD, CompileTarget.placeholders());
        assertThat(compilation.errors()).hasSize(1);
        assertThat(compilation.errors().getFirst().field()).isEqualTo("steps[0].swarm.goal");
        assertThat(compilation.errors().getFirst().line()).isEqualTo(6);
        assertThat(compilation.errors().getFirst().message()).contains("gives its tasks");
    }

    @Test
    void compile_targetArns_areUsedAsGiven() throws Exception {
        CompileTarget target = new CompileTarget("arn:aws:states:eu-west-1:123456789012:stateMachine:agent-step",
                "arn:aws:states:eu-west-1:123456789012:stateMachine:swarm",
                Map.of("http_request", "arn:aws:lambda:eu-west-1:123456789012:function:http"), "bus-1",
                CompileTarget.Limits.DEFAULT);
        Compilation compilation = compiler.compile("""
                id: t
                name: T
                steps:
                  - {id: a, agent: writer, input: x}
                  - {id: b, type: lambda, function: http_request}
                """, TestAgents.STANDARD, target);

        JsonNode machine = JSON.readTree(compilation.asl());
        assertThat(machine.at("/States/a/Arguments/StateMachineArn").asText()).endsWith(":stateMachine:agent-step");
        assertThat(machine.at("/States/b/Arguments/FunctionName").asText()).endsWith(":function:http");
        assertThat(machine.at("/States/RunComplete/Arguments/Entries/0/EventBusName").asText()).isEqualTo("bus-1");
    }

    @Test
    void compile_textWithQuotesAndHyphenatedIds_isValidJsonata() throws Exception {
        JsonNode machine = asl("""
                id: q
                name: Q
                steps:
                  - {id: first-draft, agent: writer, input: "It's 100% {{run.input.topic}}", outputs: [sections]}
                  - {id: second, agent: writer, input: "Improve {{steps.first-draft.outputs.sections.0}}"}
                """);

        assertThat(machine.at("/States/first-draft/Arguments/Input/prompt").asText())
                .isEqualTo("{% 'It\\u0027s 100\\u0025 ' & $run.input.topic %}");
        assertThat(machine.at("/States/second/Arguments/Input/prompt").asText())
                .isEqualTo("{% 'Improve ' & $steps.`first-draft`.outputs.sections[0] %}");
    }

    @Test
    void compile_gateWithoutFailHandler_failsTheRunWithGateFailed() throws Exception {
        JsonNode machine = asl("""
                id: g
                name: G
                steps:
                  - {id: build, agent: coder, input: Build}
                  - {id: check, type: gate, agent: reviewer, input: "Check {{steps.build.output}}"}
                """);

        assertThat(machine.at("/States/check/Arguments/Input/stepType").asText()).isEqualTo("gate");
        assertThat(machine.at("/States/check.Route/Choices/0/Condition").asText())
                .isEqualTo("{% $steps.check.result = 'FAIL' %}");
        assertThat(machine.at("/States/check.on.FAIL/Assign/failure").asText()).contains("'GATE_FAILED'");
        assertThat(machine.at("/States/check.Route/Default").asText()).isEqualTo("RunComplete");
    }

    @Test
    void compile_retry_countsAttemptsAndFeedsTheTextBack() throws Exception {
        JsonNode machine = asl("""
                id: r
                name: R
                steps:
                  - id: build
                    agent: coder
                    input: Build
                    maxRetries: 3
                    onResult:
                      NEEDS_WORK: {retry: true}
                """);

        assertThat(machine.at("/States/Start/Assign/attempts").asText())
                .isEqualTo("{% $merge([{'build': 0}, $states.input.resume.variables.attempts]) %}");
        assertThat(machine.at("/States/build/Arguments/Input/prompt").asText())
                .isEqualTo("{% $string('Build') & $feedback.build %}".replace("$string('Build')", "'Build'"));
        assertThat(machine.at("/States/build.back.build/Choices/0/Condition").asText())
                .isEqualTo("{% $attempts.build >= 3 %}");
        assertThat(machine.at("/States/build.again.build/Assign/feedback").asText())
                .contains("[RETRY ' & ($attempts.build + 1) & '/3] ' & $string($steps.build.text)");
    }

    @Test
    void compile_loopStep_emitsMapState() throws Exception {
        JsonNode map = asl("""
                id: l
                name: L
                steps:
                  - id: each
                    agent: writer
                    input: "Item {{loop.index}}: {{loop.item.title}}"
                    loop: {over: "{{run.input.items}}", maxConcurrency: 3}
                """).at("/States/each");

        assertThat(map.path("Type").asText()).isEqualTo("Map");
        assertThat(map.path("Items").asText()).isEqualTo("{% $run.input.items %}");
        assertThat(map.path("MaxConcurrency").asInt()).isEqualTo(3);
        assertThat(map.at("/ItemProcessor/States/each.Item/Arguments/Input/prompt").asText())
                .isEqualTo("{% 'Item ' & $states.input.index & ': ' & $states.input.item.title %}");
    }

    @Test
    void compile_inlineAgent_isReturnedWithAnIdStableForThePipeline() {
        String yaml = """
                id: inline
                name: Inline
                agents:
                  - name: helper
                    model: {provider: bedrock, modelId: skyloom.local}
                steps:
                  - {id: a, agent: helper, input: Help}
                """;
        Compilation first = compiler.compile(yaml, AgentDirectory.NONE, CompileTarget.placeholders());
        Compilation again = compiler.compile(yaml, AgentDirectory.NONE, CompileTarget.placeholders());

        assertThat(first.inlineAgents()).hasSize(1);
        InlineAgent helper = first.inlineAgents().getFirst();
        assertThat(helper.id()).matches("agt_[0-9a-f]{16}").isEqualTo(again.inlineAgents().getFirst().id());
        assertThat(helper.name()).isEqualTo("helper");
        assertThat(helper.definition().at("/model/modelId").asText()).isEqualTo("skyloom.local");
        assertThat(first.asl()).contains("\"agentId\": \"" + helper.id() + "\"");
    }

    @Test
    void compile_inlineAgentWithoutModel_getsTheDefaults() {
        Compilation compilation = compiler.compile("""
                id: d
                name: D
                defaults: {model: skyloom.local, temperature: 0.3, tools: [read_file]}
                agents:
                  - {name: helper}
                  - {name: custom, model: {provider: scripted, modelId: demo}, tools: []}
                steps:
                  - {id: a, agent: helper, input: Help}
                  - {id: b, agent: custom, input: Help}
                """, AgentDirectory.NONE, CompileTarget.placeholders());

        assertThat(compilation.errors()).isEmpty();
        assertThat(compilation.inlineAgents().get(0).definition().toString()).isEqualTo("{\"name\":\"helper\","
                + "\"model\":{\"provider\":\"bedrock\",\"modelId\":\"skyloom.local\",\"temperature\":0.3},"
                + "\"tools\":[\"read_file\"]}");
        assertThat(compilation.inlineAgents().get(1).definition().toString()).isEqualTo("{\"name\":\"custom\","
                + "\"model\":{\"provider\":\"scripted\",\"modelId\":\"demo\"},\"tools\":[]}");
    }

    @Test
    void compile_blankOrHugeYaml_isOneError() {
        assertThat(compiler.compile(" ", AgentDirectory.NONE, CompileTarget.placeholders()).errors())
                .extracting(PipelineError::message).containsExactly("is required: the pipeline definition as YAML "
                        + "(id, name, steps, ...)");
        assertThat(compiler.compile("a".repeat(PipelineCompiler.MAX_YAML_CHARS + 1), AgentDirectory.NONE,
                CompileTarget.placeholders()).errors()).hasSize(1);
    }

    @Test
    void compile_tenantLimits_areChecked() {
        CompileTarget tight = CompileTarget.placeholders().withLimits(new CompileTarget.Limits(2, 10, 60, 1, 2, 1.0,
                1000));
        Compilation compilation = compiler.compile("""
                id: big
                name: Big
                steps:
                  - {id: a, agent: writer, input: A, maxTurns: 11, timeoutSeconds: 61, maxRetries: 2}
                  - {id: b, agent: writer, input: B, budget: {maxTokens: 1001}}
                  - {id: c, agent: writer, input: C, loop: {over: "{{run.input.x}}", maxConcurrency: 3}}
                """, TestAgents.STANDARD, tight);

        assertThat(compilation.errors()).extracting(PipelineError::field).containsExactly("steps",
                "steps[0].maxTurns", "steps[0].timeoutSeconds", "steps[0].maxRetries", "steps[1].budget.maxTokens",
                "steps[2].loop.maxConcurrency");
    }

    @Test
    void compile_longestIdsAndValues_keepStateNamesWithin80Characters() throws Exception {
        String a = "a".repeat(32);
        String b = "b".repeat(32);
        String value = "V".repeat(64);
        JsonNode machine = asl("""
                id: long
                name: Long
                steps:
                  - {id: %s, agent: writer, input: A}
                  - id: %s
                    agent: writer
                    input: B
                    onResult:
                      %s: {goto: %s}
                      NOTE_%s: {notify: note}
                """.formatted(a, b, value, a, value.substring(5)));

        assertThat(machine.path("States").has(b + ".back." + a)).isTrue();
        assertThat(machine.path("States").has(b + ".on.2")).isTrue();
    }

    @Test
    void template_parse_splitsTextAndReferences() {
        List<String> problems = new ArrayList<>();
        Template template = Template.parse("A {{ run.input.x }} B {{steps.plan.outputs.files}}", problems);

        assertThat(problems).isEmpty();
        assertThat(template.parts()).hasSize(4);
        assertThat(template.refs()).extracting(Template.Ref::step).containsExactly(null, "plan");
        assertThat(template.refs().get(1).path()).containsExactly("outputs", "files");
    }
}
