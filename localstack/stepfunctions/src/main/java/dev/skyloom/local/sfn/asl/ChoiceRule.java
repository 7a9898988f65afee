package dev.skyloom.local.sfn.asl;

import com.fasterxml.jackson.databind.JsonNode;
import dev.skyloom.local.sfn.expr.JsonPathExpr;
import dev.skyloom.local.sfn.expr.JsonataTemplate;
import dev.skyloom.local.sfn.expr.PayloadTemplate;
import java.util.List;

/** A rule of a Choice state: a boolean expression tree, and for top-level rules a Next and an Assign. */
public sealed interface ChoiceRule {
    /** Top-level rule: the condition plus where it leads. */
    record Branch(Condition condition, String next, PayloadTemplate assignPath, JsonataTemplate assignJsonata,
            JsonataTemplate output) {
    }

    /** A boolean condition. */
    sealed interface Condition extends ChoiceRule permits And, Or, Not, Comparison, JsonataCondition {
    }

    record And(List<Condition> all) implements Condition {
    }

    record Or(List<Condition> any) implements Condition {
    }

    record Not(Condition inner) implements Condition {
    }

    /**
     * {@code Variable} compared with a literal {@code value} or, for *Path comparators, with {@code valuePath}.
     * {@code operator} is the comparator name without the Path suffix (e.g. StringEquals, IsPresent).
     */
    record Comparison(JsonPathExpr variable, String operator, JsonNode value, JsonPathExpr valuePath,
            java.util.regex.Pattern matcher) implements Condition {
    }

    record JsonataCondition(JsonataTemplate condition, String text) implements Condition {
    }
}
