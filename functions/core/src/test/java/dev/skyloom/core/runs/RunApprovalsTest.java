package dev.skyloom.core.runs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.core.api.ApiError;
import dev.skyloom.core.api.Json;
import dev.skyloom.core.events.EventStore;
import dev.skyloom.core.events.EventStream;
import dev.skyloom.core.events.IncomingEvent;
import dev.skyloom.core.events.StoredEvent;
import dev.skyloom.core.identity.Principal;
import dev.skyloom.core.identity.TenantId;
import dev.skyloom.core.resources.Documents;
import dev.skyloom.core.resources.InMemoryDocumentStore;
import dev.skyloom.core.resources.Project;
import dev.skyloom.core.resources.ProjectService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What the approvals API reads from an agent-step history, how a tool's input is shown to the person deciding, and
 * the service's answers (engine and events behind their ports; runs and projects in the in-memory document store).
 */
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

    // ------------------------------------------------------------------------------------------ the service

    private static final TenantId ACME = new TenantId("acme");
    private static final Principal ADMIN = new Principal(ACME, "key_admin", "admin", Set.of("*"), false);
    private final InMemoryDocumentStore documents = new InMemoryDocumentStore();
    private Instant now = Instant.ofEpochMilli(1_000_000);
    private final Clock clock = new Clock() {
        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };
    private final Map<String, List<PipelineEngine.HistoryEvent>> histories = new HashMap<>();
    private final Map<String, String> inputs = new HashMap<>();
    private final List<String> sent = new ArrayList<>();
    private final List<ObjectNode> emitted = new ArrayList<>();
    private final List<StoredEvent> stored = new ArrayList<>();

    private final PipelineEngine engine = new PipelineEngine() {
        @Override
        public String deploy(String name, String definition, String versionDescription) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void delete(String name) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String start(String versionArn, String executionName, String input) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<Execution> describe(String arn) {
            return Optional.of(new Execution(arn, "RUNNING", Instant.EPOCH, null, inputs.getOrDefault(arn, "{}"),
                    null, null, null));
        }

        @Override
        public void stop(String arn, String error, String cause) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<HistoryEvent> history(String arn) {
            return histories.getOrDefault(arn, List.of());
        }

        @Override
        public boolean sendTaskSuccess(String token, String output) {
            sent.add(token + " " + output);
            return true;
        }
    };

    private final EventStore events = new EventStore() {
        @Override
        public Appended append(IncomingEvent event) {
            stored.add(new StoredEvent(stored.size() + 1, event.eventId(), event.type(), event.source(), event.time(),
                    event.stepId(), event.detail()));
            return new Appended(stored.size(), false);
        }

        @Override
        public boolean exists(EventStream stream) {
            return stored.stream().anyMatch(e -> e.data().path("runId").asText().equals(stream.id())
                    && e.data().path("tenantId").asText().equals(stream.tenant().value()));
        }

        @Override
        public List<StoredEvent> read(EventStream stream, long after, int limit) {
            return stored.stream().filter(e -> e.seq() > after)
                    .filter(e -> e.data().path("runId").asText().equals(stream.id())
                            && e.data().path("tenantId").asText().equals(stream.tenant().value()))
                    .limit(limit).toList();
        }
    };

    private final ProjectService projects = new ProjectService(documents, clock);
    private final RunApprovals approvals = new RunApprovals(new RunService(documents, clock, null, null, engine, null,
            (type, id, detail) -> emitted.add(detail.deepCopy().put("type", type))), events, engine, projects, clock,
            (type, id, detail) -> emitted.add(detail.deepCopy().put("type", type)));

    /** A standalone agent-step execution of run-1 waiting on a tool approval, announced by its event. */
    private String waitingAgentStep(String projectId) {
        String arn = ARN;
        history.clear();
        event("ExecutionStarted", null, null);
        awaitApproval("0123456789abcdef/2/0", "tok-secret-1");
        histories.put(arn, List.copyOf(history));
        inputs.put(arn, projectId == null ? "{}" : "{\"projectId\": \"" + projectId + "\"}");
        events.append(new IncomingEvent(EventStream.run(ACME, "run-1"), "e1", "TOOL_APPROVAL_REQUIRED",
                "skyloom.agent", now, "write", (ObjectNode) Json.MAPPER.createObjectNode().put("tenantId", "acme")
                .put("runId", "run-1").put("stepId", "write").put("executionId", arn)));
        return arn;
    }

    @Test
    void aWaitingToolCall_isListedWithoutItsToken_andDecided_withWhatAwaitApprovalExpects() throws Exception {
        waitingAgentStep(null);

        JsonNode listed = approvals.pending(ADMIN, "run-1").path("items");
        assertThat(listed.toString()).doesNotContain("tok-secret-1").doesNotContain("taskToken");
        assertThat(listed).singleElement().satisfies(a -> {
            assertThat(a.path("id").asText()).isEqualTo("0123456789abcdef.2.0");
            assertThat(a.path("decide").asText()).isEqualTo("/api/v1/runs/run-1/tool-approvals/0123456789abcdef.2.0");
        });

        ObjectNode decided = approvals.decideTool(ADMIN, "run-1", "0123456789abcdef.2.0",
                new RunApprovals.ToolDecision("reject", "not now"));

        assertThat(decided.path("status").asText()).isEqualTo("REJECTED");
        assertThat(decided.path("decidedBy").asText()).isEqualTo("admin");
        assertThat(decided.toString()).doesNotContain("tok-secret-1");
        assertThat(sent).singleElement().satisfies(call -> {
            assertThat(call).startsWith("tok-secret-1 ");
            JsonNode output = Json.MAPPER.readTree(call.substring("tok-secret-1 ".length()));
            assertThat(output.path("callKey").asText()).isEqualTo("0123456789abcdef/2/0");
            assertThat(output.path("decision").asText()).isEqualTo("reject");
            assertThat(output.path("comment").asText()).isEqualTo("not now");
            assertThat(output.path("by").asText()).isEqualTo("admin");
        });
        assertThat(emitted).singleElement().satisfies(e -> {
            assertThat(e.path("type").asText()).isEqualTo("APPROVAL_DECIDED");
            assertThat(e.path("kind").asText()).isEqualTo("tool");
            assertThat(e.path("by").asText()).isEqualTo("admin");
            assertThat(e.toString()).doesNotContain("tok-secret-1");
        });

        // the history moves on: the approval is decided, a second decision is a 409 and sends nothing
        event("TaskSucceeded", null, null);
        histories.put(ARN, List.copyOf(history));
        assertThat(approvals.pending(ADMIN, "run-1").path("items")).isEmpty();
        assertThatThrownBy(() -> approvals.decideTool(ADMIN, "run-1", "0123456789abcdef.2.0",
                new RunApprovals.ToolDecision("approve", null)))
                .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.status()).isEqualTo(409))
                .hasMessageContaining("decided already");
        assertThat(sent).hasSize(1);
    }

    @Test
    void unknownRunsAndIds_areA404_aBadBodyA400_andAnExpiredApprovalA409() {
        waitingAgentStep(null);
        Principal other = new Principal(new TenantId("other"), "key_o", "o", Set.of("*"), false);

        assertThatThrownBy(() -> approvals.pending(other, "run-1"))
                .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.status()).isEqualTo(404));
        assertThatThrownBy(() -> approvals.decideTool(other, "run-1", "0123456789abcdef.2.0",
                new RunApprovals.ToolDecision("approve", null)))
                .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.status()).isEqualTo(404));
        assertThatThrownBy(() -> approvals.decideTool(ADMIN, "run-1", "0123456789abcdef.9.0",
                new RunApprovals.ToolDecision("approve", null)))
                .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.status()).isEqualTo(404));
        assertThatThrownBy(() -> approvals.decideTool(ADMIN, "run-1", "ship",
                new RunApprovals.ToolDecision("approve", null)))
                .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.status()).isEqualTo(404));
        assertThatThrownBy(() -> approvals.decideTool(ADMIN, "run-1", "0123456789abcdef.2.0",
                new RunApprovals.ToolDecision("yes", null)))
                .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.status()).isEqualTo(400))
                .hasMessageContaining("decision");

        now = now.plus(Duration.ofHours(25));
        assertThat(approvals.pending(ADMIN, "run-1").path("items")).as("an expired approval is not listed").isEmpty();
        assertThatThrownBy(() -> approvals.decideTool(ADMIN, "run-1", "0123456789abcdef.2.0",
                new RunApprovals.ToolDecision("approve", null)))
                .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.status()).isEqualTo(409))
                .hasMessageContaining("expired");
        assertThat(sent).isEmpty();
    }

    @Test
    void aViewerOfTheStepsProject_readsTheApprovals_butCannotDecide_andAnEditorCan() {
        Principal owner = new Principal(ACME, "user:usr_owner", "usr_owner", Set.of("*:read", "projects:*"), false);
        Principal viewer = new Principal(ACME, "user:usr_vic", "usr_vic", Set.of("runs:read", "runs:approve"), false);
        Principal editor = new Principal(ACME, "user:usr_ed", "usr_ed", Set.of("runs:read", "runs:approve"), false);
        Principal stranger = new Principal(ACME, "user:usr_st", "usr_st", Set.of("runs:read", "runs:approve"), false);
        String projectId = projects.create(owner, new Project.Input("Website", null, null)).id();
        projects.putMember(owner, projectId, "usr_vic", new Project.MemberInput("viewer"), OptionalLong.empty());
        projects.putMember(owner, projectId, "usr_ed", new Project.MemberInput("editor"), OptionalLong.empty());
        waitingAgentStep(projectId);

        assertThat(approvals.pending(viewer, "run-1").path("items")).hasSize(1);
        assertThatThrownBy(() -> approvals.decideTool(viewer, "run-1", "0123456789abcdef.2.0",
                new RunApprovals.ToolDecision("approve", null)))
                .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.status()).isEqualTo(403))
                .hasMessageContaining("viewer");
        assertThatThrownBy(() -> approvals.pending(stranger, "run-1"))
                .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.status()).isEqualTo(404));
        assertThat(sent).isEmpty();

        assertThat(approvals.decideTool(editor, "run-1", "0123456789abcdef.2.0",
                new RunApprovals.ToolDecision("approve", "fine")).path("status").asText()).isEqualTo("APPROVED");
        assertThat(sent).hasSize(1);
    }

    @Test
    void aPipelineRun_listsItsWaitingApprovalStep_andItsAgentStepsToolCall_andTheProjectIsTheRuns() {
        Principal owner = new Principal(ACME, "user:usr_owner", "usr_owner", Set.of("*:read", "projects:*"), false);
        Principal viewer = new Principal(ACME, "user:usr_vic", "usr_vic", Set.of("runs:read", "runs:approve"), false);
        String projectId = projects.create(owner, new Project.Input("Website", null, null)).id();
        projects.putMember(owner, projectId, "usr_vic", new Project.MemberInput("viewer"), OptionalLong.empty());
        String pipelineArn = "arn:aws:states:us-east-1:000000000000:execution:skyloom-pipeline-acme-p:run-1";
        new Documents<>(documents, clock, "Run", Run.class).create(ACME, RunService.COLLECTION, "run-1",
                new Run("p", 1, projectId, Json.MAPPER.createObjectNode(), null, null, "RUNNING",
                        List.of(pipelineArn), "admin", null, null));
        histories.put(pipelineArn, List.of(new PipelineEngine.HistoryEvent(1, "TaskScheduled", now, null,
                "{\"Entries\":[{\"DetailType\":\"APPROVAL_REQUIRED\",\"Detail\":{\"stepId\":\"ship\","
                        + "\"taskToken\":\"tok-step\",\"message\":\"Ship it?\",\"timeoutSeconds\":3600}}]}",
                Map.of())));
        waitingAgentStep(null);

        JsonNode listed = approvals.pending(ADMIN, "run-1").path("items");
        assertThat(listed).extracting(a -> a.path("kind").asText() + ":" + a.path("id").asText())
                .containsExactly("step:ship", "tool:0123456789abcdef.2.0");
        assertThat(listed.get(0).path("message").asText()).isEqualTo("Ship it?");
        assertThat(listed.get(0).path("expiresAt").asText()).isEqualTo(now.plusSeconds(3600).toString());
        assertThat(listed.toString()).doesNotContain("tok-step").doesNotContain("tok-secret-1");
        assertThatThrownBy(() -> approvals.decideTool(viewer, "run-1", "0123456789abcdef.2.0",
                new RunApprovals.ToolDecision("approve", null)))
                .as("the run's project decides, whatever the step's input says")
                .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.status()).isEqualTo(403));
    }
}
