package dev.skyloom.aws.agent;

import dev.skyloom.core.agent.tools.Memory;
import dev.skyloom.core.agent.tools.MemoryStore;
import dev.skyloom.core.identity.TenantId;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * {@link MemoryStore} on the main table (docs/decisions/0401-memory-and-tools.md): {@code pk = TENANT#<t>},
 * {@code sk = MEMORY#AGENT#<agentId>#<memoryId>} (personal) or {@code MEMORY#PROJECT#<projectId>#<memoryId>}
 * (shared). A vault is read with one Query on its sort-key prefix; a memory is created with a put conditioned on
 * {@code attribute_not_exists(pk)}; a recall is an {@code ADD recalls :1} on an existing item.
 *
 * <p>A memory's embedding is two attributes: {@code embeddingSpace} (S, e.g. {@code amazon.titan-embed-text-v2:0/256})
 * and {@code embedding} (B): the vector as IEEE 754 half-precision floats, little-endian, 2 bytes per dimension
 * (512 bytes at 256 dimensions; base64 on DynamoDB's JSON wire). Half precision keeps about three significant digits,
 * which moves a cosine similarity of unit vectors by less than 0.001, and halves what every recall reads.
 */
public final class DynamoDbMemoryStore implements MemoryStore {
    private static final String PK = "pk";
    private static final String SK = "sk";
    private final DynamoDbClient dynamoDb;
    private final String table;

    public DynamoDbMemoryStore(DynamoDbClient dynamoDb, String table) {
        this.dynamoDb = dynamoDb;
        this.table = table;
    }

    static String partition(TenantId tenant) {
        return "TENANT#" + tenant.value();
    }

    static String vaultPrefix(Memory.Vault vault) {
        return "MEMORY#" + vault.kind().name() + "#" + vault.owner() + "#";
    }

    private static Map<String, AttributeValue> key(TenantId tenant, Memory memory) {
        return Map.of(PK, s(partition(tenant)), SK, s(vaultPrefix(memory.vault()) + memory.id()));
    }

    @Override
    public boolean create(TenantId tenant, Memory memory) {
        Map<String, AttributeValue> item = new HashMap<>(key(tenant, memory));
        item.put("entity", s("MEMORY"));
        item.put("tenantId", s(tenant.value()));
        item.put("id", s(memory.id()));
        item.put("vaultKind", s(memory.vault().kind().name()));
        item.put("vaultOwner", s(memory.vault().owner()));
        item.put("type", s(memory.type().wire()));
        item.put("content", s(memory.content()));
        item.put("tags", AttributeValue.fromL(memory.tags().stream().map(DynamoDbMemoryStore::s).toList()));
        item.put("author", s(memory.author()));
        item.put("createdAt", s(memory.createdAt().toString()));
        item.put("recalls", AttributeValue.fromN(Long.toString(memory.recalls())));
        if (memory.embedding() != null) {
            item.put("embeddingSpace", s(memory.embedding().space()));
            item.put("embedding", AttributeValue.fromB(SdkBytes.fromByteArrayUnsafe(
                    encode(memory.embedding().vector()))));
        }
        try {
            dynamoDb.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)"));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public List<Memory> list(TenantId tenant, Memory.Vault vault, int limit) {
        List<Memory> memories = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            int want = Math.min(500, limit - memories.size());
            QueryResponse page = dynamoDb.query(b -> b.tableName(table).limit(want)
                    .keyConditionExpression("pk = :pk AND begins_with(sk, :prefix)")
                    .expressionAttributeValues(Map.of(":pk", s(partition(tenant)), ":prefix", s(vaultPrefix(vault))))
                    .exclusiveStartKey(from));
            page.items().forEach(item -> memories.add(memory(item, vault)));
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey()
                    : null;
        } while (start != null && memories.size() < limit);
        return memories;
    }

    @Override
    public void recordRecalls(TenantId tenant, Collection<Memory> memories, Instant at) {
        for (Memory memory : memories) {
            try {
                dynamoDb.updateItem(b -> b.tableName(table).key(key(tenant, memory))
                        .updateExpression("ADD recalls :one SET lastRecalledAt = :at")
                        .conditionExpression("attribute_exists(pk)")
                        .expressionAttributeValues(Map.of(":one", AttributeValue.fromN("1"),
                                ":at", s(at.toString()))));
            } catch (ConditionalCheckFailedException e) {
                // deleted since it was read: nothing to count
            }
        }
    }

    private static Memory memory(Map<String, AttributeValue> item, Memory.Vault vault) {
        AttributeValue last = item.get("lastRecalledAt");
        AttributeValue tags = item.get("tags");
        AttributeValue space = item.get("embeddingSpace");
        AttributeValue vector = item.get("embedding");
        Memory.Embedding embedding = space == null || vector == null || vector.b() == null
                || vector.b().asByteArrayUnsafe().length < 2 ? null
                : new Memory.Embedding(space.s(), decode(vector.b().asByteArrayUnsafe()));
        return new Memory(item.get("id").s(), vault, Memory.Type.fromWire(item.get("type").s()),
                item.get("content").s(), tags == null ? List.of() : tags.l().stream().map(AttributeValue::s).toList(),
                item.get("author").s(), Instant.parse(item.get("createdAt").s()),
                Long.parseLong(item.get("recalls").n()), last == null ? null : Instant.parse(last.s()), embedding);
    }

    /** Half-precision floats, little-endian. */
    static byte[] encode(float[] vector) {
        ByteBuffer buffer = ByteBuffer.allocate(vector.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : vector) {
            buffer.putShort(Float.floatToFloat16(v));
        }
        return buffer.array();
    }

    static float[] decode(byte[] bytes) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        float[] vector = new float[bytes.length / 2];
        for (int i = 0; i < vector.length; i++) {
            vector[i] = Float.float16ToFloat(buffer.getShort());
        }
        return vector;
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }
}
