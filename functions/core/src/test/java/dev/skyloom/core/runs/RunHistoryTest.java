package dev.skyloom.core.runs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.core.identity.TenantId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What runs read from an execution's history: step states, the waiting approval's token, the last variables. */
class RunHistoryTest {
    private final List<PipelineEngine.HistoryEvent> history = new ArrayList<>();
    private long at = 1_000;

    private void event(String type, String state, String parameters, Map<String, String> assigned) {
        history.add(new PipelineEngine.HistoryEvent(history.size() + 1, type, Instant.ofEpochMilli(at += 100), state,
                parameters, assigned));
    }

    private static String approval(String step, String token) {
        return "{\"Entries\":[{\"DetailType\":\"APPROVAL_REQUIRED\",\"Detail\":{\"stepId\":\"" + step
                + "\",\"taskToken\":\"" + token + "\"}}]}";
    }

    @Test
    void anApprovalWaits_untilItsStateExits() {
        event("ExecutionStarted", null, null, Map.of());
        event("TaskStateEntered", "ship", null, Map.of());
        event("TaskScheduled", null, approval("ship", "tok-1"), Map.of());
        assertThat(RunService.waitingApprovals(history)).containsExactly(Map.entry("ship", "tok-1"));
        event("TaskSucceeded", null, null, Map.of());
        event("TaskStateExited", "ship", null, Map.of("steps", "{\"ship\":{\"result\":\"APPROVED\"}}"));
        assertThat(RunService.waitingApprovals(history)).isEmpty();
        assertThat(RunService.latestVariables(history).path("steps").path("ship").path("result").asText())
                .isEqualTo("APPROVED");
    }

    @Test
    void aDetailWrittenAsAString_isReadToo_andAnEndedExecutionWaitsForNothing() {
        event("TaskStateEntered", "ship", null, Map.of());
        event("TaskScheduled", null, "{\"Entries\":[{\"DetailType\":\"APPROVAL_REQUIRED\",\"Detail\":"
                + "\"{\\\"stepId\\\":\\\"ship\\\",\\\"taskToken\\\":\\\"t\\\"}\"}]}", Map.of());
        assertThat(RunService.waitingApprovals(history)).containsKey("ship");
        event("ExecutionAborted", null, null, Map.of());
        assertThat(RunService.waitingApprovals(history)).isEmpty();
    }

    @Test
    void aCaughtFailure_marksTheStepFailed_andARetriedTaskThatSucceeds_doesNot() {
        event("TaskStateEntered", "plan", null, Map.of());
        event("TaskScheduled", null, "{}", Map.of());
        event("TaskFailed", null, null, Map.of());
        event("TaskScheduled", null, "{}", Map.of());
        event("TaskSucceeded", null, null, Map.of());
        event("TaskStateExited", "plan", null, Map.of());
        event("TaskStateEntered", "build", null, Map.of());
        event("TaskScheduled", null, "{}", Map.of());
        event("TaskFailed", null, null, Map.of());
        event("TaskStateExited", "build", null, Map.of("failure", "{\"stepId\":\"build\"}"));
        event("TaskStateEntered", "RunFailed", null, Map.of());
        Map<String, ObjectNode> steps = new LinkedHashMap<>();
        RunService.steps(history, steps, "FAILED");
        assertThat(steps.get("plan").path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(steps.get("plan").path("durationMs").asLong()).isEqualTo(500);
        assertThat(steps.get("build").path("status").asText()).isEqualTo("FAILED");
        assertThat(steps).doesNotContainKey("RunFailed");
    }

    @Test
    void stateMachineNames_fitStepFunctions() {
        assertThat(PipelineDeployments.stateMachineName(new TenantId("acme"), "engineering"))
                .isEqualTo("skyloom-pipeline-acme-engineering");
        String longName = PipelineDeployments.stateMachineName(new TenantId("a".repeat(40)), "p".repeat(64));
        assertThat(longName).hasSize(79).startsWith("skyloom-pipeline-aaaa").matches("[a-z0-9-]+");
        assertThat(PipelineDeployments.stateMachineName(new TenantId("a".repeat(40)), "p".repeat(63) + "q"))
                .isNotEqualTo(longName);
    }
}
