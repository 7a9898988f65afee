package dev.skyloom.aws;

import static dev.skyloom.aws.DynamoDbTransactions.putNew;
import static dev.skyloom.aws.DynamoDbTransactions.writeAll;

import dev.skyloom.core.api.Page;
import dev.skyloom.core.identity.IdentityStore;
import dev.skyloom.core.identity.StoredApiKey;
import dev.skyloom.core.identity.Tenant;
import dev.skyloom.core.identity.TenantId;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * {@link IdentityStore} on the main table. An API key is {@code APIKEY#<keyId>} / {@code APIKEY} (one consistent
 * GetItem authenticates), listed per tenant through {@code gsi1} ({@code TENANT#<tenantId>#APIKEYS}); a tenant is
 * {@code TENANT#<tenantId>} / {@code TENANT}.
 */
public final class DynamoDbIdentityStore implements IdentityStore {
    private final DynamoDbClient dynamoDb;
    private final String table;

    public DynamoDbIdentityStore(DynamoDbClient dynamoDb, String table) {
        this.dynamoDb = dynamoDb;
        this.table = table;
    }

    @Override
    public Optional<StoredApiKey> findApiKey(String keyId) {
        Map<String, AttributeValue> item = dynamoDb.getItem(b -> b.tableName(table).consistentRead(true)
                .key(key(MainTableKeys.apiKey(keyId), MainTableKeys.API_KEY_SK))).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(apiKey(item));
    }

    @Override
    public void touchApiKey(String keyId, Instant now, Instant ifBefore) {
        try {
            dynamoDb.updateItem(b -> b.tableName(table).key(key(MainTableKeys.apiKey(keyId), MainTableKeys.API_KEY_SK))
                    .updateExpression("SET lastUsedAt = :now")
                    .conditionExpression("attribute_exists(pk) AND (attribute_not_exists(lastUsedAt) "
                            + "OR lastUsedAt < :before)")
                    .expressionAttributeValues(Map.of(":now", s(now.toString()), ":before", s(ifBefore.toString()))));
        } catch (ConditionalCheckFailedException e) {
            // another request recorded a recent use: nothing to do
        }
    }

    @Override
    public void createApiKey(StoredApiKey key) {
        dynamoDb.putItem(b -> b.tableName(table).item(apiKeyItem(key)).conditionExpression("attribute_not_exists(pk)"));
    }

    @Override
    public Page<StoredApiKey> listApiKeys(TenantId tenant, Optional<Map<String, String>> cursor, int limit) {
        String gsiPk = MainTableKeys.tenantApiKeys(tenant.value());
        Map<String, AttributeValue> start = cursor.map(c -> {
            String keyId = c.get("keyId");
            String gsiSk = c.get(MainTableKeys.GSI1_SK);
            if (keyId == null || gsiSk == null || !keyId.matches("[0-9a-f]{16}") || gsiSk.length() > 100) {
                throw dev.skyloom.core.api.ApiError.invalidField("cursor", "belongs to another list");
            }
            return Map.of(MainTableKeys.PK, s(MainTableKeys.apiKey(keyId)), MainTableKeys.SK,
                    s(MainTableKeys.API_KEY_SK), MainTableKeys.GSI1_PK, s(gsiPk), MainTableKeys.GSI1_SK, s(gsiSk));
        }).orElse(null);
        QueryResponse response = dynamoDb.query(b -> b.tableName(table).indexName(MainTableKeys.GSI1).limit(limit)
                .keyConditionExpression("gsi1pk = :pk")
                .expressionAttributeValues(Map.of(":pk", s(gsiPk)))
                .exclusiveStartKey(start));
        List<StoredApiKey> keys = response.items().stream().map(DynamoDbIdentityStore::apiKey).toList();
        Optional<Map<String, String>> next = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
                ? Optional.of(Map.of("keyId", response.lastEvaluatedKey().get(MainTableKeys.PK).s().substring(7),
                        MainTableKeys.GSI1_SK, response.lastEvaluatedKey().get(MainTableKeys.GSI1_SK).s()))
                : Optional.empty();
        return new Page<>(keys, next);
    }

    @Override
    public boolean revokeApiKey(TenantId tenant, String keyId, Instant now) {
        if (!keyId.matches("[0-9a-f]{16}")) {
            return false;
        }
        try {
            dynamoDb.updateItem(b -> b.tableName(table).key(key(MainTableKeys.apiKey(keyId), MainTableKeys.API_KEY_SK))
                    .updateExpression("SET revokedAt = :now")
                    .conditionExpression("attribute_exists(pk) AND tenantId = :tenant AND attribute_not_exists(revokedAt)")
                    .expressionAttributeValues(Map.of(":now", s(now.toString()), ":tenant", s(tenant.value()))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public boolean createTenant(Tenant tenant, StoredApiKey adminKey) {
        Map<String, AttributeValue> item = new HashMap<>(key(MainTableKeys.tenant(tenant.id().value()),
                MainTableKeys.TENANT_SK));
        item.put("entity", s("tenant"));
        item.put("tenantId", s(tenant.id().value()));
        item.put("name", s(tenant.name()));
        item.put("status", s(tenant.status()));
        item.put("createdAt", s(tenant.createdAt().toString()));
        item.put("version", AttributeValue.fromN("1"));
        return writeAll(dynamoDb, List.of(putNew(table, item), putNew(table, apiKeyItem(adminKey))));
    }

    @Override
    public Optional<Tenant> findTenant(TenantId tenant) {
        Map<String, AttributeValue> item = dynamoDb.getItem(b -> b.tableName(table).consistentRead(true)
                .key(key(MainTableKeys.tenant(tenant.value()), MainTableKeys.TENANT_SK))).item();
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Tenant(tenant, item.get("name").s(), item.get("status").s(),
                Instant.parse(item.get("createdAt").s())));
    }

    private Map<String, AttributeValue> apiKeyItem(StoredApiKey key) {
        Map<String, AttributeValue> item = new HashMap<>(key(MainTableKeys.apiKey(key.keyId()),
                MainTableKeys.API_KEY_SK));
        String created = key.createdAt().toString();
        item.put("entity", s("apiKey"));
        item.put("tenantId", s(key.tenant().value()));
        item.put("keyId", s(key.keyId()));
        item.put("name", s(key.name()));
        item.put("secretHash", s(key.secretHash()));
        item.put("scopes", AttributeValue.fromL(key.scopes().stream().map(DynamoDbIdentityStore::s).toList()));
        item.put("platformAdmin", AttributeValue.fromBool(key.platformAdmin()));
        item.put("userId", s(key.userId()));
        item.put("projectRoles", AttributeValue.fromBool(key.boundByProjectRoles()));
        item.put("createdAt", s(created));
        key.expiresAt().ifPresent(e -> item.put("keyExpiresAt", s(e.toString())));
        key.rateLimitPerMinute().ifPresent(l -> item.put("rateLimitPerMinute", AttributeValue.fromN(
                Integer.toString(l))));
        item.put(MainTableKeys.GSI1_PK, s(MainTableKeys.tenantApiKeys(key.tenant().value())));
        item.put(MainTableKeys.GSI1_SK, s(created + "#" + key.keyId()));
        return item;
    }

    private static StoredApiKey apiKey(Map<String, AttributeValue> item) {
        StoredApiKey key = new StoredApiKey(item.get("keyId").s(), new TenantId(item.get("tenantId").s()),
                item.containsKey("userId") ? item.get("userId").s() : "unknown", item.get("name").s(),
                item.get("secretHash").s(), item.get("scopes").l().stream().map(AttributeValue::s).toList(),
                item.containsKey("platformAdmin") && item.get("platformAdmin").bool(),
                Instant.parse(item.get("createdAt").s()), instant(item, "keyExpiresAt"), instant(item, "revokedAt"),
                instant(item, "lastUsedAt"), item.containsKey("rateLimitPerMinute")
                        ? java.util.OptionalInt.of(Integer.parseInt(item.get("rateLimitPerMinute").n()))
                        : java.util.OptionalInt.empty());
        if (!item.containsKey("projectRoles")) {
            return key;
        }
        return new StoredApiKey(key.keyId(), key.tenant(), key.userId(), key.name(), key.secretHash(), key.scopes(),
                key.platformAdmin(), key.createdAt(), key.expiresAt(), key.revokedAt(), key.lastUsedAt(),
                key.rateLimitPerMinute(), item.get("projectRoles").bool());
    }

    private static Optional<Instant> instant(Map<String, AttributeValue> item, String name) {
        return item.containsKey(name) ? Optional.of(Instant.parse(item.get(name).s())) : Optional.empty();
    }

    private static Map<String, AttributeValue> key(String pk, String sk) {
        return Map.of(MainTableKeys.PK, s(pk), MainTableKeys.SK, s(sk));
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }
}
