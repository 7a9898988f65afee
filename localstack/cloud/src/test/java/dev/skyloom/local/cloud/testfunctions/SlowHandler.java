package dev.skyloom.local.cloud.testfunctions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Blocks for the number of milliseconds in its payload (a plain integer), then answers "done". */
public class SlowHandler implements RequestStreamHandler {
    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        long millis = Long.parseLong(new String(input.readAllBytes(), StandardCharsets.UTF_8).trim());
        try {
            // a latch nobody counts down: blocks the full time unless the runtime interrupts the invocation
            boolean released = new CountDownLatch(1).await(millis, TimeUnit.MILLISECONDS);
            output.write(("\"" + (released ? "released" : "done") + "\"").getBytes(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            output.write("\"interrupted\"".getBytes(StandardCharsets.UTF_8));
        }
    }
}
