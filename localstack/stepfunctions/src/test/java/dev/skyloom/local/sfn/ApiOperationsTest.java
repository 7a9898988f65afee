package dev.skyloom.local.sfn;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.local.sfn.expr.Json;
import dev.skyloom.local.sfn.support.Sfn;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ApiOperationsTest {
    private static final String PASS = "{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Pass\",\"End\":true}}}";
    private static final String WAIT = "{\"StartAt\":\"W\",\"States\":{\"W\":{\"Type\":\"Wait\",\"Seconds\":600,\"End\":true}}}";
    private Sfn sfn;

    @BeforeEach
    void start() {
        sfn = Sfn.inMemory();
    }

    @AfterEach
    void stop() {
        sfn.close();
    }

    private String error(String action, JsonNode req) {
        SfnResponse r = sfn.raw(action, req);
        assertThat(r.status()).as(r.bodyText()).isEqualTo(400);
        String type = Json.parse(r.body()).get("__type").asText();
        return type.substring(type.indexOf('#') + 1);
    }

    @Test
    void startExecution_withSameNameAndInputWhileRunning_shouldReturnTheSameExecution() {
        String sm = sfn.createMachine("idem", WAIT);
        ObjectNode req = Json.object().put("stateMachineArn", sm).put("name", "once").put("input", "{\"a\":1}");
        String first = sfn.call("StartExecution", req).get("executionArn").asText();
        assertThat(sfn.call("StartExecution", req).get("executionArn").asText()).isEqualTo(first);
        assertThat(error("StartExecution", req.deepCopy().put("input", "{\"a\":2}"))).isEqualTo("ExecutionAlreadyExists");
        sfn.call("StopExecution", Json.object().put("executionArn", first));
        assertThat(sfn.describe(first).get("status").asText()).isEqualTo("ABORTED");
        assertThat(error("StartExecution", req)).as("a closed execution's name cannot be reused")
                .isEqualTo("ExecutionAlreadyExists");
    }

    @Test
    void createStateMachine_shouldBeIdempotentOnlyForTheSameDefinition() {
        String arn = sfn.createMachine("same", PASS);
        assertThat(sfn.createMachine("same", PASS)).isEqualTo(arn);
        assertThat(error("CreateStateMachine", Json.object().put("name", "same").put("definition", WAIT)
                .put("roleArn", "arn:aws:iam::000000000000:role/r"))).isEqualTo("StateMachineAlreadyExists");
        assertThat(error("CreateStateMachine", Json.object().put("name", "bad name").put("definition", PASS)
                .put("roleArn", "arn:aws:iam::000000000000:role/r"))).isEqualTo("InvalidName");
        assertThat(error("CreateStateMachine", Json.object().put("name", "x").put("definition", "{}")
                .put("roleArn", "arn:aws:iam::000000000000:role/r"))).isEqualTo("InvalidDefinition");
    }

    @Test
    void errors_shouldUseTheAwsCodes() {
        String sm = sfn.createMachine("errs", PASS);
        assertThat(error("DescribeExecution", Json.object().put("executionArn", "nope"))).isEqualTo("InvalidArn");
        assertThat(error("DescribeStateMachine", Json.object().put("stateMachineArn",
                "arn:aws:states:us-east-1:000000000000:stateMachine:missing"))).isEqualTo("StateMachineDoesNotExist");
        assertThat(error("StartExecution", Json.object().put("stateMachineArn", sm).put("input", "{not json")))
                .isEqualTo("InvalidExecutionInput");
        assertThat(error("StartExecution", Json.object().put("stateMachineArn", sm).put("name", "a/b")))
                .isEqualTo("InvalidName");
        assertThat(error("SendTaskSuccess", Json.object().put("taskToken", "x").put("output", "{}")))
                .isEqualTo("InvalidToken");
        assertThat(error("ListExecutions", Json.object().put("stateMachineArn", sm).put("nextToken", "%%")))
                .isEqualTo("InvalidToken");
        assertThat(error("ListExecutions", Json.object())).isEqualTo("ValidationException");
        assertThat(error("Frobnicate", Json.object())).isEqualTo("UnknownOperationException");
        SfnResponse bad = sfn.engine.handle("ListStateMachines", "{oops".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(bad.bodyText()).contains("SerializationException");
    }

    @Test
    void versions_shouldPublishOnCreateAndUpdate_andRunTheirOwnDefinition() {
        JsonNode created = sfn.call("CreateStateMachine", Json.object().put("name", "ver").put("definition", PASS)
                .put("roleArn", "arn:aws:iam::000000000000:role/r").put("publish", true));
        String sm = created.get("stateMachineArn").asText();
        String v1 = created.get("stateMachineVersionArn").asText();
        String newDef = "{\"StartAt\":\"B\",\"States\":{\"B\":{\"Type\":\"Pass\",\"Result\":2,\"End\":true}}}";
        JsonNode updated = sfn.call("UpdateStateMachine", Json.object().put("stateMachineArn", sm)
                .put("definition", newDef).put("publish", true).put("versionDescription", "second"));
        assertThat(updated.get("stateMachineVersionArn").asText()).isEqualTo(sm + ":2");
        assertThat(sfn.call("ListStateMachineVersions", Json.object().put("stateMachineArn", sm))
                .get("stateMachineVersions").get(0).get("stateMachineVersionArn").asText()).isEqualTo(sm + ":2");
        assertThat(sfn.call("DescribeStateMachine", Json.object().put("stateMachineArn", v1)).get("definition")
                .asText()).isEqualTo(PASS);
        String ex = sfn.start(v1, "{\"x\":1}");
        JsonNode d = sfn.await(ex, Duration.ofSeconds(5));
        assertThat(d.get("output").asText()).isEqualTo("{\"x\":1}");
        assertThat(d.get("stateMachineVersionArn").asText()).isEqualTo(v1);
        assertThat(sfn.call("DescribeStateMachineForExecution", Json.object().put("executionArn", ex))
                .get("definition").asText()).isEqualTo(PASS);
        JsonNode latest = sfn.await(sfn.start(sm, "{}"), Duration.ofSeconds(5));
        assertThat(latest.get("output").asText()).isEqualTo("2");
    }

    @Test
    void history_shouldSupportReverseOrderPaginationAndDataExclusion() {
        String sm = sfn.createMachine("hist", "{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Pass\",\"Next\":\"B\"},"
                + "\"B\":{\"Type\":\"Pass\",\"End\":true}}}");
        String ex = sfn.start(sm, "{\"secret\":1}");
        sfn.await(ex, Duration.ofSeconds(5));
        JsonNode page1 = sfn.call("GetExecutionHistory", Json.object().put("executionArn", ex).put("maxResults", 2)
                .put("reverseOrder", true).put("includeExecutionData", false));
        assertThat(page1.get("events").get(0).get("type").asText()).isEqualTo("ExecutionSucceeded");
        assertThat(page1.get("events").get(0).get("id").asInt()).isEqualTo(6);
        assertThat(page1.toString()).doesNotContain("secret");
        JsonNode page2 = sfn.call("GetExecutionHistory", Json.object().put("executionArn", ex).put("maxResults", 2)
                .put("reverseOrder", true).put("nextToken", page1.get("nextToken").asText()));
        assertThat(page2.get("events").get(0).get("id").asInt()).isEqualTo(4);
        assertThat(page2.get("events").get(0).get("previousEventId").asInt()).isEqualTo(3);
    }

    @Test
    void tagsAndValidation_shouldRoundTrip() {
        String sm = sfn.createMachine("tags", PASS);
        sfn.call("TagResource", Json.parse("{\"resourceArn\":\"" + sm + "\",\"tags\":[{\"key\":\"team\",\"value\":\"a\"}]}"));
        assertThat(sfn.call("ListTagsForResource", Json.object().put("resourceArn", sm)).get("tags").toString())
                .isEqualTo("[{\"key\":\"team\",\"value\":\"a\"}]");
        sfn.call("UntagResource", Json.parse("{\"resourceArn\":\"" + sm + "\",\"tagKeys\":[\"team\"]}"));
        assertThat(sfn.call("ListTagsForResource", Json.object().put("resourceArn", sm)).get("tags")).isEmpty();
        JsonNode v = sfn.call("ValidateStateMachineDefinition", Json.object().put("definition",
                "{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Pass\"}}}"));
        assertThat(v.get("result").asText()).isEqualTo("FAIL");
        assertThat(v.get("diagnostics").get(0).get("location").asText()).isEqualTo("/States/A");
        sfn.call("DeleteStateMachine", Json.object().put("stateMachineArn", sm));
        assertThat(error("DescribeStateMachine", Json.object().put("stateMachineArn", sm)))
                .isEqualTo("StateMachineDoesNotExist");
    }

    @Test
    void sendTaskSuccess_afterAHeartbeatTimeout_shouldAnswerTaskTimedOut() throws Exception {
        String sm = sfn.createMachine("hb", "{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\","
                + "\"Resource\":\"arn:aws:states:::sqs:sendMessage.waitForTaskToken\",\"HeartbeatSeconds\":1,"
                + "\"Parameters\":{\"MessageBody.$\":\"$$.Task.Token\"},\"End\":true}}}");
        String ex = sfn.start(sm, "{}");
        String token = sfn.integration.tokens.poll(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(token).isNotNull();
        JsonNode d = sfn.await(ex, Duration.ofSeconds(10));
        assertThat(d.get("error").asText()).isEqualTo("States.HeartbeatTimeout");
        assertThat(error("SendTaskSuccess", Json.object().put("taskToken", token).put("output", "{}")))
                .isEqualTo("TaskTimedOut");
        assertThat(error("SendTaskHeartbeat", Json.object().put("taskToken", token))).isEqualTo("TaskTimedOut");
    }

    @Test
    void startExecutionSync_integration_shouldRunAChildAndReturnItsOutput() {
        String child = sfn.createMachine("child", "{\"StartAt\":\"C\",\"States\":{\"C\":{\"Type\":\"Pass\","
                + "\"Parameters\":{\"got.$\":\"$.v\"},\"End\":true}}}");
        String parent = sfn.createMachine("parent", "{\"StartAt\":\"Run\",\"States\":{\"Run\":{\"Type\":\"Task\","
                + "\"Resource\":\"arn:aws:states:::states:startExecution.sync:2\",\"Parameters\":{\"StateMachineArn\":\""
                + child + "\",\"Input\":{\"v.$\":\"$.v\"}},\"OutputPath\":\"$.Output\",\"End\":true}}}");
        JsonNode d = sfn.await(sfn.start(parent, "{\"v\":7}"), Duration.ofSeconds(5));
        assertThat(d.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(d.get("output").asText()).isEqualTo("{\"got\":7}");
        JsonNode children = sfn.call("ListExecutions", Json.object().put("stateMachineArn", child));
        assertThat(children.get("executions")).hasSize(1);
    }
}
