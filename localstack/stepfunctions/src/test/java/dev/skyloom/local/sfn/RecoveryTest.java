package dev.skyloom.local.sfn;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.skyloom.local.sfn.expr.Json;
import dev.skyloom.local.sfn.support.ScriptedIntegration;
import dev.skyloom.local.sfn.support.Sfn;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** In-process restarts on the same data directory (clean close, snapshot restore); the kill -9 case is an IT. */
class RecoveryTest {
    private static final String APPROVAL = """
            {"StartAt":"Prep","States":{
              "Prep":{"Type":"Pass","Assign":{"who":"alice"},"Next":"M"},
              "M":{"Type":"Map","ItemsPath":"$.items","MaxConcurrency":1,"ItemProcessor":{"StartAt":"Ask","States":{
                 "Ask":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                        "Parameters":{"QueueUrl":"q","MessageBody.$":"$$.Task.Token"},"End":true}}},
                 "ResultPath":"$.answers","Next":"Done"},
              "Done":{"Type":"Pass","Parameters":{"answers.$":"$.answers","who.$":"$who"},"End":true}}}""";

    @Test
    void restart_withTokensAndAMapInProgress_shouldContinueFromTheSnapshot(@TempDir Path dir) throws Exception {
        String arn;
        String firstToken;
        try (Sfn sfn = Sfn.create(dir, new ScriptedIntegration(), 1.0)) {
            String sm = sfn.createMachine("approval", APPROVAL);
            arn = sfn.start(sm, "{\"items\":[1,2]}");
            firstToken = sfn.integration.tokens.poll(10, TimeUnit.SECONDS);
            assertThat(firstToken).isNotNull();
            sfn.call("SendTaskSuccess", Json.object().put("taskToken", firstToken).put("output", "\"yes\""));
            assertThat(sfn.integration.tokens.poll(10, TimeUnit.SECONDS)).as("second item asks").isNotNull();
        }
        // the second token was issued before the close; after the restart the submitted task just waits for it
        ScriptedIntegration afterRestart = new ScriptedIntegration();
        try (Sfn sfn = Sfn.create(dir, afterRestart, 1.0)) {
            assertThat(sfn.describe(arn).get("status").asText()).isEqualTo("RUNNING");
            assertThat(afterRestart.requests).as("a submitted callback task is not re-sent").isEmpty();
            JsonNode history = sfn.history(arn);
            String secondToken = null;
            for (JsonNode e : history) {
                if (e.get("type").asText().equals("TaskScheduled")) {
                    secondToken = Json.parse(e.at("/taskScheduledEventDetails/parameters").asText())
                            .get("MessageBody").asText();
                }
            }
            assertThat(secondToken).isNotEqualTo(firstToken);
            SfnResponse stale = sfn.raw("SendTaskSuccess", Json.object().put("taskToken", firstToken)
                    .put("output", "{}"));
            assertThat(stale.bodyText()).contains("TaskDoesNotExist");
            sfn.call("SendTaskSuccess", Json.object().put("taskToken", secondToken).put("output", "\"no\""));
            JsonNode d = sfn.await(arn, Duration.ofSeconds(10));
            assertThat(d.get("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(Json.parse(d.get("output").asText()))
                    .isEqualTo(Json.parse("{\"answers\":[\"yes\",\"no\"],\"who\":\"alice\"}"));
        }
        try (Sfn sfn = Sfn.create(dir, new ScriptedIntegration(), 1.0)) {
            assertThat(sfn.describe(arn).get("status").asText()).as("finished executions stay finished")
                    .isEqualTo("SUCCEEDED");
            assertThat(sfn.eventTypes(arn)).filteredOn(t -> t.equals("ExecutionSucceeded")).hasSize(1);
        }
    }

    @Test
    void restart_duringAWait_shouldKeepTheOriginalDeadline(@TempDir Path dir) {
        String arn;
        try (Sfn sfn = Sfn.create(dir, new ScriptedIntegration(), 1.0)) {
            String sm = sfn.createMachine("w", "{\"StartAt\":\"W\",\"States\":{\"W\":{\"Type\":\"Wait\",\"Seconds\":1,"
                    + "\"End\":true}}}");
            arn = sfn.start(sm, "{\"k\":1}");
        }
        try (Sfn sfn = Sfn.create(dir, new ScriptedIntegration(), 1.0)) {
            JsonNode d = sfn.await(arn, Duration.ofSeconds(10));
            assertThat(d.get("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(d.get("output").asText()).isEqualTo("{\"k\":1}");
            double started = d.get("startDate").asDouble();
            double stopped = d.get("stopDate").asDouble();
            assertThat(stopped - started).isGreaterThanOrEqualTo(0.99);
        }
    }

    @Test
    void redrive_afterRestart_shouldRerunOnlyTheFailedIteration(@TempDir Path dir) {
        ScriptedIntegration first = new ScriptedIntegration();
        first.script("flakyItem", Json.parse("[{\"error\":\"Boom\"}]"));
        String arn;
        String def = """
                {"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":1,"ItemProcessor":{"StartAt":"C","States":{
                  "C":{"Type":"Choice","Choices":[{"Variable":"$","NumericEquals":2,"Next":"T"}],"Default":"P"},
                  "T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:000000000000:function:flakyItem","End":true},
                  "P":{"Type":"Pass","End":true}}},"End":true}}}""";
        try (Sfn sfn = Sfn.create(dir, first, 0.001)) {
            arn = sfn.start(sfn.createMachine("redrive", def), "[1,2,3]");
            assertThat(sfn.await(arn, Duration.ofSeconds(10)).get("status").asText()).isEqualTo("FAILED");
        }
        ScriptedIntegration second = new ScriptedIntegration();
        second.script("flakyItem", Json.parse("[{\"return\":20}]"));
        try (Sfn sfn = Sfn.create(dir, second, 0.001)) {
            sfn.call("RedriveExecution", Json.object().put("executionArn", arn));
            JsonNode d = sfn.await(arn, Duration.ofSeconds(10));
            assertThat(d.get("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(d.get("output").asText()).isEqualTo("[1,20,3]");
            assertThat(d.get("redriveCount").asInt()).isEqualTo(1);
            assertThat(second.calls("flakyItem")).isEqualTo(1);
        }
    }
}
