package dev.skyloom.local.sfn.durability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.skyloom.local.sfn.TaskIntegration;
import dev.skyloom.local.sfn.TaskRequest;
import dev.skyloom.local.sfn.expr.Json;
import dev.skyloom.local.sfn.support.ScriptedIntegration;
import dev.skyloom.local.sfn.support.Sfn;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills an engine process with SIGKILL in the middle of a Wait, a pending task token, a Map and an in-flight task,
 * then restarts on the same data directory (twice: once after the crash, once after a clean close) and checks that
 * every execution completes once, with the right output.
 */
class CrashRecoveryIT {

    /** Integrations of the restarted engine: everything answers at once; counts calls per function. */
    static final class SecondLife implements TaskIntegration {
        final ConcurrentHashMap<String, AtomicInteger> calls = new ConcurrentHashMap<>();

        @Override
        public boolean supports(String resource) {
            return resource.startsWith("arn:aws:lambda:");
        }

        @Override
        public CompletionStage<JsonNode> invoke(TaskRequest r) {
            String fn = r.resource().substring(r.resource().lastIndexOf(':') + 1);
            calls.computeIfAbsent(fn, k -> new AtomicInteger()).incrementAndGet();
            if (fn.equals("slow")) {
                return CompletableFuture.completedFuture(Json.object().put("v", r.parameters().asInt() * 10));
            }
            return CompletableFuture.completedFuture(Json.object().put("recovered", true));
        }

        int calls(String fn) {
            AtomicInteger a = calls.get(fn);
            return a == null ? 0 : a.get();
        }
    }

    @Test
    void killDashNine_midRun_shouldResumeEveryExecutionExactlyOnce(@TempDir Path dir) throws Exception {
        // GIVEN an engine process running four executions
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(java.toString(), "-cp", classpath, CrashHarness.class.getName(),
                dir.toString()).redirectErrorStream(true).start();
        String[] arns;
        List<String> childOutput = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> {
                try {
                    String line;
                    while ((line = out.readLine()) != null) {
                        childOutput.add(line);
                        if (line.startsWith("READY ")) {
                            return line;
                        }
                    }
                    return null;
                } catch (java.io.IOException e) {
                    return null;
                }
            });
            String line = ready.get(60, TimeUnit.SECONDS);
            assertThat(line).as("child output: %s", childOutput).isNotNull();
            arns = line.substring(6).split(" ");
            // WHEN it is killed with SIGKILL in the middle of the run
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            child.destroyForcibly();
        }
        String waitArn = arns[0];
        String tokenArn = arns[1];
        String mapArn = arns[2];
        String inflightArn = arns[3];
        String token = Files.readString(dir.resolve("token.txt"));

        // THEN a new engine on the same directory resumes them
        SecondLife second = new SecondLife();
        Sfn sfn = Sfn.create(dir, second, 1.0);
        try {
            JsonNode inflight = sfn.await(inflightArn, Duration.ofSeconds(20));
            assertThat(inflight.get("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(Json.parse(inflight.get("output").asText())).isEqualTo(Json.parse("{\"recovered\":true}"));
            assertThat(second.calls("hangOnce")).as("the in-flight task is invoked again exactly once").isEqualTo(1);

            JsonNode map = sfn.await(mapArn, Duration.ofSeconds(20));
            assertThat(map.get("status").asText()).isEqualTo("SUCCEEDED");
            List<Integer> expected = new ArrayList<>();
            for (int i = 1; i <= 20; i++) {
                expected.add(i * 10);
            }
            assertThat(Json.parse(map.get("output").asText()).get("sum").toString())
                    .isEqualTo(expected.toString().replace(" ", ""));
            assertThat(second.calls("slow")).as("only unfinished iterations run again").isBetween(1, 16);

            JsonNode wait = sfn.await(waitArn, Duration.ofSeconds(20));
            assertThat(wait.get("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(Json.parse(wait.get("output").asText())).isEqualTo(Json.parse("{\"r\":\"waited\",\"n\":1}"));
            assertWaitLasted(sfn, waitArn, Duration.ofSeconds(3));

            assertThat(sfn.describe(tokenArn).get("status").asText()).isEqualTo("RUNNING");
        } finally {
            sfn.close();
        }

        // AND after a clean restart the task token still works
        Sfn again = Sfn.create(dir, new ScriptedIntegration(), 1.0);
        try {
            again.call("SendTaskSuccess", Json.object().put("taskToken", token).put("output", "{\"ok\":true}"));
            JsonNode tok = again.await(tokenArn, Duration.ofSeconds(20));
            assertThat(tok.get("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(Json.parse(tok.get("output").asText()))
                    .isEqualTo(Json.parse("{\"q\":\"approve?\",\"answer\":{\"ok\":true}}"));
            for (String arn : arns) {
                List<String> types = again.eventTypes(arn);
                assertThat(types.stream().filter(t -> t.startsWith("Execution") && !t.equals("ExecutionStarted")))
                        .as("exactly one terminal event for %s: %s", arn, types).containsExactly("ExecutionSucceeded");
                assertThat(types.get(0)).isEqualTo("ExecutionStarted");
            }
            JsonNode ids = again.history(mapArn);
            for (int i = 0; i < ids.size(); i++) {
                assertThat(ids.get(i).get("id").asInt()).isEqualTo(i + 1);
            }
        } finally {
            again.close();
        }
    }

    private static void assertWaitLasted(Sfn sfn, String arn, Duration d) {
        Instant entered = null;
        Instant exited = null;
        for (JsonNode e : sfn.history(arn)) {
            double ts = e.get("timestamp").asDouble();
            Instant t = Instant.ofEpochMilli((long) (ts * 1000));
            if (e.get("type").asText().equals("WaitStateEntered")) {
                entered = t;
            }
            if (e.get("type").asText().equals("WaitStateExited")) {
                exited = t;
            }
        }
        assertThat(entered).isNotNull();
        assertThat(exited).isNotNull();
        assertThat(Duration.between(entered, exited)).isGreaterThanOrEqualTo(d.minusMillis(5));
    }
}
