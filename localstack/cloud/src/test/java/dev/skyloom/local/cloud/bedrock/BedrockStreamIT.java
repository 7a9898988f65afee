package dev.skyloom.local.cloud.bedrock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skyloom.local.cloud.LocalCloud;
import dev.skyloom.local.cloud.LocalCloudConfig;
import dev.skyloom.local.cloud.testing.AwsCli;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlockDeltaEvent;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlockStartEvent;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlockStopEvent;
import software.amazon.awssdk.services.bedrockruntime.model.ConversationRole;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseResponse;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamMetadataEvent;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamOutput;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamRequest;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamResponseHandler;
import software.amazon.awssdk.services.bedrockruntime.model.Message;
import software.amazon.awssdk.services.bedrockruntime.model.MessageStartEvent;
import software.amazon.awssdk.services.bedrockruntime.model.MessageStopEvent;
import software.amazon.awssdk.services.bedrockruntime.model.StopReason;
import software.amazon.awssdk.services.bedrockruntime.model.ThrottlingException;
import software.amazon.awssdk.services.bedrockruntime.model.ValidationException;

/**
 * ConverseStream through the SDK v2's async Bedrock runtime client (Netty, HTTP/1.1), and both APIs through boto3,
 * as a Python user of the local cloud would call them.
 */
class BedrockStreamIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dataDir;
    static LocalCloud cloud;
    static BedrockRuntimeAsyncClient async;
    static BedrockRuntimeClient sync;

    @BeforeAll
    static void start() throws Exception {
        Path models = dataDir.resolve("scenarios");
        Scenarios.write(models);
        cloud = new LocalCloud(LocalCloudConfig.ephemeral(dataDir.resolve("cloud"), null).withModelsDir(models))
                .start();
        ClientOverrideConfiguration noRetries = ClientOverrideConfiguration.builder()
                .retryStrategy(AwsRetryStrategy.doNotRetry()).apiCallTimeout(Duration.ofSeconds(30)).build();
        StaticCredentialsProvider credentials =
                StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));
        async = BedrockRuntimeAsyncClient.builder().endpointOverride(cloud.edgeEndpoint()).region(Region.US_EAST_1)
                .credentialsProvider(credentials).overrideConfiguration(noRetries)
                .httpClientBuilder(NettyNioAsyncHttpClient.builder().protocol(Protocol.HTTP1_1)).build();
        sync = BedrockRuntimeClient.builder().endpointOverride(cloud.edgeEndpoint()).region(Region.US_EAST_1)
                .credentialsProvider(credentials).overrideConfiguration(noRetries).build();
    }

    @AfterAll
    static void stop() {
        async.close();
        sync.close();
        cloud.close();
    }

    static Message user(String text) {
        return Message.builder().role(ConversationRole.USER).content(ContentBlock.fromText(text)).build();
    }

    static List<ConverseStreamOutput> stream(ConverseStreamRequest request) throws Exception {
        List<ConverseStreamOutput> events = new CopyOnWriteArrayList<>();
        async.converseStream(request, ConverseStreamResponseHandler.builder().subscriber(events::add).build())
                .get(30, TimeUnit.SECONDS);
        return events;
    }

    static String deltas(List<ConverseStreamOutput> events, int block, boolean toolInput) {
        StringBuilder out = new StringBuilder();
        for (ConverseStreamOutput event : events) {
            if (event instanceof ContentBlockDeltaEvent d && d.contentBlockIndex() == block) {
                out.append(toolInput ? d.delta().toolUse().input() : d.delta().text());
            }
        }
        return out.toString();
    }

    @Test
    void converseStream_text_arrivesAsDeltasThatAddUpToTheConverseAnswer() throws Exception {
        String prompt = "Tell me a long story about a lighthouse keeper and the fog that never lifts";
        List<ConverseStreamOutput> events = stream(ConverseStreamRequest.builder().modelId("skyloom.local")
                .messages(user(prompt)).build());
        ConverseResponse whole = sync.converse(b -> b.modelId("skyloom.local").messages(user(prompt)));

        assertThat(events.getFirst()).isInstanceOfSatisfying(MessageStartEvent.class,
                e -> assertThat(e.role()).isEqualTo(ConversationRole.ASSISTANT));
        assertThat(events.stream().filter(ContentBlockDeltaEvent.class::isInstance).count())
                .as("the text comes in several deltas").isGreaterThan(1);
        assertThat(deltas(events, 0, false)).isEqualTo(whole.output().message().content().getFirst().text());
        assertThat(events).filteredOn(ContentBlockStopEvent.class::isInstance).hasSize(1);
        assertThat(events.get(events.size() - 2)).isInstanceOfSatisfying(MessageStopEvent.class,
                e -> assertThat(e.stopReason()).isEqualTo(StopReason.END_TURN));
        assertThat(events.getLast()).isInstanceOfSatisfying(ConverseStreamMetadataEvent.class, e -> {
            assertThat(e.usage()).isEqualTo(whole.usage());
            assertThat(e.metrics().latencyMs()).isZero();
        });
    }

    @Test
    void converseStream_toolUse_startsTheBlockWithIdAndName_andStreamsTheInputAsJsonChunks() throws Exception {
        List<ConverseStreamOutput> events = stream(ConverseStreamRequest.builder().modelId("skyloom.local")
                .messages(user("What was the revenue?"))
                .requestMetadata(Map.of("skyloom:scenario", "streaming", "skyloom:turn", "1")).build());

        assertThat(deltas(events, 0, false)).isEqualTo("I will look that up in the knowledge base for you right away.");
        ContentBlockStartEvent start = events.stream().filter(ContentBlockStartEvent.class::isInstance)
                .map(ContentBlockStartEvent.class::cast).findFirst().orElseThrow();
        assertThat(start.contentBlockIndex()).isEqualTo(1);
        assertThat(start.start().toolUse().name()).isEqualTo("search");
        assertThat(start.start().toolUse().toolUseId()).startsWith("tooluse_");
        assertThat(events.stream().filter(e -> e instanceof ContentBlockDeltaEvent d && d.contentBlockIndex() == 1)
                .count()).as("the input comes in several chunks").isGreaterThan(1);
        JsonNode input = JSON.readTree(deltas(events, 1, true));
        assertThat(input).isEqualTo(JSON.readTree("{\"query\":\"quarterly revenue by region\",\"limit\":5,"
                + "\"filters\":{\"year\":2026}}"));
        assertThat(events).filteredOn(ContentBlockStopEvent.class::isInstance).hasSize(2);
        assertThat(events).filteredOn(MessageStopEvent.class::isInstance).singleElement()
                .satisfies(e -> assertThat(((MessageStopEvent) e).stopReason()).isEqualTo(StopReason.TOOL_USE));
    }

    @Test
    void converseStream_declaredUsage_andCacheTokens_areInTheMetadataEvent() throws Exception {
        List<ConverseStreamOutput> events = stream(ConverseStreamRequest.builder().modelId("skyloom.scenario.streaming")
                .messages(user("And then?")).requestMetadata(Map.of("skyloom:turn", "2")).build());

        ConverseStreamMetadataEvent metadata = (ConverseStreamMetadataEvent) events.getLast();
        assertThat(metadata.usage().inputTokens()).isEqualTo(900);
        assertThat(metadata.usage().outputTokens()).isEqualTo(30);
        assertThat(metadata.usage().cacheWriteInputTokens()).isEqualTo(200);
        assertThat(metadata.usage().totalTokens()).isEqualTo(1130);
    }

    @Test
    void converseStream_injectedThrottling_isAThrottlingExceptionOfTheAsyncClient() throws Exception {
        Map<String, String> metadata = Map.of("skyloom:scenario", "flaky", "skyloom:agent", "writer",
                "skyloom:run", UUID.randomUUID().toString());
        ConverseStreamRequest request = ConverseStreamRequest.builder().modelId("skyloom.local")
                .messages(user("draft")).requestMetadata(metadata).build();

        assertThatThrownBy(() -> stream(request)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfSatisfying(ThrottlingException.class,
                        e -> assertThat(e.statusCode()).isEqualTo(429));
        assertThat(deltas(stream(request), 0, false)).isEqualTo("Here is the draft.");
    }

    @Test
    void converseStream_malformedRequest_isAValidationException() {
        ConverseStreamRequest request = ConverseStreamRequest.builder().modelId("skyloom.local")
                .messages(Message.builder().role(ConversationRole.USER).content(ContentBlock.fromText("x")).build())
                .inferenceConfig(c -> c.maxTokens(0)).build();

        assertThatThrownBy(() -> stream(request)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(ValidationException.class).hasMessageContaining("inferenceConfig.maxTokens");
    }

    @Test
    void awsCli_converse_asTheReadmeShowsIt() throws Exception {
        String output = new AwsCli(AwsCli.V1_CURRENT_MODELS, cloud.edgeEndpoint(), dataDir).run("bedrock-runtime",
                "converse", "--model-id", "skyloom.local", "--messages",
                "[{\"role\":\"user\",\"content\":[{\"text\":\"Hello\"}]}]");

        JsonNode response = JSON.readTree(output);
        assertThat(response.at("/output/message/content/0/text").asText()).isEqualTo("Local model answer to: Hello");
        assertThat(response.at("/stopReason").asText()).isEqualTo("end_turn");
    }

    @Test
    void boto3_converseAndConverseStream_workAgainstTheLocalModelServer() throws Exception {
        String script = """
                import json, sys, boto3
                from botocore.config import Config
                client = boto3.client("bedrock-runtime", endpoint_url=sys.argv[1], region_name="us-east-1",
                                      aws_access_key_id="test", aws_secret_access_key="test",
                                      config=Config(retries={"max_attempts": 1, "mode": "standard"}))
                out = {}
                r = client.converse(modelId="skyloom.scenario.streaming",
                                    messages=[{"role": "user", "content": [{"text": "What was the revenue?"}]}])
                out["converse"] = {"stopReason": r["stopReason"], "content": r["output"]["message"]["content"],
                                   "usage": r["usage"]}
                s = client.converse_stream(modelId="skyloom.local",
                                           messages=[{"role": "user", "content": [{"text": "hello from python"}]}])
                text, stop = "", None
                for event in s["stream"]:
                    if "contentBlockDelta" in event:
                        text += event["contentBlockDelta"]["delta"].get("text", "")
                    if "messageStop" in event:
                        stop = event["messageStop"]["stopReason"]
                out["stream"] = {"text": text, "stopReason": stop}
                try:
                    client.converse(modelId="skyloom.scenario.nope",
                                    messages=[{"role": "user", "content": [{"text": "x"}]}])
                except client.exceptions.ResourceNotFoundException as e:
                    out["error"] = e.response["Error"]["Code"]
                print(json.dumps(out))
                """;
        Path file = dataDir.resolve("check_bedrock.py");
        Files.writeString(file, script);
        Process process = new ProcessBuilder("python3", file.toString(), cloud.edgeEndpoint().toString())
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();

        JsonNode result = JSON.readTree(output.lines().reduce((a, b) -> b).orElseThrow());
        assertThat(result.at("/converse/stopReason").asText()).isEqualTo("tool_use");
        assertThat(result.at("/converse/content/1/toolUse/name").asText()).isEqualTo("search");
        assertThat(result.at("/converse/content/1/toolUse/input/limit").asInt()).isEqualTo(5);
        assertThat(result.at("/converse/usage/totalTokens").asLong()).isPositive();
        assertThat(result.at("/stream/text").asText()).isEqualTo("Local model answer to: hello from python");
        assertThat(result.at("/stream/stopReason").asText()).isEqualTo("end_turn");
        assertThat(result.at("/error").asText()).isEqualTo("ResourceNotFoundException");
    }
}
