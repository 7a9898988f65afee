package dev.skyloom.local.cloud.bedrock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skyloom.local.cloud.LocalCloud;
import dev.skyloom.local.cloud.LocalCloudConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.document.Document;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ConversationRole;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseRequest;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseResponse;
import software.amazon.awssdk.services.bedrockruntime.model.Message;
import software.amazon.awssdk.services.bedrockruntime.model.ModelTimeoutException;
import software.amazon.awssdk.services.bedrockruntime.model.ResourceNotFoundException;
import software.amazon.awssdk.services.bedrockruntime.model.ServiceUnavailableException;
import software.amazon.awssdk.services.bedrockruntime.model.StopReason;
import software.amazon.awssdk.services.bedrockruntime.model.ThrottlingException;
import software.amazon.awssdk.services.bedrockruntime.model.Tool;
import software.amazon.awssdk.services.bedrockruntime.model.ToolResultContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ToolUseBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ValidationException;

/** The local model server through the SDK v2's own synchronous Bedrock runtime client: Converse. */
class BedrockIT {
    @TempDir
    static Path dataDir;
    static LocalCloud cloud;
    static BedrockRuntimeClient bedrock;

    @BeforeAll
    static void start() throws Exception {
        Path models = dataDir.resolve("scenarios");
        Scenarios.write(models);
        cloud = new LocalCloud(LocalCloudConfig.ephemeral(dataDir.resolve("cloud"), null).withModelsDir(models))
                .start();
        bedrock = BedrockRuntimeClient.builder().endpointOverride(cloud.edgeEndpoint()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        // no retries: a test must see the first answer of the server, errors included
                        .retryStrategy(AwsRetryStrategy.doNotRetry()).apiCallTimeout(Duration.ofSeconds(30)).build())
                .build();
    }

    @AfterAll
    static void stop() {
        bedrock.close();
        cloud.close();
    }

    static Message user(String text) {
        return Message.builder().role(ConversationRole.USER).content(ContentBlock.fromText(text)).build();
    }

    static Tool tool(String name, Document schema) {
        return Tool.fromToolSpec(s -> s.name(name).description("the " + name + " tool").inputSchema(i -> i.json(schema)));
    }

    static Document completeStepSchema() {
        return Document.fromMap(Map.of("type", Document.fromString("object"),
                "properties", Document.fromMap(Map.of(
                        "text", Document.fromMap(Map.of("type", Document.fromString("string"))),
                        "result", Document.fromMap(Map.of("type", Document.fromString("string"),
                                "enum", Document.fromList(List.of(Document.fromString("DONE"),
                                        Document.fromString("FAILED"))))),
                        "confidence", Document.fromMap(Map.of("type", Document.fromString("integer"),
                                "minimum", Document.fromNumber(1))),
                        "notes", Document.fromMap(Map.of("type", Document.fromString("string"))))),
                "required", Document.fromList(List.of(Document.fromString("text"), Document.fromString("result"),
                        Document.fromString("confidence")))));
    }

    static Map<String, String> meta(String scenario, String agent, String run) {
        return Map.of("skyloom:scenario", scenario, "skyloom:agent", agent, "skyloom:run", run, "skyloom:step", "s1");
    }

    @Test
    void converse_withNoTools_endsTurnWithTextFromThePrompt_deterministically() {
        ConverseRequest request = ConverseRequest.builder().modelId("skyloom.local")
                .messages(user("Summarise the quarterly report for the board")).build();

        ConverseResponse first = bedrock.converse(request);
        ConverseResponse second = bedrock.converse(request);

        assertThat(first.stopReason()).isEqualTo(StopReason.END_TURN);
        assertThat(first.output().message().role()).isEqualTo(ConversationRole.ASSISTANT);
        assertThat(first.output().message().content().getFirst().text())
                .contains("Summarise the quarterly report for the board");
        assertThat(first.usage().inputTokens()).isPositive();
        assertThat(first.usage().outputTokens())
                .isEqualTo((first.output().message().content().getFirst().text().length() + 3) / 4);
        assertThat(first.usage().totalTokens()).isEqualTo(first.usage().inputTokens() + first.usage().outputTokens());
        assertThat(second.output()).isEqualTo(first.output());
        assertThat(second.usage()).isEqualTo(first.usage());
    }

    @Test
    void converse_offeringCompleteStep_callsItWithTheSchemasProperties_thenEndsTurnAfterItsResult() {
        ConverseRequest first = ConverseRequest.builder().modelId("skyloom.local")
                .messages(user("Write the release notes"))
                .toolConfig(t -> t.tools(tool("complete_step", completeStepSchema()), tool("search",
                        Document.fromMap(Map.of("type", Document.fromString("object"))))))
                .build();

        ConverseResponse call = bedrock.converse(first);

        assertThat(call.stopReason()).isEqualTo(StopReason.TOOL_USE);
        ToolUseBlock use = call.output().message().content().getFirst().toolUse();
        assertThat(use.name()).isEqualTo("complete_step");
        Map<String, Document> input = use.input().asMap();
        assertThat(input).containsOnlyKeys("text", "result", "confidence");
        assertThat(input.get("text").asString()).contains("Write the release notes");
        assertThat(input.get("result").asString()).isEqualTo("DONE");
        assertThat(input.get("confidence").asNumber().intValue()).isEqualTo(1);
        assertThat(bedrock.converse(first).output().message().content().getFirst().toolUse().toolUseId())
                .as("same request, same tool use id").isEqualTo(use.toolUseId());

        ConverseResponse after = bedrock.converse(first.toBuilder().messages(first.messages().getFirst(),
                call.output().message(), Message.builder().role(ConversationRole.USER)
                        .content(ContentBlock.fromToolResult(r -> r.toolUseId(use.toolUseId())
                                .content(ToolResultContentBlock.fromText("accepted")))).build()).build());

        assertThat(after.stopReason()).isEqualTo(StopReason.END_TURN);
        assertThat(after.output().message().content().getFirst().text()).contains("Write the release notes");
    }

    @Test
    void converse_offeringGateVerdict_passes() {
        Document schema = Document.fromMap(Map.of("type", Document.fromString("object"),
                "properties", Document.fromMap(Map.of(
                        "verdict", Document.fromMap(Map.of("type", Document.fromString("string"), "enum",
                                Document.fromList(List.of(Document.fromString("pass"), Document.fromString("fail"))))),
                        "reasoning", Document.fromMap(Map.of("type", Document.fromString("string"))))),
                "required", Document.fromList(List.of(Document.fromString("verdict")))));

        ConverseResponse response = bedrock.converse(b -> b.modelId("skyloom.local")
                .messages(user("Is the draft good enough?"))
                .toolConfig(t -> t.tools(tool("gate_verdict", schema), tool("complete_step", completeStepSchema()))));

        ToolUseBlock use = response.output().message().content().getFirst().toolUse();
        assertThat(use.name()).isEqualTo("gate_verdict");
        assertThat(use.input().asMap().get("verdict").asString()).isEqualTo("pass");
        assertThat(use.input().asMap()).containsKey("reasoning");
    }

    @Test
    void converse_scriptedScenario_answersTheAgentsTurnsInOrder_withDeclaredUsage() {
        String run = UUID.randomUUID().toString();
        Map<String, String> turn1 = new java.util.HashMap<>(meta("review", "reviewer", run));
        turn1.put("skyloom:turn", "1");
        Map<String, String> turn2 = new java.util.HashMap<>(turn1);
        turn2.put("skyloom:turn", "2");

        ConverseResponse first = bedrock.converse(b -> b.modelId("anthropic.claude-3-haiku")
                .messages(user("Review README.md")).requestMetadata(turn1));
        ConverseResponse second = bedrock.converse(b -> b.modelId("anthropic.claude-3-haiku")
                .messages(user("Review README.md")).requestMetadata(turn2));

        assertThat(first.stopReason()).isEqualTo(StopReason.TOOL_USE);
        assertThat(first.output().message().content().getFirst().text()).isEqualTo("Let me read it first.");
        ToolUseBlock read = first.output().message().content().get(1).toolUse();
        assertThat(read.name()).isEqualTo("read_file");
        assertThat(read.input().asMap().get("path").asString()).isEqualTo("README.md");
        assertThat(second.stopReason()).isEqualTo(StopReason.END_TURN);
        assertThat(second.output().message().content().getFirst().text()).isEqualTo("Looks good to me.");
        assertThat(second.usage().inputTokens()).isEqualTo(120_000);
        assertThat(second.usage().outputTokens()).isEqualTo(40_000);
        assertThat(second.usage().cacheReadInputTokens()).isEqualTo(5_000);
        assertThat(second.usage().totalTokens()).isEqualTo(165_000);
    }

    @Test
    void converse_scenarioModelId_withoutMetadata_derivesTheTurnFromTheConversation() {
        ConverseResponse first = bedrock.converse(b -> b.modelId("skyloom.scenario.review")
                .messages(user("Review README.md")));
        ToolUseBlock read = first.output().message().content().get(1).toolUse();
        ConverseResponse second = bedrock.converse(b -> b.modelId("skyloom.scenario.review").messages(
                user("Review README.md"), first.output().message(), Message.builder().role(ConversationRole.USER)
                        .content(ContentBlock.fromToolResult(r -> r.toolUseId(read.toolUseId())
                                .content(ToolResultContentBlock.fromText("# Skyloom")))).build()));

        assertThat(read.name()).isEqualTo("read_file");
        assertThat(second.output().message().content().getFirst().text()).isEqualTo("Looks good to me.");
    }

    @Test
    void converse_pastTheScript_repeatsTheLastTurn_forever() {
        for (int turn = 1; turn <= 6; turn++) {
            String t = Integer.toString(turn);
            ConverseResponse response = bedrock.converse(b -> b.modelId("skyloom.local").messages(user("loop"))
                    .requestMetadata(Map.of("skyloom:scenario", "stuck", "skyloom:agent", "looper",
                            "skyloom:turn", t)));

            assertThat(response.output().message().content().getFirst().toolUse().name()).as("turn %s", t)
                    .isEqualTo("search");
        }
    }

    @Test
    void converse_pastTheScript_withoutAnAfterRule_isAValidationError() {
        assertThatThrownBy(() -> bedrock.converse(b -> b.modelId("skyloom.local").messages(user("again"))
                .requestMetadata(Map.of("skyloom:scenario", "review", "skyloom:agent", "reviewer",
                        "skyloom:turn", "3"))))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("scripts 2 turn(s) for agent 'reviewer' and this is turn 3");
    }

    @Test
    void converse_injectedThrottling_failsTheFirstAttemptOfTheTurn_thenAnswers() {
        Map<String, String> metadata = meta("flaky", "writer", UUID.randomUUID().toString());

        assertThatThrownBy(() -> bedrock.converse(b -> b.modelId("skyloom.local").messages(user("draft"))
                .requestMetadata(metadata)))
                .isInstanceOfSatisfying(ThrottlingException.class, e -> assertThat(e.statusCode()).isEqualTo(429))
                .hasMessageContaining("attempt 1 of turn 1");
        ConverseResponse retried = bedrock.converse(b -> b.modelId("skyloom.local").messages(user("draft"))
                .requestMetadata(metadata));

        assertThat(retried.output().message().content().getFirst().text()).isEqualTo("Here is the draft.");
    }

    @Test
    void converse_injectedServiceErrors_areTheSdksExceptions() {
        Map<String, String> metadata = meta("flaky", "unavailable", UUID.randomUUID().toString());
        assertThatThrownBy(() -> bedrock.converse(b -> b.modelId("skyloom.local").messages(user("x"))
                .requestMetadata(metadata)))
                .isInstanceOfSatisfying(ServiceUnavailableException.class, e -> assertThat(e.statusCode()).isEqualTo(503));
        assertThatThrownBy(() -> bedrock.converse(b -> b.modelId("skyloom.local").messages(user("x"))
                .requestMetadata(metadata)))
                .isInstanceOfSatisfying(ModelTimeoutException.class, e -> assertThat(e.statusCode()).isEqualTo(408));
        assertThat(bedrock.converse(b -> b.modelId("skyloom.local").messages(user("x")).requestMetadata(metadata))
                .output().message().content().getFirst().text()).isEqualTo("Finally.");
    }

    @Test
    void converse_everySecondCallThrottled_halfTheCallsFail() {
        int throttled = 0;
        int answered = 0;
        for (int i = 0; i < 10; i++) {
            String turn = Integer.toString(i + 1);
            try {
                bedrock.converse(b -> b.modelId("skyloom.scenario.half-throttled").messages(user("go"))
                        .requestMetadata(Map.of("skyloom:turn", turn)));
                answered++;
            } catch (ThrottlingException e) {
                throttled++;
            }
        }
        assertThat(throttled).isEqualTo(5);
        assertThat(answered).isEqualTo(5);
    }

    @Test
    void converse_delay_isWaitedAndReportedAsLatency() {
        long t0 = System.nanoTime();
        ConverseResponse response = bedrock.converse(b -> b.modelId("skyloom.scenario.slow").messages(user("wait")));
        long ms = (System.nanoTime() - t0) / 1_000_000;

        assertThat(ms).isGreaterThanOrEqualTo(400);
        assertThat(response.metrics().latencyMs()).isEqualTo(400);
    }

    @Test
    void converse_malformedRequest_isAValidationExceptionNamingTheField() {
        assertThatThrownBy(() -> bedrock.converse(b -> b.modelId("skyloom.local").messages(Message.builder()
                .role(ConversationRole.ASSISTANT).content(ContentBlock.fromText("hi")).build())))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.statusCode()).isEqualTo(400))
                .hasMessageContaining("messages.1.role");
        assertThatThrownBy(() -> bedrock.converse(b -> b.modelId("skyloom.local").messages(user("hi"))
                .toolConfig(t -> t.tools(Tool.fromToolSpec(s -> s.name("no_schema").description("d"))))))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("toolConfig.tools.1.toolSpec.inputSchema.json");
        assertThatThrownBy(() -> bedrock.converse(b -> b.modelId("skyloom.local").messages(user("hi"))
                .requestMetadata(Map.of("skyloom:turn", "zero"))))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("requestMetadata.skyloom:turn");
    }

    @Test
    void converse_unknownScenario_isResourceNotFound_listingTheScenarios() {
        assertThatThrownBy(() -> bedrock.converse(b -> b.modelId("skyloom.scenario.nope").messages(user("hi"))))
                .isInstanceOfSatisfying(ResourceNotFoundException.class, e -> assertThat(e.statusCode()).isEqualTo(404))
                .hasMessageContaining("The scenario 'nope' does not exist")
                .hasMessageContaining("flaky, half-throttled, review");
    }

    @Test
    void converse_invalidScenarioFile_isAValidationExceptionNamingTheFieldOfTheFile() {
        assertThatThrownBy(() -> bedrock.converse(b -> b.modelId("skyloom.scenario.broken").messages(user("hi"))))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("agents.a.turns[0].toolCalls[0].name is required");
    }

    @Test
    void converse_editedScenario_isReloaded() throws Exception {
        Path file = cloud.config().effectiveModelsDir().resolve("edited.yaml");
        Files.writeString(file, "agents: {'*': {turns: [{text: before}], after: repeatLast}}\n");
        assertThat(bedrock.converse(b -> b.modelId("skyloom.scenario.edited").messages(user("hi")))
                .output().message().content().getFirst().text()).isEqualTo("before");

        Files.writeString(file, "agents: {'*': {turns: [{text: after the edit}], after: repeatLast}}\n");

        assertThat(bedrock.converse(b -> b.modelId("skyloom.scenario.edited").messages(user("hi")))
                .output().message().content().getFirst().text()).isEqualTo("after the edit");
    }
}
