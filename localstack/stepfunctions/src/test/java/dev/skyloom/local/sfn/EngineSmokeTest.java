package dev.skyloom.local.sfn;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.skyloom.local.sfn.expr.Json;
import dev.skyloom.local.sfn.support.Sfn;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class EngineSmokeTest {
    @Test
    void passChain_shouldSucceed_withResultPathMerged() {
        try (Sfn sfn = Sfn.inMemory()) {
            String sm = sfn.createMachine("chain", """
                    {"StartAt":"A","States":{
                      "A":{"Type":"Pass","Result":{"x":1},"ResultPath":"$.a","Next":"B"},
                      "B":{"Type":"Pass","End":true}}}""");
            String ex = sfn.start(sm, "{\"in\":true}");
            JsonNode d = sfn.await(ex, Duration.ofSeconds(5));
            assertThat(d.get("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(Json.parse(d.get("output").asText())).isEqualTo(Json.parse("{\"in\":true,\"a\":{\"x\":1}}"));
            assertThat(sfn.eventTypes(ex)).containsExactly("ExecutionStarted", "PassStateEntered", "PassStateExited",
                    "PassStateEntered", "PassStateExited", "ExecutionSucceeded");
        }
    }

    @Test
    void lambdaTask_shouldRetryThenCatch() {
        try (Sfn sfn = Sfn.inMemory()) {
            String sm = sfn.createMachine("t", """
                    {"StartAt":"T","States":{
                      "T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:000000000000:function:fail",
                           "Retry":[{"ErrorEquals":["CustomError"],"MaxAttempts":2}],
                           "Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.err","Next":"Done"}],"End":true},
                      "Done":{"Type":"Succeed"}}}""");
            String ex = sfn.start(sm, "{}");
            JsonNode d = sfn.await(ex, Duration.ofSeconds(5));
            assertThat(d.get("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(Json.parse(d.get("output").asText()).at("/err/Error").asText()).isEqualTo("CustomError");
            assertThat(sfn.integration.calls("fail")).isEqualTo(3);
        }
    }

    @Test
    void mapAndParallel_shouldCollectResultsInOrder() {
        try (Sfn sfn = Sfn.inMemory()) {
            String sm = sfn.createMachine("mp", """
                    {"StartAt":"P","States":{
                      "P":{"Type":"Parallel","Branches":[
                         {"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","MaxConcurrency":2,
                            "ItemProcessor":{"StartAt":"I","States":{"I":{"Type":"Pass","End":true}}},"End":true}}},
                         {"StartAt":"X","States":{"X":{"Type":"Pass","Result":"x","End":true}}}],
                       "End":true}}}""");
            String ex = sfn.start(sm, "{\"items\":[1,2,3]}");
            JsonNode d = sfn.await(ex, Duration.ofSeconds(5));
            assertThat(d.get("status").asText()).as(d.toString()).isEqualTo("SUCCEEDED");
            assertThat(Json.parse(d.get("output").asText())).isEqualTo(Json.parse("[[1,2,3],\"x\"]"));
        }
    }
}
