package dev.skyloom.local.cloud.bedrock;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The scenario files the model server tests run against. */
final class Scenarios {
    private Scenarios() {
    }

    static void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("review.yaml"), """
                description: A reviewer reads a file, then approves.
                agents:
                  reviewer:
                    turns:
                      - text: Let me read it first.
                        toolCalls:
                          - name: read_file
                            input: {path: README.md}
                      - text: Looks good to me.
                        usage: {inputTokens: 120000, outputTokens: 40000, cacheReadInputTokens: 5000}
                """);
        Files.writeString(dir.resolve("stuck.yaml"), """
                agents:
                  looper:
                    turns:
                      - toolCalls: [{name: search, input: {query: same thing}}]
                    after: repeatLast
                """);
        Files.writeString(dir.resolve("flaky.yml"), """
                agents:
                  writer:
                    turns:
                      - text: Here is the draft.
                        error: {type: ThrottlingException, times: 1}
                  unavailable:
                    turns:
                      - text: Finally.
                        errors:
                          - {type: ServiceUnavailableException}
                          - {type: ModelTimeoutException, message: The model took too long.}
                """);
        Files.writeString(dir.resolve("half-throttled.yaml"), """
                throttle: {everyNthCall: 2}
                agents:
                  '*':
                    turns:
                      - text: ok
                    after: repeatLast
                """);
        Files.writeString(dir.resolve("slow.yaml"), """
                agents:
                  '*':
                    turns:
                      - text: Sorry for the wait.
                        delayMs: 400
                """);
        Files.writeString(dir.resolve("broken.yaml"), """
                agents:
                  a:
                    turns:
                      - toolCalls: [{input: {}}]
                """);
        Files.writeString(dir.resolve("streaming.yaml"), """
                agents:
                  '*':
                    turns:
                      - text: I will look that up in the knowledge base for you right away.
                        toolCalls:
                          - name: search
                            input: {query: "quarterly revenue by region", limit: 5, filters: {year: 2026}}
                      - text: Revenue grew in every region; the north led with twelve percent.
                        usage: {inputTokens: 900, outputTokens: 30, cacheWriteInputTokens: 200}
                """);
    }
}
