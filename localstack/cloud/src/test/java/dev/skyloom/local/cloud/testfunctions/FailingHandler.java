package dev.skyloom.local.cloud.testfunctions;

import com.amazonaws.services.lambda.runtime.Context;
import java.util.Map;

/** Always fails, with a cause, through a {@code Class::method} handler string. */
public class FailingHandler {
    public Map<String, Object> fail(Map<String, Object> input, Context context) {
        throw new IllegalStateException("the input was refused: " + input.get("reason"),
                new IllegalArgumentException("root cause"));
    }
}
