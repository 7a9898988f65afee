package dev.skyloom.local.cloud.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EventPatternTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EVENT = """
            {"version":"0","id":"1","detail-type":"STEP_COMPLETE","source":"skyloom.runs","account":"000000000000",
             "time":"2026-11-21T00:00:00Z","region":"us-east-1","resources":["arn:aws:x:1","arn:aws:y:2"],
             "detail":{"runId":"run-42","status":"done","cost":12.5,"count":3,"tags":["a","b"],
                       "ip":"10.0.3.7","step":{"id":"plan","attempt":2},"owner":null,"Name":"Ada Lovelace"}}""";

    @ParameterizedTest(name = "{0} matches: {1}")
    @CsvSource(delimiter = '|', textBlock = """
            {"source":["skyloom.runs"]}                                             | true
            {"source":["other"]}                                                    | false
            {"source":["other","skyloom.runs"]}                                     | true
            {"detail-type":["STEP_COMPLETE"],"detail":{"status":["done"]}}          | true
            {"detail":{"status":["failed"]}}                                        | false
            {"detail":{"step":{"id":["plan"]}}}                                     | true
            {"detail":{"step":{"id":["build"]}}}                                    | false
            {"detail":{"tags":["b"]}}                                               | true
            {"resources":["arn:aws:y:2"]}                                           | true
            {"detail":{"runId":[{"prefix":"run-"}]}}                                | true
            {"detail":{"runId":[{"prefix":"job-"}]}}                                | false
            {"detail":{"runId":[{"suffix":"-42"}]}}                                 | true
            {"detail":{"Name":[{"equals-ignore-case":"ada lovelace"}]}}             | true
            {"detail":{"Name":[{"wildcard":"Ada*lace"}]}}                           | true
            {"detail":{"Name":[{"wildcard":"Bob*"}]}}                               | false
            {"detail":{"status":[{"anything-but":"failed"}]}}                       | true
            {"detail":{"status":[{"anything-but":["done","failed"]}]}}              | false
            {"detail":{"runId":[{"anything-but":{"prefix":"run-"}}]}}               | false
            {"detail":{"missing":[{"anything-but":"x"}]}}                           | false
            {"detail":{"cost":[{"numeric":[">",10,"<=",12.5]}]}}                    | true
            {"detail":{"cost":[{"numeric":["<",10]}]}}                              | false
            {"detail":{"count":[3]}}                                                | true
            {"detail":{"count":[3.0]}}                                              | true
            {"detail":{"owner":[null]}}                                             | true
            {"detail":{"owner":[{"exists":true}]}}                                  | true
            {"detail":{"missing":[{"exists":false}]}}                               | true
            {"detail":{"missing":[{"exists":true}]}}                                | false
            {"detail":{"ip":[{"cidr":"10.0.0.0/16"}]}}                              | true
            {"detail":{"ip":[{"cidr":"10.1.0.0/16"}]}}                              | false
            {"$or":[{"source":["nope"]},{"detail":{"status":["done"]}}]}            | true
            {"$or":[{"source":["nope"]},{"detail":{"status":["never"]}}]}           | false
            {"detail":{"status":["done"],"count":[4]}}                              | false
            """)
    void matches_followsTheEventBridgeRules(String pattern, boolean expected) throws Exception {
        assertThat(EventPattern.parse(pattern).matches(JSON.readTree(EVENT))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} is refused")
    @CsvSource(delimiter = '|', textBlock = """
            {}                                             | non-empty
            not json                                       | not valid JSON
            {"source":"skyloom"}                           | must be an array or an object
            {"source":[]}                                  | Empty arrays
            {"detail":{"n":[{"numeric":[">","x"]}]}}       | pairs of an operator
            {"detail":{"n":[{"between":[1,2]}]}}           | Unrecognized match type between
            {"detail":{"n":[{"prefix":"a","suffix":"b"}]}} | exactly one operator
            {"$or":[{"source":["a"]}]}                     | at least 2 patterns
            """)
    void parse_refusesInvalidPatterns_sayingWhy(String pattern, String reason) {
        assertThatThrownBy(() -> EventPattern.parse(pattern))
                .isInstanceOf(EventPattern.InvalidPatternException.class).hasMessageContaining(reason);
    }
}
