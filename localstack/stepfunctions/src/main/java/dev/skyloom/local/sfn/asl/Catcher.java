package dev.skyloom.local.sfn.asl;

import dev.skyloom.local.sfn.expr.JsonPathExpr;
import dev.skyloom.local.sfn.expr.JsonataTemplate;
import dev.skyloom.local.sfn.expr.PayloadTemplate;
import java.util.List;

/**
 * One element of a state's Catch field. {@code resultPath} null with {@code discardResult} false means "$".
 */
public record Catcher(List<String> errorEquals, String next, JsonPathExpr resultPath, boolean discardResult,
        PayloadTemplate assignPath, JsonataTemplate assignJsonata, JsonataTemplate output) {
}
