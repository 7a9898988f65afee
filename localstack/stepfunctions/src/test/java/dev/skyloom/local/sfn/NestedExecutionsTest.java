package dev.skyloom.local.sfn;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.local.sfn.expr.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash windows of nested executions ({@code states:startExecution.sync}), made deterministic: a listener copies
 * the data directory at the exact moment of interest (what {@code kill -9} would leave: the journal is a shared
 * memory mapping, so a copy taken by reading the file sees every committed record), and a second engine recovers
 * from the copy.
 */
class NestedExecutionsTest {
    private static final String ROLE = "arn:aws:iam::000000000000:role/sfn";

    /** Copies a data directory (without its lock file), as a crash would leave it. */
    private static void crashImage(Path from, Path to) {
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                if (!f.getFileName().toString().equals("LOCK")) {
                    Files.copy(f, to.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final class Engine implements AutoCloseable {
        final StepFunctionsEngine engine;
        final Ends ends = new Ends();

        Engine(Path dir, TaskIntegration integration, Consumer<ExecutionListener.ExecutionStatusChange> hook) {
            StepFunctionsEngine.Builder b = StepFunctionsEngine.builder().dataDir(dir).listener(change -> {
                hook.accept(change);
                if (!"RUNNING".equals(change.status())) {
                    ends.computeIfAbsent(change.executionArn(), k -> new CompletableFuture<>()).complete(change.status());
                }
            });
            if (integration != null) {
                b.integration(integration);
            }
            engine = b.build();
            engine.start();
        }

        JsonNode call(String action, ObjectNode request) {
            SfnResponse r = engine.handle(action, Json.bytes(request));
            assertThat(r.status()).as("%s -> %s", action, r.bodyText()).isEqualTo(200);
            return Json.parse(r.body());
        }

        String createMachine(String name, String definition) {
            return call("CreateStateMachine", Json.object().put("name", name).put("definition", definition)
                    .put("roleArn", ROLE)).get("stateMachineArn").asText();
        }

        String start(String machine, String input) {
            return call("StartExecution", Json.object().put("stateMachineArn", machine).put("input", input))
                    .get("executionArn").asText();
        }

        JsonNode describe(String execution) {
            return call("DescribeExecution", Json.object().put("executionArn", execution));
        }

        JsonNode awaitEnd(String execution) throws Exception {
            CompletableFuture<String> f = ends.computeIfAbsent(execution, k -> new CompletableFuture<>());
            if ("RUNNING".equals(describe(execution).get("status").asText())) {
                f.get(10, TimeUnit.SECONDS);
            }
            return describe(execution);
        }

        List<JsonNode> executionsOf(String machine) {
            List<JsonNode> all = new java.util.ArrayList<>();
            call("ListExecutions", Json.object().put("stateMachineArn", machine)).get("executions").forEach(all::add);
            return all;
        }

        @Override
        public void close() {
            engine.close();
        }
    }

    /** Executions that ended, by ARN. */
    private static final class Ends extends ConcurrentHashMap<String, CompletableFuture<String>> {
    }

    private static String parent(String childMachine, String resource) {
        return """
                {"StartAt":"Child","States":{"Child":{"Type":"Task","Resource":"%s",
                  "Parameters":{"StateMachineArn":"%s","Input":{"n.$":"$.n"}},"End":true}}}"""
                .formatted(resource, childMachine);
    }

    @Test
    void jsonataParent_passesArguments_andReadsTheParsedOutput() throws Exception {
        try (Engine sfn = new Engine(null, null, change -> { })) {
            String child = sfn.createMachine("child", """
                    {"StartAt":"Double","States":{"Double":{"Type":"Pass",
                      "Parameters":{"doubled.$":"States.MathAdd($.n, $.n)"},"End":true}}}""");
            String parent = sfn.createMachine("parent", """
                    {"QueryLanguage":"JSONata","StartAt":"Child","States":{"Child":{"Type":"Task",
                      "Resource":"arn:aws:states:::states:startExecution.sync:2",
                      "Arguments":{"StateMachineArn":"%s","Input":{"n":"{%% $states.input.n %%}",
                        "AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID":"{%% $states.context.Execution.Id %%}"}},
                      "Output":"{%% $states.result.Output %%}","End":true}}}""".formatted(child));

            String execution = sfn.start(parent, "{\"n\":3}");
            JsonNode d = sfn.awaitEnd(execution);

            assertThat(d.get("status").asText()).as(d.toString()).isEqualTo("SUCCEEDED");
            assertThat(d.get("output").asText()).isEqualTo("{\"doubled\":6}");
            String childExecution = sfn.executionsOf(child).get(0).get("executionArn").asText();
            assertThat(Json.parse(sfn.describe(childExecution).get("input").asText())
                    .get("AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID").asText()).isEqualTo(execution);
        }
    }

    @Test
    void childEndedJustBeforeACrash_theRecoveredParentTakesItsResult_insteadOfFailingOnTheTakenName(
            @TempDir Path dir, @TempDir Path image) throws Exception {
        AtomicReference<String> childMachine = new AtomicReference<>();
        String parentExecution;
        try (Engine first = new Engine(dir, null, change -> {
            if (change.stateMachineArn().equals(childMachine.get()) && "SUCCEEDED".equals(change.status())) {
                crashImage(dir, image); // the child's end is journaled; its parent has not heard of it yet
            }
        })) {
            childMachine.set(first.createMachine("child", """
                    {"StartAt":"Wait","States":{"Wait":{"Type":"Wait","Seconds":1,"Next":"Double"},
                      "Double":{"Type":"Pass","Parameters":{"doubled.$":"States.MathAdd($.n, $.n)"},"End":true}}}"""));
            String parentMachine = first.createMachine("parent",
                    parent(childMachine.get(), "arn:aws:states:::states:startExecution.sync:2"));
            parentExecution = first.start(parentMachine, "{\"n\":4}");
            assertThat(first.awaitEnd(parentExecution).get("status").asText()).isEqualTo("SUCCEEDED");
        }

        try (Engine second = new Engine(image, null, change -> { })) {
            JsonNode d = second.awaitEnd(parentExecution);
            assertThat(d.get("status").asText()).as(d.toString()).isEqualTo("SUCCEEDED");
            assertThat(Json.parse(d.get("output").asText()).at("/Output/doubled").asInt()).isEqualTo(8);
            assertThat(second.executionsOf(childMachine.get())).hasSize(1);
        }
    }

    @Test
    void parentStoppedButTheChildsStopLostInACrash_theChildIsStoppedAtRecovery_notRunAgain(
            @TempDir Path dir, @TempDir Path image) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch invoked = new CountDownLatch(1);
        TaskIntegration blocking = new TaskIntegration() {
            @Override
            public boolean supports(String resource) {
                return resource.equals("arn:aws:states:::lambda:invoke");
            }

            @Override
            public CompletionStage<JsonNode> invoke(TaskRequest request) {
                invoked.countDown();
                try {
                    // holds the child's actor, so the parent's stop request queues up behind it (test only:
                    // real integrations must not block)
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return new CompletableFuture<>();
            }
        };
        AtomicReference<String> parentExecution = new AtomicReference<>();
        String childMachine;
        try (Engine first = new Engine(dir, blocking, change -> {
            if (change.executionArn().equals(parentExecution.get()) && "ABORTED".equals(change.status())) {
                crashImage(dir, image); // the parent's stop is journaled; the child has not been stopped yet
            }
        })) {
            childMachine = first.createMachine("child", """
                    {"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
                      "Parameters":{"FunctionName":"work"},"End":true}}}""");
            String parentMachine = first.createMachine("parent",
                    parent(childMachine, "arn:aws:states:::states:startExecution.sync"));
            parentExecution.set(first.start(parentMachine, "{\"n\":1}"));
            assertThat(invoked.await(10, TimeUnit.SECONDS)).isTrue();
            first.call("StopExecution", Json.object().put("executionArn", parentExecution.get()));
            assertThat(first.awaitEnd(parentExecution.get()).get("status").asText()).isEqualTo("ABORTED");
            release.countDown();
        }

        List<TaskRequest> calls = new CopyOnWriteArrayList<>();
        TaskIntegration recording = new TaskIntegration() {
            @Override
            public boolean supports(String resource) {
                return true;
            }

            @Override
            public CompletionStage<JsonNode> invoke(TaskRequest request) {
                calls.add(request);
                return new CompletableFuture<>();
            }
        };
        try (Engine second = new Engine(image, recording, change -> { })) {
            String child = second.executionsOf(childMachine).get(0).get("executionArn").asText();
            JsonNode d = second.awaitEnd(child);
            assertThat(d.get("status").asText()).isEqualTo("ABORTED");
            assertThat(d.get("cause").asText()).contains(parentExecution.get());
            assertThat(calls).as("the orphaned child's task is not invoked again").isEmpty();
        }
    }
}
