package dev.skyloom.handlers.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * A plain Server-Sent Events client of the local API Gateway's {@code GET /api/v1/runs/{runId}/stream}, as a browser's
 * {@code EventSource} uses it: every event received is kept, duplicates included, so a test can tell "exactly once".
 */
public final class Sse {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** One event of the stream: its {@code id:} line, {@code event:} line and {@code data:} line. */
    public record Event(long id, String type, String data) {
    }

    private Sse() {
    }

    /**
     * Connects (resuming after {@code lastEventId} when not null, as a reconnecting {@code EventSource} does), reads
     * events until {@code enough} holds for what was received, then disconnects. The connection is cut after
     * {@code timeout} whatever was received; the caller asserts on what it got.
     */
    public static List<Event> read(URI stream, String token, Long lastEventId, Predicate<List<Event>> enough,
                                   Duration timeout) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(stream).header("Authorization", "Bearer " + token)
                .header("Accept", "text/event-stream");
        if (lastEventId != null) {
            request.header("Last-Event-ID", Long.toString(lastEventId));
        }
        HttpResponse<InputStream> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).as("GET " + stream).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        List<Event> received = new ArrayList<>();
        InputStream body = response.body();
        Thread watchdog = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(timeout);
                body.close();
            } catch (InterruptedException | IOException e) {
                // done in time, or already closed
            }
        });
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            Long id = null;
            String type = null;
            String line;
            while (!enough.test(received) && (line = reader.readLine()) != null) {
                if (line.startsWith("id: ")) {
                    id = Long.parseLong(line.substring(4));
                } else if (line.startsWith("event: ")) {
                    type = line.substring(7);
                } else if (line.startsWith("data: ") && id != null) {
                    received.add(new Event(id, type, line.substring(6)));
                    id = null;
                    type = null;
                }
            }
        } catch (IOException e) {
            // cut by the watchdog: what was received is the answer
        } finally {
            watchdog.interrupt();
        }
        return received;
    }
}
