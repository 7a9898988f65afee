package dev.skyloom.handlers.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyloom.aws.agent.DynamoDbMemoryStore;
import dev.skyloom.aws.agent.S3Workspace;
import dev.skyloom.core.agent.tools.Memory;
import dev.skyloom.core.agent.tools.Workspace;
import dev.skyloom.core.agent.tools.WorkspacePath;
import dev.skyloom.core.identity.TenantId;
import dev.skyloom.local.cloud.LocalCloud;
import dev.skyloom.local.cloud.LocalCloudConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
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
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The agent tools' adapters against the local cloud's real emulators (DynamoDB Local, s3proxy), with no platform
 * functions deployed: the test creates the main table's key schema and the workspaces bucket itself.
 */
class AgentToolStoresIT {
    private static final String TABLE = "main";
    private static final String BUCKET = "workspaces";
    private static final TenantId ACME = new TenantId("acme");
    private static final TenantId OTHER = new TenantId("other");

    @TempDir
    static Path dataDir;
    static LocalCloud cloud;
    static DynamoDbClient dynamoDb;
    static S3Client s3;

    @BeforeAll
    static void start() throws Exception {
        cloud = new LocalCloud(LocalCloudConfig.ephemeral(dataDir, null)).start();
        StaticCredentialsProvider credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("test",
                "test"));
        dynamoDb = DynamoDbClient.builder().endpointOverride(cloud.edgeEndpoint()).region(Region.US_EAST_1)
                .credentialsProvider(credentials).build();
        s3 = S3Client.builder().endpointOverride(cloud.edgeEndpoint()).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(credentials).build();
        dynamoDb.createTable(b -> b.tableName(TABLE).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(a -> a.attributeName("pk").attributeType(ScalarAttributeType.S),
                        a -> a.attributeName("sk").attributeType(ScalarAttributeType.S))
                .keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH),
                        k -> k.attributeName("sk").keyType(KeyType.RANGE)));
        s3.createBucket(b -> b.bucket(BUCKET));
    }

    @AfterAll
    static void stop() {
        dynamoDb.close();
        s3.close();
        cloud.close();
    }

    private static Memory memory(String id, Memory.Vault vault, String content) {
        return new Memory(id, vault, Memory.Type.LESSON, content, List.of("ops"), "agt_1",
                Instant.parse("2026-11-21T10:00:00Z"), 0, null);
    }

    @Test
    void memory_createIsConditional_listIsPerVault_andRecallsAreCounted() {
        DynamoDbMemoryStore store = new DynamoDbMemoryStore(dynamoDb, TABLE);
        Memory.Vault mine = Memory.Vault.agent("agt_1");
        Memory.Vault shared = Memory.Vault.project("prj_1");

        boolean first = store.create(ACME, memory("mem_a", mine, "check the queue depth"));
        boolean retry = store.create(ACME, memory("mem_a", mine, "a retried turn's different text"));
        store.create(ACME, memory("mem_b", shared, "release on tuesdays"));
        store.create(ACME, memory("mem_c", Memory.Vault.agent("agt_2"), "not mine"));
        store.create(OTHER, memory("mem_d", mine, "another tenant"));
        store.recordRecalls(ACME, List.of(memory("mem_a", mine, "")), Instant.parse("2026-11-21T11:00:00Z"));
        store.recordRecalls(ACME, List.of(memory("mem_gone", mine, "")), Instant.parse("2026-11-21T11:00:00Z"));

        List<Memory> personal = store.list(ACME, mine, 100);
        assertThat(first).isTrue();
        assertThat(retry).isFalse();
        assertThat(personal).singleElement().satisfies(m -> {
            assertThat(m.content()).isEqualTo("check the queue depth");
            assertThat(m.tags()).containsExactly("ops");
            assertThat(m.recalls()).isEqualTo(1);
            assertThat(m.lastRecalledAt()).isEqualTo(Instant.parse("2026-11-21T11:00:00Z"));
        });
        assertThat(store.list(ACME, shared, 100)).extracting(Memory::id).containsExactly("mem_b");
        assertThat(store.list(OTHER, mine, 100)).extracting(Memory::id).containsExactly("mem_d");
        Memory.Vault many = Memory.Vault.agent("agt_many");
        IntStream.range(0, 30).forEach(i -> store.create(ACME, memory("mem_" + i, many, "item " + i)));
        assertThat(store.list(ACME, many, 25)).hasSize(25);
        assertThat(dynamoDb.getItem(b -> b.tableName(TABLE).key(java.util.Map.of(
                "pk", AttributeValue.fromS("TENANT#acme"), "sk", AttributeValue.fromS("MEMORY#AGENT#agt_1#mem_a"))))
                .item()).containsKey("content");
    }

    @Test
    void workspace_writeReadListDelete_underTheRunsPrefix() {
        S3Workspace workspace = new S3Workspace(s3, BUCKET);
        byte[] text = "# Plan\n".getBytes(StandardCharsets.UTF_8);

        workspace.write("acme", "run_1", WorkspacePath.of("notes/plan.md"), text, "text/markdown");
        workspace.write("acme", "run_1", WorkspacePath.of("notes/todo.md"), "x".repeat(50).getBytes(), "text/plain");
        workspace.write("acme", "run_1", WorkspacePath.of("top.txt"), new byte[] {1}, "text/plain");
        workspace.write("acme", "run_2", WorkspacePath.of("notes/plan.md"), new byte[] {2}, "text/plain");

        assertThat(workspace.read("acme", "run_1", WorkspacePath.of("notes/plan.md"), 1000))
                .hasValueSatisfying(c -> assertThat(c.bytes()).isEqualTo(text));
        assertThat(workspace.read("acme", "run_1", WorkspacePath.of("notes/todo.md"), 10)).hasValueSatisfying(c -> {
            assertThat(c.bytes()).hasSize(10);
            assertThat(c.size()).isEqualTo(50);
            assertThat(c.truncated()).isTrue();
        });
        assertThat(workspace.read("acme", "run_1", WorkspacePath.of("missing.md"), 10)).isEmpty();
        Workspace.Listing notes = workspace.list("acme", "run_1", Optional.of(WorkspacePath.of("notes")), 10);
        assertThat(notes.entries()).extracting(Workspace.Entry::path)
                .containsExactly("notes/plan.md", "notes/todo.md");
        Workspace.Listing capped = workspace.list("acme", "run_1", Optional.empty(), 2);
        assertThat(capped.entries()).hasSize(2);
        assertThat(capped.truncated()).isTrue();
        assertThat(workspace.delete("acme", "run_1", WorkspacePath.of("top.txt"))).isTrue();
        assertThat(workspace.delete("acme", "run_1", WorkspacePath.of("top.txt"))).isFalse();
        assertThat(s3.listObjectsV2(b -> b.bucket(BUCKET)).contents()).extracting(o -> o.key())
                .containsExactlyInAnyOrder("tenants/acme/runs/run_1/workspace/notes/plan.md",
                        "tenants/acme/runs/run_1/workspace/notes/todo.md",
                        "tenants/acme/runs/run_2/workspace/notes/plan.md");
        assertThat(workspace.read("other", "run_1", WorkspacePath.of("notes/plan.md"), 1000))
                .as("a run id of another tenant names another workspace").isEmpty();
    }
}
