package dev.skyloom.local.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionListItem;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;
import software.amazon.awssdk.services.sfn.model.HistoryEventType;

/**
 * Nested executions on the local cloud ({@code arn:aws:states:::states:startExecution} with every integration
 * pattern), through the SDK v2 {@code SfnClient} on the edge: result shapes, failure propagation, stop propagation,
 * retries and many parents at once.
 */
class NestedExecutionsIT {
    private static final String ROLE = "arn:aws:iam::000000000000:role/sfn";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger NAMES = new AtomicInteger();

    @TempDir
    static Path dataDir;
    static LocalCloud cloud;
    static SfnClient sfn;

    @BeforeAll
    static void start() throws Exception {
        cloud = new LocalCloud(LocalCloudConfig.ephemeral(dataDir, null)).start();
        URI edge = cloud.edgeEndpoint();
        sfn = TestClients.sfn(edge);
    }

    @AfterAll
    static void stop() {
        sfn.close();
        cloud.close();
    }

    private static String create(String prefix, String definition) {
        String name = prefix + "-" + NAMES.incrementAndGet();
        return sfn.createStateMachine(b -> b.name(name).roleArn(ROLE).definition(definition)).stateMachineArn();
    }

    private static String doubler() {
        return create("doubler", """
                {"StartAt":"Double","States":{"Double":{"Type":"Pass",
                  "Parameters":{"doubled.$":"States.MathAdd($.n, $.n)"},"End":true}}}""");
    }

    private static String parentOf(String resource, String childArn, String extra) {
        return create("parent", """
                {"StartAt":"Child","States":{"Child":{"Type":"Task","Resource":"%s",
                  "Parameters":{"StateMachineArn":"%s",
                    "Input":{"n.$":"$.n","AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$":"$$.Execution.Id"}}%s,
                  "End":true}}}""".formatted(resource, childArn, extra));
    }

    private static DescribeExecutionResponse awaitEnd(String executionArn, Duration timeout) {
        return Poll.until(timeout, "execution " + executionArn + " to end", () -> {
            DescribeExecutionResponse d = sfn.describeExecution(b -> b.executionArn(executionArn));
            return d.status() == ExecutionStatus.RUNNING ? null : d;
        });
    }

    private static DescribeExecutionResponse awaitEnd(String executionArn) {
        return awaitEnd(executionArn, Duration.ofSeconds(30));
    }

    private static String start(String machineArn, String input) {
        return sfn.startExecution(b -> b.stateMachineArn(machineArn).input(input)).executionArn();
    }

    private static List<ExecutionListItem> executionsOf(String machineArn) {
        return sfn.listExecutions(b -> b.stateMachineArn(machineArn)).executions();
    }

    private static ExecutionListItem onlyChild(String machineArn) {
        return Poll.until(Duration.ofSeconds(10), "the child execution of " + machineArn, () -> {
            List<ExecutionListItem> all = executionsOf(machineArn);
            return all.size() == 1 ? all.get(0) : null;
        });
    }

    private static List<HistoryEventType> history(String executionArn) {
        return sfn.getExecutionHistory(b -> b.executionArn(executionArn)).events().stream().map(HistoryEvent::type)
                .toList();
    }

    private static JsonNode parse(String json) throws Exception {
        return JSON.readTree(json);
    }

    @Test
    void sync2_waitsForTheChild_andReturnsItsDescriptionWithParsedOutput() throws Exception {
        String child = doubler();
        String parent = parentOf("arn:aws:states:::states:startExecution.sync:2", child, "");

        String execution = start(parent, "{\"n\":21}");
        DescribeExecutionResponse done = awaitEnd(execution);

        assertThat(done.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        JsonNode out = parse(done.output());
        assertThat(out.get("Output").isObject()).as("sync:2 parses the child's output").isTrue();
        assertThat(out.get("Output").get("doubled").asInt()).isEqualTo(42);
        assertThat(out.get("Input").isObject()).isTrue();
        assertThat(out.get("Status").asText()).isEqualTo("SUCCEEDED");
        assertThat(out.get("StateMachineArn").asText()).isEqualTo(child);
        assertThat(out.get("StartDate").isNumber()).as("dates in epoch milliseconds").isTrue();
        assertThat(out.get("StopDate").asLong()).isGreaterThanOrEqualTo(out.get("StartDate").asLong());
        assertThat(out.get("OutputDetails").get("Included").asBoolean()).isTrue();

        ExecutionListItem c = onlyChild(child);
        assertThat(out.get("ExecutionArn").asText()).isEqualTo(c.executionArn());
        assertThat(parse(sfn.describeExecution(b -> b.executionArn(c.executionArn())).input())
                .get("AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID").asText())
                .as("the child names the parent that started it").isEqualTo(execution);
        assertThat(history(execution)).containsSubsequence(HistoryEventType.TASK_SCHEDULED,
                HistoryEventType.TASK_STARTED, HistoryEventType.TASK_SUBMITTED, HistoryEventType.TASK_SUCCEEDED);
    }

    @Test
    void sync_returnsTheChildsOutputAsAJsonString() throws Exception {
        String child = doubler();
        String parent = parentOf("arn:aws:states:::states:startExecution.sync", child, "");

        DescribeExecutionResponse done = awaitEnd(start(parent, "{\"n\":5}"));

        assertThat(done.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        JsonNode out = parse(done.output());
        assertThat(out.get("Output").isTextual()).as(".sync keeps DescribeExecution's string").isTrue();
        assertThat(parse(out.get("Output").asText()).get("doubled").asInt()).isEqualTo(10);
        assertThat(out.get("Input").isTextual()).isTrue();
    }

    @Test
    void fireAndForget_returnsTheStartResponse_andTheChildRunsOnItsOwn() throws Exception {
        String child = create("slow", """
                {"StartAt":"Wait","States":{"Wait":{"Type":"Wait","Seconds":1,"Next":"Done"},
                  "Done":{"Type":"Pass","Result":"finished","End":true}}}""");
        String parent = parentOf("arn:aws:states:::states:startExecution", child, "");

        DescribeExecutionResponse done = awaitEnd(start(parent, "{\"n\":1}"));

        assertThat(done.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        JsonNode out = parse(done.output());
        assertThat(out.get("ExecutionArn").asText()).contains(":execution:slow-");
        assertThat(out.get("StartDate").isNumber()).isTrue();
        assertThat(out.get("SdkHttpMetadata").get("HttpStatusCode").asInt()).isEqualTo(200);
        assertThat(out.has("Output")).isFalse();
        DescribeExecutionResponse childDone = awaitEnd(out.get("ExecutionArn").asText());
        assertThat(childDone.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(childDone.output()).isEqualTo("\"finished\"");
    }

    @Test
    void childFailure_isStatesTaskFailed_withTheChildsDescriptionAsCause_andCatchSeesIt() throws Exception {
        String child = create("broken", """
                {"StartAt":"Break","States":{"Break":{"Type":"Fail","Error":"Child.Broken","Cause":"gears"}}}""");
        String parent = create("catching", """
                {"StartAt":"Child","States":{
                  "Child":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution.sync:2",
                    "Parameters":{"StateMachineArn":"%s","Input":{"n.$":"$.n"}},
                    "Catch":[{"ErrorEquals":["States.TaskFailed"],"ResultPath":"$.err","Next":"Handled"}],"End":true},
                  "Handled":{"Type":"Pass","End":true}}}""".formatted(child));
        String uncaught = parentOf("arn:aws:states:::states:startExecution.sync", child, "");

        DescribeExecutionResponse caught = awaitEnd(start(parent, "{\"n\":1}"));
        DescribeExecutionResponse failed = awaitEnd(start(uncaught, "{\"n\":1}"));

        assertThat(caught.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        JsonNode err = parse(caught.output()).get("err");
        assertThat(err.get("Error").asText()).isEqualTo("States.TaskFailed");
        JsonNode cause = parse(err.get("Cause").asText());
        assertThat(cause.get("Status").asText()).isEqualTo("FAILED");
        assertThat(cause.get("Error").asText()).isEqualTo("Child.Broken");
        assertThat(cause.get("Cause").asText()).isEqualTo("gears");
        assertThat(cause.get("Input").isObject()).as("sync:2 parses the input in the cause too").isTrue();

        assertThat(failed.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(failed.error()).isEqualTo("States.TaskFailed");
        assertThat(parse(failed.cause()).get("Error").asText()).isEqualTo("Child.Broken");
    }

    @Test
    void stoppingTheParent_abortsTheRunningChild() {
        String child = create("sleeper", """
                {"StartAt":"Sleep","States":{"Sleep":{"Type":"Wait","Seconds":300,"End":true}}}""");
        String parent = parentOf("arn:aws:states:::states:startExecution.sync:2", child, "");
        String execution = start(parent, "{\"n\":1}");
        ExecutionListItem c = onlyChild(child);
        assertThat(c.status()).isEqualTo(ExecutionStatus.RUNNING);

        sfn.stopExecution(b -> b.executionArn(execution).error("Operator").cause("enough"));

        assertThat(awaitEnd(execution).status()).isEqualTo(ExecutionStatus.ABORTED);
        DescribeExecutionResponse stopped = awaitEnd(c.executionArn(), Duration.ofSeconds(10));
        assertThat(stopped.status()).isEqualTo(ExecutionStatus.ABORTED);
        assertThat(stopped.cause()).contains(execution);
    }

    @Test
    void aTaskTimeout_abortsTheChild_andFailsTheParentWithStatesTimeout() {
        String child = create("sleeper", """
                {"StartAt":"Sleep","States":{"Sleep":{"Type":"Wait","Seconds":300,"End":true}}}""");
        String parent = parentOf("arn:aws:states:::states:startExecution.sync", child, ",\"TimeoutSeconds\":1");

        DescribeExecutionResponse done = awaitEnd(start(parent, "{\"n\":1}"));

        assertThat(done.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(done.error()).isEqualTo("States.Timeout");
        ExecutionListItem c = onlyChild(child);
        assertThat(awaitEnd(c.executionArn(), Duration.ofSeconds(10)).status()).isEqualTo(ExecutionStatus.ABORTED);
    }

    @Test
    void waitForTaskToken_startsTheChild_andWaitsForTheTokenItIsGiven() throws Exception {
        String child = create("approver", """
                {"StartAt":"Sleep","States":{"Sleep":{"Type":"Wait","Seconds":300,"End":true}}}""");
        String parent = create("asking", """
                {"StartAt":"Ask","States":{"Ask":{"Type":"Task",
                  "Resource":"arn:aws:states:::states:startExecution.waitForTaskToken",
                  "Parameters":{"StateMachineArn":"%s","Input":{"token.$":"$$.Task.Token"}},"End":true}}}"""
                .formatted(child));
        String execution = start(parent, "{}");
        ExecutionListItem c = onlyChild(child);
        Poll.until(Duration.ofSeconds(10), "TaskSubmitted", () ->
                history(execution).contains(HistoryEventType.TASK_SUBMITTED));
        String token = parse(sfn.describeExecution(b -> b.executionArn(c.executionArn())).input()).get("token")
                .asText();

        sfn.sendTaskSuccess(b -> b.taskToken(token).output("{\"approved\":true}"));

        DescribeExecutionResponse done = awaitEnd(execution);
        assertThat(done.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(done.output()).isEqualTo("{\"approved\":true}");
        assertThat(sfn.describeExecution(b -> b.executionArn(c.executionArn())).status())
                .as("a callback child is not stopped when its parent goes on").isEqualTo(ExecutionStatus.RUNNING);
        sfn.stopExecution(b -> b.executionArn(c.executionArn()));
    }

    @Test
    void retry_startsANewChildPerAttempt_unlessTheNameIsFixed() {
        String child = create("broken", """
                {"StartAt":"Break","States":{"Break":{"Type":"Fail","Error":"Child.Broken"}}}""");
        String retry = ",\"Retry\":[{\"ErrorEquals\":[\"States.TaskFailed\"],\"IntervalSeconds\":1,\"MaxAttempts\":1}]";
        String unnamed = parentOf("arn:aws:states:::states:startExecution.sync", child, retry);
        String named = create("named", """
                {"StartAt":"Child","States":{"Child":{"Type":"Task",
                  "Resource":"arn:aws:states:::states:startExecution.sync",
                  "Parameters":{"StateMachineArn":"%s","Name":"fixed-name","Input":{}}%s,"End":true}}}"""
                .formatted(child, retry));

        DescribeExecutionResponse first = awaitEnd(start(unnamed, "{\"n\":1}"));
        assertThat(first.error()).isEqualTo("States.TaskFailed");
        assertThat(executionsOf(child)).as("one child per attempt").hasSize(2);

        DescribeExecutionResponse second = awaitEnd(start(named, "{}"));
        assertThat(second.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(second.error()).as("the retry reuses the closed child's name")
                .isEqualTo("StepFunctions.ExecutionAlreadyExistsException");
        assertThat(second.cause()).contains("Execution Already Exists", "Error Code: ExecutionAlreadyExists");
        assertThat(executionsOf(child)).hasSize(3);
    }

    @Test
    void aVersionArn_runsThatVersion_andTheResultNamesIt() throws Exception {
        String name = "versioned-" + NAMES.incrementAndGet();
        String v1 = sfn.createStateMachine(b -> b.name(name).roleArn(ROLE).publish(true).definition("""
                {"StartAt":"P","States":{"P":{"Type":"Pass","Result":"v1","End":true}}}""")).stateMachineVersionArn();
        String machine = v1.substring(0, v1.lastIndexOf(':'));
        sfn.updateStateMachine(b -> b.stateMachineArn(machine).definition("""
                {"StartAt":"P","States":{"P":{"Type":"Pass","Result":"latest","End":true}}}"""));
        String parent = parentOf("arn:aws:states:::states:startExecution.sync:2", v1, "");

        JsonNode out = parse(awaitEnd(start(parent, "{\"n\":1}")).output());

        assertThat(out.get("Output").asText()).isEqualTo("v1");
        assertThat(out.get("StateMachineArn").asText()).isEqualTo(machine);
        assertThat(out.get("StateMachineVersionArn").asText()).isEqualTo(v1);
    }

    @Test
    void twoParentsStartingTheSameNamedChildWithTheSameInput_shareOneChild() throws Exception {
        String child = create("shared", """
                {"StartAt":"Wait","States":{"Wait":{"Type":"Wait","Seconds":1,"Next":"Done"},
                  "Done":{"Type":"Pass","Result":"once","End":true}}}""");
        String parent = create("sharing", """
                {"StartAt":"Child","States":{"Child":{"Type":"Task",
                  "Resource":"arn:aws:states:::states:startExecution.sync:2",
                  "Parameters":{"StateMachineArn":"%s","Name":"the-one","Input":{"same":true}},"End":true}}}"""
                .formatted(child));

        String a = start(parent, "{}");
        String b = start(parent, "{}");
        JsonNode outA = parse(awaitEnd(a).output());
        JsonNode outB = parse(awaitEnd(b).output());

        assertThat(outA.get("Output").asText()).isEqualTo("once");
        assertThat(outB.get("ExecutionArn").asText()).isEqualTo(outA.get("ExecutionArn").asText());
        assertThat(outB.get("Output").asText()).isEqualTo("once");
        assertThat(executionsOf(child)).as("StartExecution with the same name and input returns the running one")
                .hasSize(1);
    }

    @Test
    void aFailingParallelBranch_abortsTheChildOfItsSiblingBranch() {
        String child = create("sleeper", """
                {"StartAt":"Sleep","States":{"Sleep":{"Type":"Wait","Seconds":300,"End":true}}}""");
        String parent = create("branches", """
                {"StartAt":"Both","States":{"Both":{"Type":"Parallel","End":true,"Branches":[
                  {"StartAt":"Child","States":{"Child":{"Type":"Task",
                    "Resource":"arn:aws:states:::states:startExecution.sync",
                    "Parameters":{"StateMachineArn":"%s"},"End":true}}},
                  {"StartAt":"Pause","States":{"Pause":{"Type":"Wait","Seconds":1,"Next":"Fail"},
                    "Fail":{"Type":"Fail","Error":"Sibling.Failed"}}}]}}}""".formatted(child));

        DescribeExecutionResponse done = awaitEnd(start(parent, "{}"));

        assertThat(done.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(done.error()).isEqualTo("Sibling.Failed");
        ExecutionListItem c = onlyChild(child);
        assertThat(awaitEnd(c.executionArn(), Duration.ofSeconds(10)).status()).isEqualTo(ExecutionStatus.ABORTED);
    }

    @Test
    void fiftyParents_eachWithAChild_allCompleteInParallel() throws Exception {
        String child = doubler();
        String parent = parentOf("arn:aws:states:::states:startExecution.sync:2", child, "");
        long t0 = System.nanoTime();
        List<String> executions = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            executions.add(start(parent, "{\"n\":" + i + "}"));
        }
        List<DescribeExecutionResponse> done = new ArrayList<>();
        for (String e : executions) {
            done.add(awaitEnd(e));
        }
        long millis = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("nested_fifty_parents millis=" + millis);

        for (int i = 0; i < 50; i++) {
            assertThat(done.get(i).status()).isEqualTo(ExecutionStatus.SUCCEEDED);
            assertThat(parse(done.get(i).output()).get("Output").get("doubled").asInt()).isEqualTo(2 * i);
        }
        assertThat(executionsOf(child)).hasSize(50);
    }
}
