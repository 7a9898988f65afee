package dev.skyloom.local.cloud.testfunctions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Waits the milliseconds of its payload (a number, or the string {@code "<millis> <marker file>"}; it creates the marker file first, so a
 * test knows the invocation is in flight), then loads a class it has not touched before: an invocation still running
 * when its function's configuration changes must keep its class loader open until it ends.
 */
public class LateLoadingHandler implements RequestStreamHandler {
    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        // a JSON number, or a JSON string "<millis> <marker file>"
        String[] parts = new String(input.readAllBytes(), StandardCharsets.UTF_8).trim().replace("\"", "").split(" ");
        long millis = Long.parseLong(parts[0]);
        if (millis < 0) {
            // warms the environment without loading Late
            output.write("\"warm\"".getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (parts.length > 1) {
            java.nio.file.Files.createFile(java.nio.file.Path.of(parts[1]));
        }
        try {
            new CountDownLatch(1).await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        output.write(("\"" + Late.answer() + "\"").getBytes(StandardCharsets.UTF_8));
    }

    /** Loaded only after the wait. */
    static final class Late {
        static String answer() {
            return "late class loaded";
        }
    }
}
