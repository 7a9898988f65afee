package dev.skyloom.local.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionListItem;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.HistoryEventType;

/**
 * A parent waiting on a child execution ({@code startExecution.sync:2}) survives a {@code kill -9} of the local
 * cloud: after the restart the child finishes its Wait, the parent gets the child's result, and no second child is
 * started; a parent stopped after the restart still stops the child it waits on.
 */
class NestedExecutionsCrashIT {
    private static final String ROLE = "arn:aws:iam::000000000000:role/sfn";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dataDir;

    private static String parentDefinition(String childArn) {
        return """
                {"StartAt":"Child","States":{"Child":{"Type":"Task",
                  "Resource":"arn:aws:states:::states:startExecution.sync:2",
                  "Parameters":{"StateMachineArn":"%s",
                    "Input":{"n.$":"$.n","AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$":"$$.Execution.Id"}},
                  "End":true}}}""".formatted(childArn);
    }

    private static ExecutionListItem onlyChild(SfnClient sfn, String machineArn) {
        return Poll.until(Duration.ofSeconds(15), "the child of " + machineArn + " to be running", () -> {
            List<ExecutionListItem> all = sfn.listExecutions(b -> b.stateMachineArn(machineArn)).executions();
            return all.size() == 1 && all.get(0).status() == ExecutionStatus.RUNNING ? all.get(0) : null;
        });
    }

    private static DescribeExecutionResponse awaitEnd(SfnClient sfn, String executionArn) {
        return Poll.until(Duration.ofSeconds(30), "execution " + executionArn + " to end", () -> {
            DescribeExecutionResponse d = sfn.describeExecution(b -> b.executionArn(executionArn));
            return d.status() == ExecutionStatus.RUNNING ? null : d;
        });
    }

    @Test
    void killDashNine_whileAParentWaitsOnARunningChild_bothCompleteAfterRestart() throws Exception {
        String childMachine;
        String waitingMachine;
        String completing;
        String stopping;
        String childOfCompleting;
        String childOfStopping;
        try (CloudProcess first = CloudProcess.start(dataDir); SfnClient sfn = TestClients.sfn(first.edge())) {
            childMachine = sfn.createStateMachine(b -> b.name("slow-doubler").roleArn(ROLE).definition("""
                    {"StartAt":"Wait","States":{
                      "Wait":{"Type":"Wait","Seconds":4,"Next":"Double"},
                      "Double":{"Type":"Pass","Parameters":{"doubled.$":"States.MathAdd($.n, $.n)"},"End":true}}}"""))
                    .stateMachineArn();
            String sleeperMachine = sfn.createStateMachine(b -> b.name("sleeper").roleArn(ROLE).definition("""
                    {"StartAt":"Sleep","States":{"Sleep":{"Type":"Wait","Seconds":300,"End":true}}}"""))
                    .stateMachineArn();
            String parentMachine = sfn.createStateMachine(b -> b.name("parent").roleArn(ROLE)
                    .definition(parentDefinition(childMachine))).stateMachineArn();
            waitingMachine = sfn.createStateMachine(b -> b.name("waiting-parent").roleArn(ROLE)
                    .definition(parentDefinition(sleeperMachine))).stateMachineArn();
            completing = sfn.startExecution(b -> b.stateMachineArn(parentMachine).name("p1").input("{\"n\":21}"))
                    .executionArn();
            stopping = sfn.startExecution(b -> b.stateMachineArn(waitingMachine).name("p2").input("{\"n\":1}"))
                    .executionArn();
            childOfCompleting = onlyChild(sfn, childMachine).executionArn();
            childOfStopping = onlyChild(sfn, sleeperMachine).executionArn();
            Poll.until(Duration.ofSeconds(10), "both parents to have submitted their child", () ->
                    sfn.getExecutionHistory(b -> b.executionArn(completing)).events().stream()
                            .anyMatch(e -> e.type() == HistoryEventType.TASK_SUBMITTED)
                    && sfn.getExecutionHistory(b -> b.executionArn(stopping)).events().stream()
                            .anyMatch(e -> e.type() == HistoryEventType.TASK_SUBMITTED));
            first.kill();
        }

        try (CloudProcess second = CloudProcess.start(dataDir); SfnClient sfn = TestClients.sfn(second.edge())) {
            DescribeExecutionResponse parent = awaitEnd(sfn, completing);
            assertThat(parent.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
            JsonNode out = JSON.readTree(parent.output());
            assertThat(out.get("ExecutionArn").asText()).isEqualTo(childOfCompleting);
            assertThat(out.get("Output").get("doubled").asInt()).isEqualTo(42);
            assertThat(sfn.describeExecution(b -> b.executionArn(childOfCompleting)).status())
                    .isEqualTo(ExecutionStatus.SUCCEEDED);
            assertThat(sfn.listExecutions(b -> b.stateMachineArn(childMachine)).executions())
                    .as("the re-invoked task found its child instead of starting another").hasSize(1);

            assertThat(sfn.describeExecution(b -> b.executionArn(stopping)).status())
                    .isEqualTo(ExecutionStatus.RUNNING);
            sfn.stopExecution(b -> b.executionArn(stopping));
            assertThat(awaitEnd(sfn, childOfStopping).status()).isEqualTo(ExecutionStatus.ABORTED);
            assertThat(sfn.listExecutions(b -> b.stateMachineArn(waitingMachine)).executions()).hasSize(1);
        }
    }
}
