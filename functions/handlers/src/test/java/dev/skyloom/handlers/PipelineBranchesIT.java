package dev.skyloom.handlers;

import static dev.skyloom.handlers.PipelineHarness.example;
import static dev.skyloom.handlers.PipelineHarness.ofType;
import static dev.skyloom.handlers.PipelineHarness.status;
import static dev.skyloom.handlers.PipelineHarness.step;
import static dev.skyloom.handlers.PipelineHarness.waitingFor;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every branch a pipeline can take, run through the API on one local cloud with scripted model answers: a gate that
 * fails, sends the run through its fix and passes on its next visit; {@code onResult} {@code goto}, {@code retry}
 * (with feedback, and bounded), {@code fail} and {@code notify}; a voting and a decomposing council; a loop; an
 * approval approved and rejected. The example pipelines {@code engineering}, {@code council-vote} and
 * {@code approval} run as shipped.
 * Steps without a scenario answer from the deterministic default model, whose {@code complete_step} text is
 * {@code "Done: <the prompt>"}: that is how a test sees what reached a step's prompt.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PipelineBranchesIT {
    @TempDir
    static Path dataDir;
    private PipelineHarness api;

    @BeforeAll
    void start() throws Exception {
        api = PipelineHarness.start(dataDir, List.of("pipeline-plan.yaml", "pipeline-gate-once.yaml",
                        "pipeline-gate-never.yaml", "pipeline-needs-work.yaml", "pipeline-never-done.yaml",
                        "pipeline-questions.yaml"),
                List.of("planner", "coder", "analyst", "reviewer", "writer"));
    }

    @AfterAll
    void stop() {
        if (api != null) {
            api.close();
        }
    }

    private static List<String> types(List<JsonNode> events, String stepId, String... types) {
        List<String> wanted = List.of(types);
        return events.stream().filter(e -> wanted.contains(e.path("type").asText()))
                .filter(e -> stepId == null || e.path("stepId").asText().equals(stepId))
                .map(e -> e.path("type").asText()).toList();
    }

    private static List<String> verdicts(List<JsonNode> events, String stepId) {
        return ofType(events, "GATE_VERDICT").stream().filter(e -> e.path("stepId").asText().equals(stepId))
                .map(e -> e.path("data").path("verdict").asText() + ": " + e.path("data").path("reasoning").asText())
                .toList();
    }

    @Test
    void engineering_theGateFailsOnce_fixRuns_theGatePassesOnItsSecondVisit_andTheApprovalShipsIt() throws Exception {
        api.deploy(example("engineering"));
        String runId = api.startRun("engineering", "{\"input\": {\"request\": \"add a health check\"}, "
                + "\"scenarios\": {\"plan\": \"pipeline-plan\", \"review\": \"pipeline-gate-once\"}}");

        JsonNode waiting = api.until(runId, waitingFor("ship"), "waiting for ship");
        assertThat(step(waiting, "review").path("runs").asInt()).isEqualTo(2);
        assertThat(step(waiting, "review").path("result").asText()).isEqualTo("PASS");
        assertThat(step(waiting, "fix").path("runs").asInt()).isEqualTo(1);
        assertThat(step(waiting, "build").path("runs").asInt()).as("the fix loop does not rebuild").isEqualTo(1);
        api.ok("POST", "/api/v1/runs/" + runId + "/approvals/ship", "{\"decision\": \"approve\"}");
        JsonNode done = api.until(runId, status("SUCCEEDED"), "succeeded");

        // the gate's failing reasoning reached fix's prompt (the default model echoes it)
        assertThat(done.path("outputs").path("fix").asText())
                .isEqualTo("Done: The review failed: No test covers the health check. Fix it.");
        assertThat(done.path("outputs").path("review").path("verdict").asText()).isEqualTo("pass");
        assertThat(done.path("outputs").path("review").path("reasoning").asText())
                .isEqualTo("The health check is tested now.");
        assertThat(api.llmCalls(runId, "review")).isEqualTo(2);
        assertThat(api.llmCalls(runId, "fix")).isEqualTo(1);
        List<JsonNode> events = api.events(runId, "RUN_COMPLETE");
        assertThat(verdicts(events, "review")).containsExactly("fail: No test covers the health check.",
                "pass: The health check is tested now.");
        assertThat(events.stream().map(e -> e.path("type").asText() + "/" + e.path("stepId").asText("")).filter(
                t -> List.of("GATE_VERDICT/review", "STEP_COMPLETE/fix", "APPROVAL_REQUIRED/ship", "RUN_COMPLETE/")
                        .contains(t)).toList())
                .containsExactly("GATE_VERDICT/review", "STEP_COMPLETE/fix", "GATE_VERDICT/review",
                        "APPROVAL_REQUIRED/ship", "RUN_COMPLETE/");
    }

    private static final String GATED = """
            id: gated-build
            name: Gated build
            agents: [coder, reviewer]
            steps:
              - id: build
                agent: coder
                input: "Build {{run.input.what}}."
                maxRetries: 2
              - id: check
                type: gate
                agent: reviewer
                input: "Check: {{steps.build.output}}"
                onResult:
                  FAIL: {goto: build}
            """;

    @Test
    void aFailingGate_goesBackToBuild_withItsReasoningAsRetryFeedback_andPassesOnTheNextVisit() throws Exception {
        deployOnce("gated-build", GATED);
        String runId = api.startRun("gated-build", "{\"input\": {\"what\": \"the parser\"}, "
                + "\"scenarios\": {\"check\": \"pipeline-gate-once\"}}");
        JsonNode done = api.until(runId, status("SUCCEEDED"), "succeeded");

        assertThat(step(done, "build").path("runs").asInt()).isEqualTo(2);
        assertThat(step(done, "check").path("runs").asInt()).isEqualTo(2);
        assertThat(step(done, "check").path("result").asText()).isEqualTo("PASS");
        // the retried build's prompt ends with the gate's reasoning as [RETRY n/max] feedback
        assertThat(done.path("outputs").path("build").asText())
                .isEqualTo("Done: Build the parser. [RETRY 1/2] No test covers the health check.");
        List<JsonNode> events = api.events(runId, "RUN_COMPLETE");
        List<String> builds = ofType(events, "STEP_COMPLETE").stream()
                .filter(e -> e.path("stepId").asText().equals("build"))
                .map(e -> e.path("data").path("text").asText()).toList();
        assertThat(builds).containsExactly("Done: Build the parser.",
                "Done: Build the parser. [RETRY 1/2] No test covers the health check.");
        assertThat(verdicts(events, "check")).containsExactly("fail: No test covers the health check.",
                "pass: The health check is tested now.");
        assertThat(types(events, null, "STEP_COMPLETE", "GATE_VERDICT", "RUN_COMPLETE")).containsExactly(
                "STEP_COMPLETE", "GATE_VERDICT", "STEP_COMPLETE", "STEP_COMPLETE", "GATE_VERDICT", "STEP_COMPLETE",
                "RUN_COMPLETE");
    }

    @Test
    void aGateThatNeverPasses_failsTheRun_withRetriesExhausted_afterMaxRetriesVisits() throws Exception {
        deployOnce("gated-build", GATED);
        String runId = api.startRun("gated-build", "{\"input\": {\"what\": \"the lexer\"}, "
                + "\"scenarios\": {\"check\": \"pipeline-gate-never\"}}");
        JsonNode failed = api.until(runId, status("FAILED"), "failed");

        assertThat(failed.path("error").asText()).isEqualTo("RETRIES_EXHAUSTED");
        assertThat(failed.path("cause").asText()).contains("step \"build\" ran 3 times (maxRetries 2)")
                .contains("Still untested.");
        assertThat(step(failed, "build").path("runs").asInt()).isEqualTo(3);
        assertThat(step(failed, "check").path("runs").asInt()).isEqualTo(3);
        assertThat(failed.path("outputs").path("build").asText())
                .isEqualTo("Done: Build the lexer. [RETRY 2/2] Still untested.");
        assertThat(api.llmCalls(runId, "check")).isEqualTo(3);
        List<JsonNode> events = api.events(runId, "RUN_FAILED");
        assertThat(verdicts(events, "check")).containsExactly("fail: Still untested.", "fail: Still untested.",
                "fail: Still untested.");
        assertThat(ofType(events, "RUN_FAILED").getFirst().path("data").path("error").asText())
                .isEqualTo("RETRIES_EXHAUSTED");
    }

    private static final String DRAFTING = """
            id: drafting
            name: Drafting
            agents: [writer, planner]
            steps:
              - id: draft
                agent: writer
                input: "Draft {{run.input.topic}}."
                maxRetries: 2
                onResult:
                  NEEDS_WORK: {retry: true}
              - id: publish
                agent: planner
                input: "Publish: {{steps.draft.output}}"
            """;

    @Test
    void onResultRetry_runsTheStepAgainUntilItsResultChanges_andIsBoundedByMaxRetries() throws Exception {
        deployOnce("drafting", DRAFTING);
        String once = api.startRun("drafting", "{\"input\": {\"topic\": \"a\"}, "
                + "\"scenarios\": {\"draft\": \"pipeline-needs-work\"}}");
        String never = api.startRun("drafting", "{\"input\": {\"topic\": \"b\"}, "
                + "\"scenarios\": {\"draft\": \"pipeline-never-done\"}}");

        JsonNode done = api.until(once, status("SUCCEEDED"), "succeeded");
        assertThat(step(done, "draft").path("runs").asInt()).isEqualTo(2);
        assertThat(step(done, "draft").path("result").asText()).isEqualTo("DONE");
        assertThat(done.path("outputs").path("publish").asText()).isEqualTo("Done: Publish: Long enough now.");
        assertThat(api.llmCalls(once, "draft")).isEqualTo(2);
        assertThat(types(api.events(once, "RUN_COMPLETE"), null, "STEP_COMPLETE", "RUN_COMPLETE"))
                .containsExactly("STEP_COMPLETE", "STEP_COMPLETE", "STEP_COMPLETE", "RUN_COMPLETE");

        JsonNode failed = api.until(never, status("FAILED"), "failed");
        assertThat(failed.path("error").asText()).isEqualTo("RETRIES_EXHAUSTED");
        assertThat(failed.path("cause").asText()).contains("step \"draft\" ran 3 times (maxRetries 2)")
                .contains("Still too short.");
        assertThat(step(failed, "draft").path("runs").asInt()).isEqualTo(3);
        assertThat(api.llmCalls(never, "draft")).isEqualTo(3);
        assertThat(api.llmCalls(never, "publish")).isZero();
        assertThat(ofType(api.events(never, "RUN_FAILED"), "RUN_FAILED").getFirst().path("data").path("stepId")
                .asText()).isEqualTo("draft");
    }

    @Test
    void onResultRetry_givesTheStepItsOwnTextAsRetryFeedback() throws Exception {
        deployOnce("redrafting", """
                id: redrafting
                name: Redrafting
                agents: [writer]
                steps:
                  - id: draft
                    agent: writer
                    input: "Draft {{run.input.topic}}."
                    maxRetries: 1
                    onResult:
                      DONE: {retry: true}
                """);
        // the default model always answers DONE, so the step is retried until maxRetries is used up
        String runId = api.startRun("redrafting", "{\"input\": {\"topic\": \"c\"}}");
        JsonNode failed = api.until(runId, status("FAILED"), "failed");

        assertThat(failed.path("error").asText()).isEqualTo("RETRIES_EXHAUSTED");
        assertThat(step(failed, "draft").path("runs").asInt()).isEqualTo(2);
        assertThat(ofType(api.events(runId, "RUN_FAILED"), "STEP_COMPLETE")).extracting(e -> e.path("data")
                .path("text").asText()).containsExactly("Done: Draft c.", "Done: Draft c. [RETRY 1/1] Done: Draft c.");
    }

    /** A scenario in which the council's members (analyst, planner, reviewer) vote as given. */
    private void votes(String name, String analyst, String planner, String reviewer) throws Exception {
        StringBuilder yaml = new StringBuilder("description: The vendor council votes (PipelineBranchesIT).\n"
                + "agents:\n");
        for (String[] vote : List.of(new String[] {"analyst", analyst}, new String[] {"planner", planner},
                new String[] {"reviewer", reviewer})) {
            yaml.append("  ").append(api.agentId(vote[0])).append(":\n    turns:\n      - toolCalls: [{name: "
                    + "complete_step, input: {text: ").append(vote[0]).append(" votes ").append(vote[1])
                    .append(", result: ").append(vote[1]).append("}}]\n");
        }
        api.writeScenario(name, yaml.toString());
    }

    private static String decide(String scenario) {
        return "\"scenarios\": {\"decide\": \"" + scenario + "\"}";
    }

    @Test
    void councilVote_theMajorityDecides_andItsValueGoesTo_gotoFailOrNotify() throws Exception {
        votes("vote-approve", "APPROVE", "APPROVE", "REJECT");
        votes("vote-reject", "REJECT", "APPROVE", "REJECT");
        votes("vote-abstain", "ABSTAIN", "ABSTAIN", "APPROVE");
        api.deploy(example("council-vote"));
        String input = "\"input\": {\"offers\": [\"Acme: 10/month\"], \"vendor\": \"Acme\"}";
        String approve = api.startRun("vendor-choice", "{" + input + ", " + decide("vote-approve") + "}");
        String reject = api.startRun("vendor-choice", "{" + input + ", " + decide("vote-reject") + "}");
        String abstain = api.startRun("vendor-choice", "{" + input + ", " + decide("vote-abstain") + "}");

        // APPROVE: {goto: contract}; contract's prompt holds the votes
        JsonNode approved = api.until(approve, status("SUCCEEDED"), "succeeded");
        assertThat(step(approved, "decide").path("result").asText()).isEqualTo("APPROVE");
        assertThat(approved.path("outputs").path("decide").asText()).isEqualTo("APPROVE");
        assertThat(approved.path("outputs").path("contract").asText())
                .startsWith("Done: Draft the contract terms. The council's votes: analyst: APPROVE - analyst");
        for (String member : List.of("decide-1", "decide-2", "decide-3")) {
            assertThat(api.llmCalls(approve, member)).as(member).isEqualTo(1);
        }
        assertThat(api.llmCalls(approve, "decide")).as("a vote has no leader call").isZero();
        assertThat(ofType(api.events(approve, "RUN_COMPLETE"), "STEP_NOTIFY")).isEmpty();

        // REJECT: {fail: ...}: the run fails with the step's error
        JsonNode rejected = api.until(reject, status("FAILED"), "failed");
        assertThat(rejected.path("error").asText()).isEqualTo("STEP_RESULT_FAIL");
        assertThat(rejected.path("cause").asText()).isEqualTo("The council voted against the vendor");
        assertThat(step(rejected, "decide").path("result").asText()).isEqualTo("REJECT");
        assertThat(api.llmCalls(reject, "contract")).isZero();
        JsonNode runFailed = ofType(api.events(reject, "RUN_FAILED"), "RUN_FAILED").getFirst();
        assertThat(runFailed.path("data").path("stepId").asText()).isEqualTo("decide");
        assertThat(runFailed.path("data").path("error").asText()).isEqualTo("STEP_RESULT_FAIL");

        // ABSTAIN: {notify: ...}: a STEP_NOTIFY event, then on to the next step as usual
        JsonNode abstained = api.until(abstain, status("SUCCEEDED"), "succeeded");
        assertThat(step(abstained, "decide").path("result").asText()).isEqualTo("ABSTAIN");
        assertThat(step(abstained, "contract").path("status").asText()).isEqualTo("SUCCEEDED");
        List<JsonNode> events = api.events(abstain, "RUN_COMPLETE");
        List<JsonNode> notices = ofType(events, "STEP_NOTIFY");
        assertThat(notices).hasSize(1);
        assertThat(notices.getFirst().path("data").path("message").asText())
                .isEqualTo("The council could not decide on Acme");
        assertThat(notices.getFirst().path("data").path("result").asText()).isEqualTo("ABSTAIN");
        assertThat(events.stream().map(e -> e.path("type").asText() + "/" + e.path("stepId").asText(""))
                .filter(t -> List.of("STEP_NOTIFY/decide", "STEP_COMPLETE/contract", "RUN_COMPLETE/").contains(t))
                .toList()).containsExactly("STEP_NOTIFY/decide", "STEP_COMPLETE/contract", "RUN_COMPLETE/");
    }

    @Test
    void councilDecompose_theLeaderSplits_eachMemberDoesAPart_andTheLeaderSynthesises() throws Exception {
        api.writeScenario("decompose", "description: A leader that splits in two; members that do their part.\n"
                + "agents:\n  " + api.agentId("planner") + ":\n    turns:\n      - toolCalls: [{name: complete_step, "
                + "input: {text: Split and merged., output: {parts: [Write the parser, Write the tests]}}}]\n"
                + "  '*':\n    turns:\n      - toolCalls: [{name: complete_step, input: {text: Did my part.}}]\n");
        deployOnce("split-work", """
                id: split-work
                name: Split work
                agents: [planner, coder, analyst]
                steps:
                  - id: split
                    type: council
                    council: {leader: planner, members: [coder, analyst], strategy: decompose}
                    input: "Build {{run.input.what}}"
                  - id: report
                    agent: coder
                    input: "Report on {{steps.split.text}}"
                """);
        String runId = api.startRun("split-work", "{\"input\": {\"what\": \"a parser\"}, "
                + "\"scenarios\": {\"split\": \"decompose\"}}");
        JsonNode done = api.until(runId, status("SUCCEEDED"), "succeeded");

        for (String stepId : List.of("split-plan", "split-1", "split-2", "split")) {
            assertThat(api.llmCalls(runId, stepId)).as(stepId).isEqualTo(1);
        }
        assertThat(done.path("outputs").path("split").path("parts")).extracting(JsonNode::asText)
                .containsExactly("Write the parser", "Write the tests");
        assertThat(done.path("outputs").path("report").asText()).isEqualTo("Done: Report on Split and merged.");
        List<JsonNode> events = api.events(runId, "RUN_COMPLETE");
        assertThat(events.stream().filter(e -> e.path("type").asText().equals("STEP_COMPLETE"))
                .map(e -> e.path("stepId").asText()).toList())
                .containsSubsequence("split-plan", "split", "report")
                .contains("split-1", "split-2");
        assertThat(ofType(events, "STEP_COMPLETE").stream()
                .filter(e -> e.path("stepId").asText().matches("split-\\d"))
                .map(e -> e.path("data").path("text").asText()).toList())
                .containsExactly("Did my part.", "Did my part.");
    }

    @Test
    void aLoop_runsItsStepOncePerItem_withLoopItemAndIndex_tellsEachItem_andKeepsTheOutputsInOrder() throws Exception {
        deployOnce("looped", """
                id: looped
                name: Looped
                agents: [planner, analyst]
                steps:
                  - id: questions
                    agent: planner
                    input: "List questions about {{run.input.topic}}."
                    outputs: [questions]
                  - id: answer
                    agent: analyst
                    input: "Answer {{loop.index}}: {{loop.item}}"
                    loop:
                      over: "{{steps.questions.outputs.questions}}"
                      maxConcurrency: 2
                  - id: summary
                    agent: planner
                    input: "Sum up {{steps.answer.output}}"
                """);
        String runId = api.startRun("looped", "{\"input\": {\"topic\": \"tides\"}, "
                + "\"scenarios\": {\"questions\": \"pipeline-questions\"}}");
        JsonNode done = api.until(runId, status("SUCCEEDED"), "succeeded");

        assertThat(done.path("outputs").path("answer")).extracting(JsonNode::asText)
                .containsExactly("Done: Answer 0: Why?", "Done: Answer 1: How?", "Done: Answer 2: When?");
        assertThat(done.path("outputs").path("summary").asText()).contains("Answer 0: Why?");
        assertThat(api.llmCalls(runId, "answer")).isEqualTo(3);
        List<JsonNode> events = api.events(runId, "RUN_COMPLETE");
        List<JsonNode> items = ofType(events, "STEP_COMPLETE").stream()
                .filter(e -> e.path("stepId").asText().equals("answer")).toList();
        assertThat(items).extracting(e -> e.path("data").path("text").asText()).containsExactlyInAnyOrder(
                "Done: Answer 0: Why?", "Done: Answer 1: How?", "Done: Answer 2: When?");
        assertThat(items).extracting(e -> e.path("data").path("executionId").asText()).doesNotHaveDuplicates();
        List<JsonNode> itemsDone = ofType(events, "LOOP_ITEM_COMPLETE");
        assertThat(itemsDone).allSatisfy(e -> assertThat(e.path("stepId").asText()).isEqualTo("answer"))
                .extracting(e -> e.path("data").path("index").asInt()).containsExactlyInAnyOrder(0, 1, 2);
        assertThat(itemsDone).extracting(e -> e.path("data").path("result").asText()).containsOnly("DONE");
        // every item completed before the step after the loop started
        long lastItem = itemsDone.stream().mapToLong(e -> e.path("seq").asLong()).max().orElseThrow();
        long summaryStart = ofType(events, "STEP_STARTED").stream()
                .filter(e -> e.path("stepId").asText().equals("summary")).findFirst().orElseThrow()
                .path("seq").asLong();
        assertThat(lastItem).isLessThan(summaryStart);
    }

    @Test
    void approvalExample_approved_passesTheCommentOn_andRejected_failsTheRunWithTheComment() throws Exception {
        api.deploy(example("approval"));
        String approve = api.startRun("press-release", "{\"input\": {\"topic\": \"the launch\"}}");
        String reject = api.startRun("press-release", "{\"input\": {\"topic\": \"the delay\"}}");
        api.until(approve, waitingFor("signoff"), "waiting for signoff");
        api.until(reject, waitingFor("signoff"), "waiting for signoff");
        assertThat(api.llmCalls(approve, "polish")).as("nothing runs past a waiting approval").isZero();

        api.ok("POST", "/api/v1/runs/" + approve + "/approvals/signoff",
                "{\"decision\": \"approve\", \"comment\": \"Shorter title.\"}");
        JsonNode approved = api.until(approve, status("SUCCEEDED"), "succeeded");
        assertThat(step(approved, "signoff").path("result").asText()).isEqualTo("APPROVED");
        assertThat(approved.path("outputs").path("polish").asText())
                .startsWith("Done: Polish the approved draft. Reviewer's notes: Shorter title.");
        List<JsonNode> events = api.events(approve, "RUN_COMPLETE");
        JsonNode required = ofType(events, "APPROVAL_REQUIRED").getFirst();
        assertThat(required.path("data").path("escalateTo").asText()).isEqualTo("comms-director");
        assertThat(required.path("data").has("taskToken")).isFalse();
        assertThat(types(events, null, "APPROVAL_REQUIRED", "APPROVAL_DECIDED", "RUN_COMPLETE"))
                .containsExactly("APPROVAL_REQUIRED", "APPROVAL_DECIDED", "RUN_COMPLETE");

        api.ok("POST", "/api/v1/runs/" + reject + "/approvals/signoff",
                "{\"decision\": \"reject\", \"comment\": \"Wrong date.\"}");
        JsonNode rejected = api.until(reject, status("FAILED"), "failed");
        assertThat(rejected.path("error").asText()).isEqualTo("APPROVAL_REJECTED");
        assertThat(rejected.path("cause").asText()).contains("Wrong date.");
        assertThat(step(rejected, "signoff").path("result").asText()).isEqualTo("REJECTED");
        assertThat(api.llmCalls(reject, "polish")).isZero();
    }

    private void deployOnce(String id, String yaml) throws Exception {
        if (api.call("GET", "/api/v1/pipelines/" + id, api.key(), null, null).status() != 200) {
            api.deploy(yaml);
        }
    }

    /** The compiler's malformed-pipeline corpus (functions/core test resources), each file with its expected errors. */
    private static final Path INVALID_PIPELINES = Path.of("../core/src/test/resources/dev/skyloom/core/pipeline/invalid");
    private static final String EXPECT = "# expect: ";

    @Test
    void everyMalformedPipelineOfTheCorpus_isA400_namingEachProblemWithItsLineAndColumn_andNothingIsStored()
            throws Exception {
        List<Path> files;
        try (Stream<Path> list = Files.list(INVALID_PIPELINES)) {
            files = list.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(40);
        int before = api.ok("GET", "/api/v1/pipelines?limit=100", null).path("items").size();
        for (Path file : files) {
            String yaml = Files.readString(file);
            List<String> expected = new ArrayList<>();
            for (String line : yaml.lines().filter(l -> l.startsWith(EXPECT)).toList()) {
                // "<field> @ <line>:<column>: <message>" -> the API's detail "yaml.<field>" / "line L, column C: ..."
                String spec = line.substring(EXPECT.length());
                int at = spec.indexOf(" @ ");
                String field = spec.substring(0, at);
                String rest = spec.substring(at + 3);
                int colon = rest.indexOf(':');
                int colon2 = rest.indexOf(": ", colon + 1);
                String lineNo = rest.substring(0, colon);
                String column = rest.substring(colon + 1, colon2);
                String message = rest.substring(colon2 + 2);
                expected.add((field.isEmpty() ? "yaml" : "yaml." + field) + " | "
                        + (lineNo.equals("0") ? message : "line " + lineNo + ", column " + column + ": " + message));
            }
            PipelineHarness.Answer answer = api.call("POST", "/api/v1/pipelines", api.key(), yaml, "application/yaml");
            String what = file.getFileName() + ": " + answer.body();
            assertThat(answer.status()).as(what).isEqualTo(400);
            JsonNode error = answer.body().path("error");
            List<String> details = new ArrayList<>();
            error.path("details").forEach(d -> details.add(d.path("field").asText() + " | " + d.path("problem").asText()));
            assertThat(details).as(what).containsExactlyElementsOf(expected);
            String first = expected.getFirst();
            assertThat(error.path("message").asText()).as(what).startsWith("Invalid pipeline: ")
                    .contains(first.substring(first.indexOf(" | ") + 3));
        }
        assertThat(api.ok("GET", "/api/v1/pipelines?limit=100", null).path("items").size()).isEqualTo(before);
    }

    @Test
    void parallelLoopExample_loopsOverTheListedQuestions_runsBothBranchesWithTheBuiltInTransform_andSummarises()
            throws Exception {
        api.deploy(example("parallel-loop"));
        String runId = api.startRun("research", "{\"input\": {\"topic\": \"solar storage\"}, "
                + "\"scenarios\": {\"questions\": \"pipeline-questions\"}}");
        JsonNode done = api.until(runId, status("SUCCEEDED"), "succeeded");

        for (String id : List.of("questions", "answer", "enrich", "sources", "tidy", "critique", "summary")) {
            assertThat(step(done, id).path("status").asText()).as(id + " in " + done).isEqualTo("SUCCEEDED");
        }
        // one answer per listed question, in order
        assertThat(done.path("outputs").path("answer")).extracting(JsonNode::asText).hasSize(3)
                .satisfies(a -> assertThat(a.get(0)).contains("Answer question 0: Why?"))
                .satisfies(a -> assertThat(a.get(2)).contains("Answer question 2: When?"));
        assertThat(api.llmCalls(runId, "answer")).isEqualTo(3);
        // the json_transform built-in picked the sources field out of the sources step's structured output
        JsonNode sources = done.path("outputs").path("sources");
        assertThat(sources.has("sources")).as(sources.toString()).isTrue();
        assertThat(done.path("outputs").path("tidy")).as(done.toString()).isEqualTo(sources.path("sources"));
        List<JsonNode> events = api.events(runId, "RUN_COMPLETE");
        assertThat(ofType(events, "LOOP_ITEM_COMPLETE")).extracting(e -> e.path("data").path("index").asInt())
                .containsExactlyInAnyOrder(0, 1, 2);
        assertThat(done.path("outputs").path("summary").asText()).contains("Write the report");
    }
}
