package dev.skyloom.local.cloud.sfn;

import com.sun.net.httpserver.HttpExchange;
import dev.skyloom.local.cloud.edge.AwsErrors;
import dev.skyloom.local.cloud.edge.ServiceHandler;
import dev.skyloom.local.cloud.http.HttpExchanges;
import dev.skyloom.local.sfn.SfnResponse;
import dev.skyloom.local.sfn.StepFunctionsEngine;
import java.io.IOException;

/** The Step Functions API (AWS JSON 1.0, {@code X-Amz-Target: AWSStepFunctions.<Action>}) on the edge. */
public final class StepFunctionsApi implements ServiceHandler {
    /** State machine definitions may be up to 1 MB; leave room for the request around them. */
    private static final int MAX_REQUEST = 2 * 1024 * 1024;
    private static final String PREFIX = "AWSStepFunctions.";

    private final StepFunctionsEngine engine;

    public StepFunctionsApi(StepFunctionsEngine engine) {
        this.engine = engine;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
        if (!"POST".equals(exchange.getRequestMethod()) || target == null || !target.startsWith(PREFIX)) {
            AwsErrors.json(exchange, 400, "UnknownOperationException", "Step Functions takes POST / with "
                    + "X-Amz-Target: AWSStepFunctions.<Action> and an AWS JSON 1.0 body");
            return;
        }
        byte[] body = HttpExchanges.readBody(exchange, MAX_REQUEST);
        SfnResponse response = engine.handle(target.substring(PREFIX.length()), body);
        HttpExchanges.send(exchange, response.status(), "application/x-amz-json-1.0", response.body());
    }
}
