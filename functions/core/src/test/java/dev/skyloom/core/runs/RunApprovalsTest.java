package dev.skyloom.core.runs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.skyloom.core.api.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the approvals API reads from an agent-step history, and how a tool's input is shown to the person deciding. */
class RunApprovalsTest {
    private static final String ARN = "arn:aws:states:us-east-1:000000000000:execution:skyloom-agent-step:run-1";
    private final List<PipelineEngine.HistoryEvent> history = new ArrayList<>();
    private long at = 1_000;

    private void event(String type, String state, String parameters) {
        history.add(new PipelineEngine.HistoryEvent(history.size() + 1, type, Instant.ofEpochMilli(at += 100), state,
                parameters, Map.of()));
    }

    private static String request(String tenant, String run, String callKey, String token) {
        return "{\"Entries\":[{\"DetailType\":\"TOOL_APPROVAL_REQUIRED\",\"Detail\":{\"tenantId\":\"" + tenant
                + "\",\"runId\":\"" + run + "\",\"stepId\":\"write\",\"agentId\":\"agt_1\",\"taskToken\":\"" + token
                + "\",\"pending\":{\"callKey\":\"" + callKey + "\",\"tool\":\"delete_file\",\"input\":{\"path\":"
                + "\"draft.txt\"}}}}]}";
    }

    private void awaitApproval(String callKey, String token) {
        event("TaskStateEntered", "AwaitApproval", null);
        event("TaskScheduled", null, request("acme", "run-1", callKey, token));
        event("TaskStarted", null, null);
        event("TaskSubmitted", null, null);
    }

    @Test
    void aRequestWaits_untilItsTaskSucceeds_andTheNextOneHasItsOwnIdAndToken() {
        event("ExecutionStarted", null, null);
        awaitApproval("0123456789abcdef/2/0", "tok-1");

        List<RunApprovals.ToolApproval> waiting = RunApprovals.toolApprovals(history, ARN, "acme", "run-1");
        assertThat(waiting).singleElement().satisfies(a -> {
            assertThat(a.id()).isEqualTo("0123456789abcdef.2.0");
            assertThat(a.state()).isEqualTo("WAITING");
            assertThat(a.token()).isEqualTo("tok-1");
            assertThat(a.tool()).isEqualTo("delete_file");
            assertThat(a.input().path("path").asText()).isEqualTo("draft.txt");
            assertThat(a.expiresAt()).isEqualTo(a.requestedAt().plusSeconds(86_400));
        });

        event("TaskSucceeded", null, null);
        event("TaskStateExited", "AwaitApproval", null);
        awaitApproval("0123456789abcdef/3/1", "tok-2");
        List<RunApprovals.ToolApproval> later = RunApprovals.toolApprovals(history, ARN, "acme", "run-1");
        assertThat(later).extracting(RunApprovals.ToolApproval::id, RunApprovals.ToolApproval::state,
                RunApprovals.ToolApproval::token).containsExactly(
                org.assertj.core.groups.Tuple.tuple("0123456789abcdef.2.0", "DECIDED", "tok-1"),
                org.assertj.core.groups.Tuple.tuple("0123456789abcdef.3.1", "WAITING", "tok-2"));
    }

    @Test
    void aTimeoutExpires_anEndedExecutionEnds_andAnotherTenantsOrRunsRequestIsNotThisRuns() {
        awaitApproval("0123456789abcdef/1/0", "tok-1");
        event("TaskTimedOut", null, null);
        awaitApproval("0123456789abcdef/2/0", "tok-2");
        event("ExecutionAborted", null, null);
        assertThat(RunApprovals.toolApprovals(history, ARN, "acme", "run-1"))
                .extracting(RunApprovals.ToolApproval::state).containsExactly("EXPIRED", "ENDED");

        history.clear();
        event("TaskScheduled", null, request("other", "run-1", "0123456789abcdef/1/0", "tok-x"));
        event("TaskScheduled", null, request("acme", "run-2", "0123456789abcdef/1/0", "tok-y"));
        event("TaskScheduled", null, request("acme", "run-1", "../../etc", "tok-z"));
        assertThat(RunApprovals.toolApprovals(history, ARN, "acme", "run-1")).isEmpty();
    }

    @Test
    void aToolsInput_isShownWithItsSecretsRedacted_andEverythingElseAsItIs() throws Exception {
        JsonNode input = Json.MAPPER.readTree("""
                {"url": "https://bob:hunter2@api.example.com/v1/items?page=2&api_key=abc123&access_token=xyz",
                 "method": "POST",
                 "headers": {"Authorization": "Bearer eyJhbGciOi.payload.sig", "X-Api-Key": "k-123",
                             "Content-Type": "application/json", "Cookie": "sid=1"},
                 "body": "{\\"note\\": \\"use sky_0123456789abcdef please\\", \\"aws\\": \\"AKIAABCDEFGHIJKLMNOP\\"}",
                 "options": [{"password": "p4ss", "retries": 3}],
                 "maxTokens": 100, "path": "draft.txt"}""");

        JsonNode shown = RunApprovals.redacted(input);

        String text = shown.toString();
        assertThat(text).doesNotContain("hunter2", "abc123", "xyz", "eyJhbGciOi", "k-123", "sid=1",
                "sky_0123456789abcdef", "AKIAABCDEFGHIJKLMNOP", "p4ss");
        assertThat(shown.path("url").asText()).isEqualTo(
                "https://<redacted>@api.example.com/v1/items?page=2&api_key=<redacted>&access_token=<redacted>");
        assertThat(shown.path("headers").path("Authorization").asText()).isEqualTo("<redacted>");
        assertThat(shown.path("headers").path("Content-Type").asText()).isEqualTo("application/json");
        assertThat(shown.path("options").get(0).path("retries").asInt()).isEqualTo(3);
        assertThat(shown.path("maxTokens").asInt()).as("a number is no secret").isEqualTo(100);
        assertThat(shown.path("method").asText()).isEqualTo("POST");
        assertThat(shown.path("path").asText()).isEqualTo("draft.txt");
        assertThat(input.toString()).as("the input itself is left alone").contains("hunter2");
    }
}
