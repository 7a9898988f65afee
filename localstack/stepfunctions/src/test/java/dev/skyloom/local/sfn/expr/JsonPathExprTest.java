package dev.skyloom.local.sfn.expr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class JsonPathExprTest {
    private static final JsonNode DOC = Json.parse("{\"a\":{\"b\":[10,20,{\"c\":true}]},\"k v\":1}");

    @Test
    void simplePaths_shouldReadFieldsAndIndexes() {
        assertThat(JsonPathExpr.compile("$.a.b[1]").read(DOC, EvalScope.EMPTY).intValue()).isEqualTo(20);
        assertThat(JsonPathExpr.compile("$['k v']").read(DOC, EvalScope.EMPTY).intValue()).isEqualTo(1);
        assertThat(JsonPathExpr.compile("$.a.b[2].c").isReferencePath()).isTrue();
        assertThat(JsonPathExpr.compile("$.a.missing").read(DOC, EvalScope.EMPTY)).isNull();
    }

    @Test
    void complexPaths_shouldUseJsonPathSemantics() {
        JsonPathExpr p = JsonPathExpr.compile("$.a.b[?(@ > 15)]");
        assertThat(p.isDefinite()).isFalse();
        assertThat(p.read(DOC, EvalScope.EMPTY).toString()).isEqualTo("[20]");
        assertThat(JsonPathExpr.compile("$..c").read(DOC, EvalScope.EMPTY).toString()).isEqualTo("[true]");
    }

    @Test
    void write_shouldCopyOnlyTheNodesOnThePath() {
        JsonNode out = JsonPathExpr.compile("$.a.x").write(DOC, Json.text("new"));
        assertThat(out.at("/a/x").asText()).isEqualTo("new");
        assertThat(DOC.at("/a/x").isMissingNode()).as("the input is not changed").isTrue();
        assertThat(out.at("/a/b")).isSameAs(DOC.at("/a/b"));
    }

    @Test
    void write_intoANonObject_shouldFailWithStatesRuntime() {
        assertThatThrownBy(() -> JsonPathExpr.compile("$.x.y").write(Json.parse("{\"x\":1}"), Json.text("v")))
                .isInstanceOf(StatesException.class).extracting(e -> ((StatesException) e).error())
                .isEqualTo(StatesErrors.RUNTIME);
    }

    @Test
    void roots_shouldDistinguishInputContextAndVariables() {
        assertThat(JsonPathExpr.compile("$$.Execution.Id").root()).isEqualTo(JsonPathExpr.Root.CONTEXT);
        JsonPathExpr v = JsonPathExpr.compile("$myVar.items[0]");
        assertThat(v.root()).isEqualTo(JsonPathExpr.Root.VARIABLE);
        assertThat(v.variable()).isEqualTo("myVar");
        assertThatThrownBy(() -> JsonPathExpr.compile("a.b")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void errorMatching_shouldFollowTheStatesRules() {
        assertThat(StatesErrors.matches("States.ALL", "Custom")).isTrue();
        assertThat(StatesErrors.matches("States.ALL", "States.Runtime")).isFalse();
        assertThat(StatesErrors.matches("States.ALL", "States.DataLimitExceeded")).isFalse();
        assertThat(StatesErrors.matches("States.TaskFailed", "Lambda.Unknown")).isTrue();
        assertThat(StatesErrors.matches("States.TaskFailed", "States.Timeout")).isFalse();
        assertThat(StatesErrors.matches("States.Timeout", "States.Timeout")).isTrue();
    }
}
