package dev.skyloom.local.cloud.testfunctions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fails until a marker file exists: the payload is {@code {"marker": "<path>", "createMarker": bool}}. With
 * createMarker it creates the marker as it fails, so the next call succeeds; without it, a test creates the marker
 * when it wants the function "fixed".
 */
public class FlakyHandler implements RequestStreamHandler {
    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        String payload = new String(input.readAllBytes(), StandardCharsets.UTF_8);
        String marker = payload.replaceAll(".*\"marker\"\\s*:\\s*\"([^\"]+)\".*", "$1");
        Path path = Path.of(marker);
        if (!Files.exists(path)) {
            if (payload.contains("\"createMarker\":true")) {
                Files.writeString(path, "failed once");
            }
            throw new IllegalStateException("not yet: " + marker + " is missing");
        }
        output.write("{\"fixed\":true}".getBytes(StandardCharsets.UTF_8));
    }
}
