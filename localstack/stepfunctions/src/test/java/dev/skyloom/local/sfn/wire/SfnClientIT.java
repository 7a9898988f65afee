package dev.skyloom.local.sfn.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.skyloom.local.sfn.SfnResponse;
import dev.skyloom.local.sfn.expr.Json;
import dev.skyloom.local.sfn.support.Sfn;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.SdkAdvancedClientOption;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.CreateStateMachineResponse;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionAlreadyExistsException;
import software.amazon.awssdk.services.sfn.model.ExecutionDoesNotExistException;
import software.amazon.awssdk.services.sfn.model.ExecutionNotRedrivableException;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.GetExecutionHistoryResponse;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;
import software.amazon.awssdk.services.sfn.model.HistoryEventType;
import software.amazon.awssdk.services.sfn.model.InvalidDefinitionException;
import software.amazon.awssdk.services.sfn.model.InvalidTokenException;
import software.amazon.awssdk.services.sfn.model.ListExecutionsResponse;
import software.amazon.awssdk.services.sfn.model.StartExecutionResponse;
import software.amazon.awssdk.services.sfn.model.StartSyncExecutionResponse;
import software.amazon.awssdk.services.sfn.model.StateMachineType;
import software.amazon.awssdk.services.sfn.model.SyncExecutionStatus;
import software.amazon.awssdk.services.sfn.model.TaskDoesNotExistException;

/**
 * The real SDK v2 SfnClient against the engine behind a tiny test-only JDK HTTP server speaking AWS JSON 1.0: the
 * operations the local cloud exposes on :4566, with AWS's shapes and error types.
 */
class SfnClientIT {
    private static Sfn sfn;
    private static HttpServer server;
    private static SfnClient client;
    private static final String ROLE = "arn:aws:iam::000000000000:role/sfn";

    @BeforeAll
    static void start() throws IOException {
        sfn = Sfn.inMemory();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            SfnResponse r = sfn.engine.handle(target.substring(target.indexOf('.') + 1), body);
            exchange.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.0");
            exchange.sendResponseHeaders(r.status(), r.body().length);
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(r.body());
            }
        });
        server.start();
        client = SfnClient.builder().endpointOverride(URI.create("http://127.0.0.1:" + server.getAddress().getPort()))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(c -> c.apiCallTimeout(Duration.ofSeconds(30))
                        .apiCallAttemptTimeout(Duration.ofSeconds(30))
                        // StartSyncExecution's "sync-" host prefix cannot be put on an IP endpoint
                        .putAdvancedOption(SdkAdvancedClientOption.DISABLE_HOST_PREFIX_INJECTION, true))
                .build();
    }

    @AfterAll
    static void stop() {
        client.close();
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
        sfn.close();
    }

    private static DescribeExecutionResponse awaitDone(String arn) {
        sfn.await(arn, Duration.ofSeconds(20));
        return client.describeExecution(b -> b.executionArn(arn));
    }

    @Test
    void lifecycle_shouldRoundTripThroughTheSdk() {
        CreateStateMachineResponse created = client.createStateMachine(b -> b.name("sdk-basic").roleArn(ROLE)
                .definition("{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Pass\",\"Result\":{\"ok\":1},\"End\":true}}}")
                .publish(true));
        assertThat(created.stateMachineVersionArn()).isEqualTo(created.stateMachineArn() + ":1");
        assertThat(client.describeStateMachine(b -> b.stateMachineArn(created.stateMachineArn())).definition())
                .contains("\"Pass\"");
        StartExecutionResponse started = client.startExecution(b -> b.stateMachineArn(created.stateMachineArn())
                .name("run-1").input("{\"a\":1}"));
        // same name and input while running (or just started) is idempotent; a different input is not
        DescribeExecutionResponse d = awaitDone(started.executionArn());
        assertThat(d.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(d.output()).isEqualTo("{\"ok\":1}");
        assertThat(d.startDate()).isNotNull();
        assertThat(d.stopDate()).isAfterOrEqualTo(d.startDate());
        assertThatThrownBy(() -> client.startExecution(b -> b.stateMachineArn(created.stateMachineArn())
                .name("run-1").input("{\"a\":2}"))).isInstanceOf(ExecutionAlreadyExistsException.class);

        GetExecutionHistoryResponse h = client.getExecutionHistory(b -> b.executionArn(started.executionArn()));
        assertThat(h.events()).extracting(HistoryEvent::type).containsExactly(HistoryEventType.EXECUTION_STARTED,
                HistoryEventType.PASS_STATE_ENTERED, HistoryEventType.PASS_STATE_EXITED,
                HistoryEventType.EXECUTION_SUCCEEDED);
        assertThat(h.events().get(2).previousEventId()).isEqualTo(2L);
        assertThat(h.events().get(2).stateExitedEventDetails().output()).isEqualTo("{\"ok\":1}");
        GetExecutionHistoryResponse rev = client.getExecutionHistory(b -> b.executionArn(started.executionArn())
                .reverseOrder(true).maxResults(1));
        assertThat(rev.events().get(0).type()).isEqualTo(HistoryEventType.EXECUTION_SUCCEEDED);
        assertThat(rev.nextToken()).isNotNull();

        assertThatThrownBy(() -> client.describeExecution(b -> b.executionArn(
                "arn:aws:states:us-east-1:000000000000:execution:sdk-basic:nope")))
                .isInstanceOf(ExecutionDoesNotExistException.class);
        assertThatThrownBy(() -> client.createStateMachine(b -> b.name("bad").roleArn(ROLE)
                .definition("{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Pass\",\"Next\":\"B\"}}}")))
                .isInstanceOf(InvalidDefinitionException.class).hasMessageContaining("/States/A/Next");
    }

    @Test
    void listExecutions_shouldPaginateAndFilter() {
        String sm = client.createStateMachine(b -> b.name("sdk-list").roleArn(ROLE)
                .definition("{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Pass\",\"End\":true}}}")).stateMachineArn();
        List<String> arns = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int n = i;
            arns.add(client.startExecution(b -> b.stateMachineArn(sm).name("e" + n)).executionArn());
        }
        arns.forEach(SfnClientIT::awaitDone);
        ListExecutionsResponse first = client.listExecutions(b -> b.stateMachineArn(sm).maxResults(2));
        assertThat(first.executions()).hasSize(2);
        List<String> seen = new ArrayList<>();
        first.executions().forEach(e -> seen.add(e.executionArn()));
        String token = first.nextToken();
        while (token != null) {
            String t = token;
            ListExecutionsResponse page = client.listExecutions(b -> b.stateMachineArn(sm).maxResults(2).nextToken(t));
            page.executions().forEach(e -> seen.add(e.executionArn()));
            token = page.nextToken();
        }
        assertThat(seen).containsExactlyInAnyOrderElementsOf(arns);
        assertThat(client.listExecutions(b -> b.stateMachineArn(sm).statusFilter(ExecutionStatus.FAILED)).executions())
                .isEmpty();
    }

    @Test
    void taskToken_stop_and_redrive_shouldWork() throws Exception {
        String sm = client.createStateMachine(b -> b.name("sdk-token").roleArn(ROLE).definition("""
                {"StartAt":"Ask","States":{
                  "Ask":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                         "Parameters":{"QueueUrl":"q","MessageBody.$":"$$.Task.Token"},"Next":"Work"},
                  "Work":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:000000000000:function:sdkFlaky","End":true}}}
                """)).stateMachineArn();
        sfn.integration.script("sdkFlaky", Json.parse("[{\"error\":\"Boom\",\"cause\":\"first\"},{\"return\":{\"ok\":2}}]"));
        String arn = client.startExecution(b -> b.stateMachineArn(sm).input("{}")).executionArn();
        String token = sfn.integration.tokens.poll(10, TimeUnit.SECONDS);
        assertThat(token).isNotNull();
        assertThatThrownBy(() -> client.sendTaskSuccess(b -> b.taskToken("garbage").output("{}")))
                .isInstanceOf(InvalidTokenException.class);
        client.sendTaskSuccess(b -> b.taskToken(token).output("{\"approved\":true}"));
        assertThatThrownBy(() -> client.sendTaskSuccess(b -> b.taskToken(token).output("{}")))
                .isInstanceOf(TaskDoesNotExistException.class);
        DescribeExecutionResponse failed = awaitDone(arn);
        assertThat(failed.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(failed.error()).isEqualTo("Boom");

        client.redriveExecution(b -> b.executionArn(arn));
        DescribeExecutionResponse redriven = awaitDone(arn);
        assertThat(redriven.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(redriven.output()).isEqualTo("{\"ok\":2}");
        assertThat(redriven.redriveCount()).isEqualTo(1);
        assertThat(client.getExecutionHistory(b -> b.executionArn(arn).maxResults(1000)).events())
                .extracting(HistoryEvent::type).contains(HistoryEventType.EXECUTION_REDRIVEN);
        assertThatThrownBy(() -> client.redriveExecution(b -> b.executionArn(arn)))
                .isInstanceOf(ExecutionNotRedrivableException.class);

        String waiting = client.startExecution(b -> b.stateMachineArn(sm).input("{}")).executionArn();
        assertThat(sfn.integration.tokens.poll(10, TimeUnit.SECONDS)).isNotNull();
        client.stopExecution(b -> b.executionArn(waiting).error("Cancelled").cause("by test"));
        DescribeExecutionResponse stopped = client.describeExecution(b -> b.executionArn(waiting));
        assertThat(stopped.status()).isEqualTo(ExecutionStatus.ABORTED);
        assertThat(client.describeStateMachineForExecution(b -> b.executionArn(waiting)).definition())
                .contains("waitForTaskToken");
    }

    @Test
    void startSyncExecution_shouldReturnTheOutputOfAnExpressMachine() {
        String sm = client.createStateMachine(b -> b.name("sdk-express").roleArn(ROLE).type(StateMachineType.EXPRESS)
                .definition("{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Pass\",\"Parameters\":{\"d.$\":\"States.MathAdd($.x, 1)\"},\"End\":true}}}"))
                .stateMachineArn();
        StartSyncExecutionResponse r = client.startSyncExecution(b -> b.stateMachineArn(sm).input("{\"x\":41}"));
        assertThat(r.status()).isEqualTo(SyncExecutionStatus.SUCCEEDED);
        assertThat(r.output()).isEqualTo("{\"d\":42}");
    }
}
