package dev.skyloom.local.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.FunctionConfiguration;
import software.amazon.awssdk.services.lambda.model.InvalidParameterValueException;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.LogType;
import software.amazon.awssdk.services.lambda.model.ResourceConflictException;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;
import software.amazon.awssdk.services.lambda.model.Runtime;
import software.amazon.awssdk.services.lambda.model.TooManyRequestsException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/** The local cloud's services through the real SDK v2 clients, on the edge, with the emulators behind it. */
class LocalCloudIT {
    private static final String ROLE = "arn:aws:iam::000000000000:role/test";
    private static final String PKG = "dev.skyloom.local.cloud.testfunctions.";

    @TempDir
    static Path dataDir;
    static LocalCloud cloud;
    static URI edge;
    static DynamoDbClient dynamoDb;
    static SqsClient sqs;
    static S3Client s3;
    static LambdaClient lambda;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        cloud = new LocalCloud(LocalCloudConfig.ephemeral(dataDir, null)).start();
        edge = cloud.edgeEndpoint();
        dynamoDb = TestClients.dynamoDb(edge);
        sqs = TestClients.sqs(edge);
        s3 = TestClients.s3(edge);
        lambda = TestClients.lambda(edge);
    }

    @AfterAll
    static void stop() {
        cloud.close();
    }

    // ------------------------------------------------------------------ DynamoDB, SQS, S3 through the edge

    @Test
    void dynamoDb_putThenGet_returnsTheItem_andConditionsAreEnforced() {
        dynamoDb.createTable(b -> b.tableName("items").billingMode("PAY_PER_REQUEST")
                .attributeDefinitions(a -> a.attributeName("id").attributeType(ScalarAttributeType.S))
                .keySchema(k -> k.attributeName("id").keyType("HASH")));
        dynamoDb.putItem(b -> b.tableName("items").item(Map.of("id", AttributeValue.fromS("1"),
                "name", AttributeValue.fromS("first"))));

        Map<String, AttributeValue> item = dynamoDb.getItem(b -> b.tableName("items")
                .key(Map.of("id", AttributeValue.fromS("1")))).item();

        assertThat(item).containsEntry("name", AttributeValue.fromS("first"));
        assertThat(dynamoDb.listTables().tableNames()).contains("items");
        assertThatThrownBy(() -> dynamoDb.putItem(b -> b.tableName("items").conditionExpression(
                "attribute_not_exists(id)").item(Map.of("id", AttributeValue.fromS("1")))))
                .isInstanceOf(ConditionalCheckFailedException.class);
    }

    @Test
    void sqs_sendThenReceive_deliversTheMessage_andQueueUrlsPointAtTheEdge() {
        String url = sqs.createQueue(b -> b.queueName("orders")).queueUrl();
        sqs.sendMessage(b -> b.queueUrl(url).messageBody("order-1"));

        List<Message> messages = sqs.receiveMessage(b -> b.queueUrl(url).waitTimeSeconds(2)).messages();

        assertThat(url).isEqualTo(edge + "/000000000000/orders");
        assertThat(messages).extracting(Message::body).containsExactly("order-1");
        assertThat(sqs.listQueues().queueUrls()).contains(url);
    }

    @Test
    void s3_putListGet_roundTripsObjects() {
        s3.createBucket(b -> b.bucket("docs"));
        s3.putObject(b -> b.bucket("docs").key("a/b.txt"), RequestBody.fromString("hello s3"));

        List<S3Object> listed = s3.listObjectsV2(b -> b.bucket("docs")).contents();
        String body = s3.getObject(b -> b.bucket("docs").key("a/b.txt"), ResponseTransformer.toBytes()).asUtf8String();
        long length = s3.headObject(b -> b.bucket("docs").key("a/b.txt")).contentLength();

        assertThat(listed).extracting(S3Object::key).containsExactly("a/b.txt");
        assertThat(body).isEqualTo("hello s3");
        assertThat(length).isEqualTo(8);
    }

    @Test
    void s3_largeObject_isStreamedThroughTheEdge() {
        s3.createBucket(b -> b.bucket("big"));
        byte[] data = new byte[12 * 1024 * 1024];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31);
        }
        s3.putObject(b -> b.bucket("big").key("blob"), RequestBody.fromBytes(data));

        byte[] back = s3.getObject(b -> b.bucket("big").key("blob"), ResponseTransformer.toBytes()).asByteArray();

        assertThat(back).isEqualTo(data);
    }

    // ------------------------------------------------------------------ the edge's own errors

    @Test
    void edge_unknownService_answers400WithAnAwsShapedError() throws Exception {
        HttpResponse<String> response = post("/", "Kinesis_20131202.ListStreams", "{}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("x-amzn-ErrorType")).contains("UnknownServiceException");
        assertThat(response.body()).contains("\"__type\":\"UnknownServiceException\"")
                .contains("Kinesis_20131202").contains("available: bedrock, dynamodb, events, lambda, s3, sqs, states");
    }

    @Test
    void edge_unknownDynamoDbOperation_answers400UnknownOperation() throws Exception {
        HttpResponse<String> response = post("/", "DynamoDB_20120810.DropEverything", "{}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("UnknownOperationException");
    }

    @Test
    void edge_malformedDynamoDbBody_answers400SerializationError() throws Exception {
        HttpResponse<String> response = post("/", "DynamoDB_20120810.ListTables", "{not json");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).containsIgnoringCase("SerializationException");
    }

    @Test
    void edge_malformedSqsJsonBody_answers400SerializationError() throws Exception {
        HttpResponse<String> response = post("/", "AmazonSQS.ListQueues", "[1,2");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("SerializationException");
    }

    @Test
    void edge_health_listsTheRunningServices() throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(edge.resolve("/_skyloom/health")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"dynamodb\":\"running\"", "\"sqs\":\"running\"",
                "\"s3\":\"running\"", "\"lambda\":\"running\"", "\"states\":\"running\"",
                "\"events\":\"running\"");
    }

    private HttpResponse<String> post(String path, String target, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(edge.resolve(path))
                .header("Content-Type", "application/x-amz-json-1.0")
                .header("X-Amz-Target", target)
                .header("Authorization", "AWS4-HMAC-SHA256 Credential=test/20261121/us-east-1/x/aws4_request, "
                        + "SignedHeaders=host, Signature=0")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    // ------------------------------------------------------------------ Lambda

    private static FunctionConfiguration createFunction(String name, String handler, int timeout,
                                                        Map<String, String> environment) {
        var response = lambda.createFunction(b -> b.functionName(name).runtime(Runtime.JAVA21).role(ROLE)
                .handler(handler).timeout(timeout).memorySize(512)
                .environment(e -> e.variables(environment))
                .code(c -> c.zipFile(SdkBytes.fromByteArray(TestClients.testFunctionsZip()))));
        return FunctionConfiguration.builder().functionName(response.functionName())
                .functionArn(response.functionArn()).handler(response.handler()).build();
    }

    @Test
    void lambda_createAndInvoke_runsTheHandlerInItsOwnClassLoaderWithItsEnvironment() {
        FunctionConfiguration created = createFunction("echo", PKG + "EchoHandler", 30, Map.of("GREETING", "hi"));

        InvokeResponse response = lambda.invoke(b -> b.functionName("echo").logType(LogType.TAIL)
                .payload(SdkBytes.fromUtf8String("{\"x\":1}")));

        String body = response.payload().asUtf8String();
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.functionError()).isNull();
        assertThat(response.executedVersion()).isEqualTo("$LATEST");
        assertThat(body).contains("\"payload\":{\"x\":1}", "\"function\":\"echo\"", "\"greeting\":\"hi\"",
                "\"region\":\"us-east-1\"", "\"loader\":\"lambda:echo\"");
        long remaining = Long.parseLong(body.replaceAll(".*\"remainingMs\":(\\d+).*", "$1"));
        assertThat(remaining).isBetween(1L, 30_000L);
        String log = new String(java.util.Base64.getDecoder().decode(response.logResult()), StandardCharsets.UTF_8);
        assertThat(log).contains("START RequestId:", "echo handler saw 7 bytes", "logged through the Lambda logger",
                "REPORT RequestId:");
        assertThat(created.functionArn()).isEqualTo("arn:aws:lambda:us-east-1:000000000000:function:echo");
        assertThat(lambda.getFunction(b -> b.functionName(created.functionArn())).configuration().handler())
                .isEqualTo(PKG + "EchoHandler");
    }

    @Test
    void lambda_pojoHandler_getsAndReturnsJsonObjects() {
        createFunction("greeting", PKG + "GreetingHandler", 10, Map.of());

        InvokeResponse response = lambda.invoke(b -> b.functionName("greeting")
                .payload(SdkBytes.fromUtf8String("{\"name\":\"Ada\"}")));

        assertThat(response.payload().asUtf8String()).contains("\"greeting\":\"hello Ada\"");
    }

    @Test
    void lambda_handlerException_isReportedAsAwsDoes() {
        createFunction("failing", PKG + "FailingHandler::fail", 10, Map.of());

        InvokeResponse response = lambda.invoke(b -> b.functionName("failing")
                .payload(SdkBytes.fromUtf8String("{\"reason\":\"bad\"}")));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.functionError()).isEqualTo("Unhandled");
        assertThat(response.payload().asUtf8String())
                .contains("\"errorType\":\"java.lang.IllegalStateException\"")
                .contains("\"errorMessage\":\"the input was refused: bad\"")
                .contains("\"stackTrace\"")
                .contains("\"cause\":{\"errorMessage\":\"root cause\"");
    }

    @Test
    void lambda_invocationOverItsTimeout_failsWithSandboxTimedout() {
        createFunction("slow", PKG + "SlowHandler", 1, Map.of());

        long t0 = System.nanoTime();
        InvokeResponse response = lambda.invoke(b -> b.functionName("slow").payload(SdkBytes.fromUtf8String("5000")));
        long elapsedMs = (System.nanoTime() - t0) / 1_000_000;

        assertThat(response.functionError()).isEqualTo("Unhandled");
        assertThat(response.payload().asUtf8String()).contains("\"errorType\":\"Sandbox.Timedout\"")
                .contains("Task timed out after 1.00 seconds");
        assertThat(elapsedMs).as("the invocation ends at its timeout, not when the handler would").isLessThan(4000);
    }

    @Test
    void lambda_anInvocationInFlight_finishesOnItsEnvironment_whenTheFunctionIsUpdated() throws Exception {
        // code loaded from a jar in place (hot reload), as the platform's functions are: closing its class loader
        // closes the jar, so a class the invocation has not loaded yet could no longer be found
        java.nio.file.Path jar = java.nio.file.Files.createTempDirectory("late").resolve("functions.jar");
        java.nio.file.Files.write(jar, TestClients.testFunctionsZip());
        lambda.createFunction(b -> b.functionName("late").runtime(Runtime.JAVA21).role(ROLE)
                .handler(PKG + "LateLoadingHandler").timeout(10).memorySize(512)
                .environment(e -> e.variables(Map.of("V", "1")))
                .code(c -> c.s3Bucket("hot-reload").s3Key(jar.toString())));
        lambda.invoke(b -> b.functionName("late").payload(SdkBytes.fromUtf8String("-1")));
        java.nio.file.Path started = java.nio.file.Files.createTempDirectory("late").resolve("started");
        CompletableFuture<InvokeResponse> running = CompletableFuture.supplyAsync(() -> lambda.invoke(b -> b
                .functionName("late").payload(SdkBytes.fromUtf8String("\"1500 " + started + "\""))));
        Poll.until(Duration.ofSeconds(10), "the invocation to be in flight", () -> java.nio.file.Files.exists(started));

        lambda.updateFunctionConfiguration(b -> b.functionName("late").environment(e -> e.variables(Map.of("V", "2"))));

        InvokeResponse response = running.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(response.functionError()).as(response.payload().asUtf8String()).isNull();
        assertThat(response.payload().asUtf8String()).isEqualTo("\"late class loaded\"");
        assertThat(lambda.invoke(b -> b.functionName("late").payload(SdkBytes.fromUtf8String("0"))).payload()
                .asUtf8String()).as("new invocations get a new environment").isEqualTo("\"late class loaded\"");
    }

    @Test
    void lambda_reservedConcurrency_throttlesTheInvocationBeyondIt() throws Exception {
        createFunction("single", PKG + "SlowHandler", 10, Map.of());
        lambda.putFunctionConcurrency(b -> b.functionName("single").reservedConcurrentExecutions(1));

        // keep one long invocation in the only slot (restarting it if the probe happened to take the slot first),
        // until a second invocation is throttled
        AtomicReference<CompletableFuture<InvokeResponse>> holder = new AtomicReference<>();
        Poll.until(Duration.ofSeconds(15), "an invocation beyond the reserved concurrency to be throttled", () -> {
            if (holder.get() == null || holder.get().isDone()) {
                holder.set(CompletableFuture.supplyAsync(() -> lambda.invoke(b -> b.functionName("single")
                        .payload(SdkBytes.fromUtf8String("2000")))));
            }
            try {
                lambda.invoke(b -> b.functionName("single").payload(SdkBytes.fromUtf8String("0")));
                return false;
            } catch (TooManyRequestsException e) {
                assertThat(e.statusCode()).isEqualTo(429);
                assertThat(e.reasonAsString()).isEqualTo("ReservedFunctionConcurrentInvocationLimitExceeded");
                return true;
            }
        });

        assertThat(holder.get().get().payload().asUtf8String()).isEqualTo("\"done\"");
        assertThat(lambda.getFunctionConcurrency(b -> b.functionName("single")).reservedConcurrentExecutions())
                .isEqualTo(1);
    }

    @Test
    void lambda_eventInvocation_isAcceptedAndRunsLater_andFailuresAreRetriedTwice() throws Exception {
        createFunction("writer", PKG + "FileWriterHandler", 10, Map.of());
        Path ok = dataDir.resolve("event-ok.txt");
        Path failing = dataDir.resolve("event-fail.txt");

        InvokeResponse accepted = lambda.invoke(b -> b.functionName("writer").invocationType(InvocationType.EVENT)
                .payload(SdkBytes.fromUtf8String("\"" + ok + "\"")));
        lambda.invoke(b -> b.functionName("writer").invocationType(InvocationType.EVENT)
                .payload(SdkBytes.fromUtf8String("\"" + failing + "|fail\"")));

        assertThat(accepted.statusCode()).isEqualTo(202);
        Poll.until(Duration.ofSeconds(20), "the event to be processed", () -> Files.exists(ok));
        Poll.until(Duration.ofSeconds(30), "three attempts of the failing event", () -> {
            try {
                return Files.readAllLines(failing).size() == 3;
            } catch (java.io.IOException e) {
                return false;
            }
        });
        assertThat(Files.readAllLines(ok)).hasSize(1);
    }

    @Test
    void lambda_unknownFunction_isResourceNotFound() {
        assertThatThrownBy(() -> lambda.invoke(b -> b.functionName("does-not-exist")))
                .isInstanceOfSatisfying(ResourceNotFoundException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(404);
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ResourceNotFoundException");
                    assertThat(e.getMessage()).contains(
                            "Function not found: arn:aws:lambda:us-east-1:000000000000:function:does-not-exist");
                });
    }

    @Test
    void lambda_createTwice_isConflict_andUnsupportedRuntimeIsInvalid() {
        createFunction("twice", PKG + "EchoHandler", 3, Map.of());

        assertThatThrownBy(() -> createFunction("twice", PKG + "EchoHandler", 3, Map.of()))
                .isInstanceOf(ResourceConflictException.class).hasMessageContaining("Function already exist: twice");
        assertThatThrownBy(() -> lambda.createFunction(b -> b.functionName("py").runtime(Runtime.PYTHON3_12)
                .role(ROLE).handler("index.handler").code(c -> c.zipFile(SdkBytes.fromUtf8String("x")))))
                .isInstanceOf(InvalidParameterValueException.class)
                .hasMessageContaining("Supported runtimes: java11, java17, java21");
    }

    @Test
    void lambda_invalidPayload_isRejectedBeforeTheFunctionRuns() {
        createFunction("strict", PKG + "EchoHandler", 3, Map.of());

        assertThatThrownBy(() -> lambda.invoke(b -> b.functionName("strict")
                .payload(SdkBytes.fromUtf8String("{broken"))))
                .hasMessageContaining("Could not parse request body into json")
                .satisfies(e -> assertThat(((software.amazon.awssdk.awscore.exception.AwsServiceException) e)
                        .awsErrorDetails().errorCode()).isEqualTo("InvalidRequestContentException"));
    }

    @Test
    void lambda_listFunctions_paginatesWithMarkers() {
        for (int i = 0; i < 3; i++) {
            createFunction("page-" + i, PKG + "EchoHandler", 3, Map.of());
        }

        List<String> names = lambda.listFunctionsPaginator(b -> b.maxItems(2)).functions().stream()
                .map(FunctionConfiguration::functionName).filter(n -> n.startsWith("page-")).toList();

        assertThat(names).containsExactly("page-0", "page-1", "page-2");
    }

    @Test
    void lambda_unknownRoute_answers400UnknownOperation() throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(edge.resolve("/2015-03-31/functions/x/nothing"))
                .header("Authorization", "AWS4-HMAC-SHA256 Credential=test/20261121/us-east-1/lambda/aws4_request")
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("x-amzn-ErrorType")).contains("UnknownOperationException");
    }
}
