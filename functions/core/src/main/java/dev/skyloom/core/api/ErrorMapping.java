package dev.skyloom.core.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The one place that turns a failure into an HTTP answer. An {@link ApiError} keeps its status, code, details and
 * headers; anything else is a generic 500 that names only the request id, its detail logged once here.
 */
public final class ErrorMapping {
    private ErrorMapping() {
    }

    public static ApiResponse toResponse(Throwable failure, String requestId, Consumer<String> log) {
        if (failure instanceof ApiError error) {
            return new ApiResponse(error.status(), error.headers(), body(error));
        }
        StringWriter trace = new StringWriter();
        failure.printStackTrace(new PrintWriter(trace));
        log.accept("api.internalError requestId=" + requestId + " exception=" + failure.getClass().getName()
                + "\n" + trace);
        ApiError generic = new ApiError(500, "INTERNAL", "Internal error; quote request id " + requestId
                + " when reporting it", java.util.List.of(), Map.of());
        return new ApiResponse(500, Map.of(), body(generic));
    }

    public static ObjectNode body(ApiError error) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        ObjectNode e = body.putObject("error");
        e.put("code", error.code());
        e.put("message", error.getMessage());
        ArrayNode details = e.putArray("details");
        for (ApiError.Detail detail : error.details()) {
            details.addObject().put("field", detail.field()).put("problem", detail.problem());
        }
        return body;
    }
}
