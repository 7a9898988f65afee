package dev.skyloom.local.cloud.testfunctions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.Map;

/** A POJO handler: the runtime deserialises the payload into a map and serialises the returned map. */
public class GreetingHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    @Override
    public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
        return Map.of("greeting", "hello " + input.get("name"), "requestId", context.getAwsRequestId());
    }
}
