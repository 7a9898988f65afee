package dev.skyloom.local.sfn.expr;

import com.fasterxml.jackson.databind.JsonNode;

/** What an expression can see besides its input: the context object {@code $$} and the workflow variables. */
public interface EvalScope {
    /** The context object ($$ in JSONPath, $states.context in JSONata). */
    JsonNode context();

    /** A workflow variable, or {@code null} when it is not defined in this scope or an outer one. */
    JsonNode variable(String name);

    /** Visits every visible variable, inner scopes first (a name seen twice keeps its inner value). */
    void forEachVariable(java.util.function.BiConsumer<String, JsonNode> visitor);

    EvalScope EMPTY = new EvalScope() {
        @Override
        public JsonNode context() {
            return Json.object();
        }

        @Override
        public JsonNode variable(String name) {
            return null;
        }

        @Override
        public void forEachVariable(java.util.function.BiConsumer<String, JsonNode> visitor) {
        }
    };
}
