package dev.skyloom.local.sfn.expr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class IntrinsicsTest {
    @Test
    void compile_withUnknownFunction_shouldListTheValidOnes() {
        assertThatThrownBy(() -> Intrinsics.compile("States.Frobnicate($.a)"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("States.Frobnicate").hasMessageContaining("States.Format");
    }

    @Test
    void compile_withWrongArity_shouldSayHowManyArgumentsAreExpected() {
        assertThatThrownBy(() -> Intrinsics.compile("States.MathAdd(1)"))
                .hasMessageContaining("States.MathAdd takes 2 arguments but got 1");
    }

    @Test
    void eval_shouldNestCallsAndReadPathsWithCommasInFilters() {
        Intrinsics.Call c = Intrinsics.compile("States.ArrayLength($.items[?(@.ok == true)])");
        assertThat(c.eval(Json.parse("{\"items\":[{\"ok\":true},{\"ok\":false},{\"ok\":true}]}"), EvalScope.EMPTY)
                .intValue()).isEqualTo(2);
        Intrinsics.Call f = Intrinsics.compile("States.Format('{} and {}', States.MathAdd(1, 2), 'x')");
        assertThat(f.eval(Json.object(), EvalScope.EMPTY).textValue()).isEqualTo("3 and x");
    }

    @Test
    void eval_withBadArguments_shouldFailTheStateWithStatesRuntime() {
        Intrinsics.Call c = Intrinsics.compile("States.ArrayGetItem($.a, 5)");
        assertThatThrownBy(() -> c.eval(Json.parse("{\"a\":[1]}"), EvalScope.EMPTY))
                .isInstanceOf(StatesException.class).hasMessageContaining("out of bounds");
        Intrinsics.Call range = Intrinsics.compile("States.ArrayRange(1, 5000, 1)");
        assertThatThrownBy(() -> range.eval(Json.object(), EvalScope.EMPTY)).hasMessageContaining("1000");
    }
}
