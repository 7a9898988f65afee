package dev.skyloom.local.sfn.asl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AslParserTest {
    @Test
    void parse_shouldApplyRetryDefaults() throws Exception {
        Definition d = AslParser.parse("""
                {"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f",
                 "Retry":[{"ErrorEquals":["States.ALL"]}],"End":true}}}""");
        Retrier r = d.root().state("T").retry.get(0);
        assertThat(r.intervalSeconds()).isEqualTo(1);
        assertThat(r.maxAttempts()).isEqualTo(3);
        assertThat(r.backoffRate()).isEqualTo(2.0);
        assertThat(r.fullJitter()).isFalse();
    }

    @Test
    void parse_shouldReportEveryProblemWithStateAndField() {
        assertThatThrownBy(() -> AslParser.parse("""
                {"StartAt":"A","States":{
                  "A":{"Type":"Pass","Next":"Missing","Bogus":1},
                  "B":{"Type":"Task","End":true}}}"""))
                .isInstanceOf(InvalidDefinitionException.class)
                .hasMessageContaining("Missing 'Next' target: Missing at /States/A/Next")
                .hasMessageContaining("\"Bogus\" is not supported by Step Functions for state type Pass at /States/A/Bogus")
                .hasMessageContaining("\"Resource\" is required and must be a string at /States/B/Resource")
                .hasMessageContaining("State \"B\" is not reachable.");
    }

    @Test
    void parse_withJsonataField_inJsonPathState_shouldNameTheRule() {
        assertThatThrownBy(() -> AslParser.parse("""
                {"StartAt":"A","States":{"A":{"Type":"Pass","Output":{},"End":true}}}"""))
                .hasMessageContaining("\"Output\" is only supported when QueryLanguage is JSONata at /States/A/Output");
    }

    @Test
    void stringMatches_shouldTreatEscapedStarsLiterally() {
        assertThat(AslParser.wildcard("*.log").matcher("a.log").matches()).isTrue();
        assertThat(AslParser.wildcard("a\\*b").matcher("a*b").matches()).isTrue();
        assertThat(AslParser.wildcard("a\\*b").matcher("axb").matches()).isFalse();
        assertThat(AslParser.wildcard("a.b").matcher("axb").matches()).as("regex characters are literal").isFalse();
    }

    @Test
    void parseTimestamp_shouldAcceptRfc3339Only() {
        assertThat(AslParser.parseTimestamp("2016-03-14T01:59:00Z")).isNotNull();
        assertThat(AslParser.parseTimestamp("2016-03-14T01:59:00.123+02:00")).isNotNull();
        assertThat(AslParser.parseTimestamp("2016-03-14")).isNull();
        assertThat(AslParser.parseTimestamp("2016-03-14 01:59:00Z")).isNull();
    }
}
