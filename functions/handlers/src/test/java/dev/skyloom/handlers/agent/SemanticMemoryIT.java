package dev.skyloom.handlers.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.skyloom.aws.agent.DynamoDbMemoryStore;
import dev.skyloom.aws.bedrock.BedrockEmbeddings;
import dev.skyloom.core.agent.model.ModelException;
import dev.skyloom.core.agent.tools.Embeddings;
import dev.skyloom.core.agent.tools.Memory;
import dev.skyloom.core.agent.tools.MemoryTools;
import dev.skyloom.core.agent.tools.Tool;
import dev.skyloom.core.agent.tools.ToolContext;
import dev.skyloom.core.agent.tools.ToolInvoker;
import dev.skyloom.core.agent.tools.ToolJson;
import dev.skyloom.core.agent.tools.ToolResult;
import dev.skyloom.core.identity.Principal;
import dev.skyloom.core.identity.TenantId;
import dev.skyloom.local.cloud.LocalCloud;
import dev.skyloom.local.cloud.LocalCloudConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * Semantic memory recall with the production adapters against the local cloud: {@link BedrockEmbeddings} on the
 * edge's model server (InvokeModel, Titan Text Embeddings V2) and {@link DynamoDbMemoryStore} on DynamoDB Local.
 */
class SemanticMemoryIT {
    private static final String TABLE = "main";
    private static final TenantId ACME = new TenantId("acme");
    private static final Principal AGENT = new Principal(ACME, "agent:agt_1", null, Set.of("*"), false);
    private static final String SYNONYM = "The automobile servicing is due in spring";
    /** Shares a word with the query, not its meaning. */
    private static final String DISTRACTOR = "Maintenance windows for the database are on Sundays";
    private static final String OTHER = "Release notes are written on Thursdays";

    @TempDir
    static Path dataDir;
    static LocalCloud cloud;
    static DynamoDbClient dynamoDb;
    static BedrockEmbeddings embeddings;

    @BeforeAll
    static void start() throws Exception {
        cloud = new LocalCloud(LocalCloudConfig.ephemeral(dataDir, null)).start();
        StaticCredentialsProvider credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("test",
                "test"));
        dynamoDb = DynamoDbClient.builder().endpointOverride(cloud.edgeEndpoint()).region(Region.US_EAST_1)
                .credentialsProvider(credentials).build();
        dynamoDb.createTable(b -> b.tableName(TABLE).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(a -> a.attributeName("pk").attributeType(ScalarAttributeType.S),
                        a -> a.attributeName("sk").attributeType(ScalarAttributeType.S))
                .keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH),
                        k -> k.attributeName("sk").keyType(KeyType.RANGE)));
        embeddings = BedrockEmbeddings.create(cloud.edgeEndpoint(), Region.US_EAST_1, credentials,
                BedrockEmbeddings.TITAN_V2);
    }

    @AfterAll
    static void stop() {
        embeddings.close();
        dynamoDb.close();
        cloud.close();
    }

    private static double cosine(float[] a, float[] b) {
        return new Memory.Embedding("s", a).cosine(new Memory.Embedding("s", b));
    }

    @Test
    void bedrockEmbeddings_onTheLocalModelServer_givesUnitVectors_closeForSynonyms() {
        float[] car = embeddings.embed("my car");
        float[] automobile = embeddings.embed("an automobile");
        float[] lunch = embeddings.embed("lunch at noon");

        assertThat(embeddings.space()).isEqualTo("amazon.titan-embed-text-v2:0/256");
        assertThat(car).hasSize(256);
        assertThat(cosine(car, car)).isCloseTo(1.0, Offset.offset(1e-5));
        assertThat(cosine(car, automobile)).isGreaterThan(0.9);
        assertThat(Math.abs(cosine(car, lunch))).isLessThan(0.3);
    }

    @Test
    void bedrockEmbeddings_aRefusedRequest_isAnInvalidModelException() {
        assertThatThrownBy(() -> embeddings.embed("")).isInstanceOfSatisfying(ModelException.class, e -> {
            assertThat(e.kind()).isEqualTo(ModelException.Kind.INVALID);
            assertThat(e.getMessage()).contains("amazon.titan-embed-text-v2:0", "ValidationException", "inputText");
        });
    }

    @Test
    void dynamoDbMemoryStore_roundTripsTheEmbedding_asHalfPrecisionBytes() {
        DynamoDbMemoryStore store = new DynamoDbMemoryStore(dynamoDb, TABLE);
        Memory.Vault vault = Memory.Vault.agent("agt_store");
        float[] vector = embeddings.embed(SYNONYM);
        Memory with = new Memory("mem_e", vault, Memory.Type.FACT, SYNONYM, List.of(), "agt_store",
                Instant.parse("2026-11-21T10:00:00Z"), 0, null, new Memory.Embedding(embeddings.space(), vector));
        Memory without = new Memory("mem_n", vault, Memory.Type.FACT, "old", List.of(), "agt_store",
                Instant.parse("2026-11-21T10:00:00Z"), 0, null);

        store.create(ACME, with);
        store.create(ACME, without);
        store.recordRecalls(ACME, List.of(with), Instant.parse("2026-11-21T11:00:00Z"));
        Map<String, Memory> read = store.list(ACME, vault, 10).stream()
                .collect(java.util.stream.Collectors.toMap(Memory::id, m -> m));

        assertThat(read.get("mem_n").embedding()).isNull();
        Memory.Embedding back = read.get("mem_e").embedding();
        assertThat(back.space()).isEqualTo("amazon.titan-embed-text-v2:0/256");
        assertThat(back.vector()).hasSize(256);
        assertThat(cosine(back.vector(), vector)).isCloseTo(1.0, Offset.offset(1e-3));
        assertThat(read.get("mem_e").recalls()).isEqualTo(1);
        Map<String, AttributeValue> item = dynamoDb.getItem(b -> b.tableName(TABLE).key(Map.of(
                "pk", AttributeValue.fromS("TENANT#acme"), "sk", AttributeValue.fromS("MEMORY#AGENT#agt_store#mem_e"))))
                .item();
        assertThat(item.get("embedding").b().asByteArray()).hasSize(512);
        assertThat(item.get("embeddingSpace").s()).isEqualTo("amazon.titan-embed-text-v2:0/256");
    }

    @Test
    void recall_withBedrockEmbeddings_ranksTheSynonymMemoryFirst_thatLexicalRecallMisses() {
        DynamoDbMemoryStore store = new DynamoDbMemoryStore(dynamoDb, TABLE);
        List<Tool> semantic = MemoryTools.all(store, Optional.<Embeddings>of(embeddings), Clock.systemUTC());
        List<Tool> lexical = MemoryTools.all(store, Clock.systemUTC());
        remember(semantic, SYNONYM, "e2e/1/0");
        remember(semantic, DISTRACTOR, "e2e/1/1");
        remember(semantic, OTHER, "e2e/1/2");

        List<String> withEmbeddings = recall(semantic, "vehicle maintenance");
        List<String> withoutEmbeddings = recall(lexical, "vehicle maintenance");

        assertThat(withEmbeddings).containsExactly(SYNONYM, DISTRACTOR);
        assertThat(withoutEmbeddings).containsExactly(DISTRACTOR);
    }

    private static ToolContext context(String callKey) {
        return new ToolContext(AGENT, Optional.empty(), "run_1", "write", "agt_e2e", 1, callKey, "agent",
                Optional.empty());
    }

    private static void remember(List<Tool> tools, String content, String callKey) {
        ToolResult result = ToolInvoker.create().invoke(tools, "remember", ToolJson.parse(
                "{\"type\": \"fact\", \"content\": \"" + content + "\"}"), context(callKey));
        assertThat(result.error()).as(result.content()).isFalse();
    }

    private static List<String> recall(List<Tool> tools, String query) {
        ToolResult result = ToolInvoker.create().invoke(tools, "recall", ToolJson.parse(
                "{\"query\": \"" + query + "\"}"), context("e2e/2/0"));
        assertThat(result.error()).as(result.content()).isFalse();
        return ToolJson.parse(result.content()).path("memories").findValues("content").stream()
                .map(JsonNode::asText).toList();
    }
}
