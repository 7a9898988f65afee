package dev.skyloom.aws;

import static dev.skyloom.aws.DynamoDbTransactions.putNew;
import static dev.skyloom.aws.DynamoDbTransactions.writeAll;

import dev.skyloom.core.identity.ApiKeys;
import dev.skyloom.core.identity.BootstrapStore;
import dev.skyloom.core.identity.TenantId;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.Update;

/** {@link BootstrapStore} on the main DynamoDB table; every change is one conditional transaction. */
public final class DynamoDbBootstrapStore implements BootstrapStore {
    private final DynamoDbClient dynamoDb;
    private final String table;

    public DynamoDbBootstrapStore(DynamoDbClient dynamoDb, String table) {
        this.dynamoDb = dynamoDb;
        this.table = table;
    }

    @Override
    public Optional<String> bootstrapAdminKeyId() {
        Map<String, AttributeValue> item = dynamoDb.getItem(b -> b.tableName(table).consistentRead(true)
                .key(key(MainTableKeys.PLATFORM_PK, MainTableKeys.BOOTSTRAP_SK))).item();
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(item.get("adminKeyId").s());
    }

    @Override
    public boolean createDefaultTenant(TenantId tenant, String adminUserId, String adminEmail, ApiKeys.Minted key,
                                       Instant now) {
        String created = now.toString();
        Map<String, AttributeValue> tenantItem = new HashMap<>(key(MainTableKeys.tenant(tenant.value()),
                MainTableKeys.TENANT_SK));
        tenantItem.put("entity", s("tenant"));
        tenantItem.put("tenantId", s(tenant.value()));
        tenantItem.put("name", s("Default tenant"));
        tenantItem.put("status", s("active"));
        tenantItem.put("createdAt", s(created));
        tenantItem.put("version", n(1));

        Map<String, AttributeValue> userItem = new HashMap<>(key(MainTableKeys.tenant(tenant.value()),
                MainTableKeys.user(adminUserId)));
        userItem.put("entity", s("user"));
        userItem.put("tenantId", s(tenant.value()));
        userItem.put("userId", s(adminUserId));
        userItem.put("email", s(adminEmail));
        userItem.put("roles", AttributeValue.fromSs(List.of("platform-admin", "tenant-admin")));
        userItem.put("createdAt", s(created));
        userItem.put("version", n(1));
        userItem.put(MainTableKeys.GSI1_PK, s(MainTableKeys.email(adminEmail)));
        userItem.put(MainTableKeys.GSI1_SK, s("USER"));

        Map<String, AttributeValue> marker = new HashMap<>(key(MainTableKeys.PLATFORM_PK, MainTableKeys.BOOTSTRAP_SK));
        marker.put("entity", s("bootstrap"));
        marker.put("tenantId", s(tenant.value()));
        marker.put("adminKeyId", s(key.keyId()));
        marker.put("createdAt", s(created));

        return writeAll(dynamoDb, List.of(putNew(table, tenantItem), putNew(table, userItem),
                putNew(table, apiKeyItem(tenant, adminUserId, key, created)), putNew(table, marker)));
    }

    @Override
    public void rotateAdminKey(TenantId tenant, String adminUserId, String previousKeyId, ApiKeys.Minted key,
                               Instant now) {
        String at = now.toString();
        TransactWriteItem revoke = TransactWriteItem.builder().update(Update.builder().tableName(table)
                .key(key(MainTableKeys.apiKey(previousKeyId), MainTableKeys.API_KEY_SK))
                .updateExpression("SET revokedAt = :at")
                .conditionExpression("attribute_exists(pk)")
                .expressionAttributeValues(Map.of(":at", s(at))).build()).build();
        TransactWriteItem marker = TransactWriteItem.builder().update(Update.builder().tableName(table)
                .key(key(MainTableKeys.PLATFORM_PK, MainTableKeys.BOOTSTRAP_SK))
                .updateExpression("SET adminKeyId = :new, rotatedAt = :at")
                .conditionExpression("adminKeyId = :previous")
                .expressionAttributeValues(Map.of(":new", s(key.keyId()), ":at", s(at), ":previous",
                        s(previousKeyId))).build()).build();
        dynamoDb.transactWriteItems(b -> b.transactItems(revoke,
                putNew(table, apiKeyItem(tenant, adminUserId, key, at)), marker));
    }

    private Map<String, AttributeValue> apiKeyItem(TenantId tenant, String userId, ApiKeys.Minted key, String at) {
        Map<String, AttributeValue> item = new HashMap<>(key(MainTableKeys.apiKey(key.keyId()),
                MainTableKeys.API_KEY_SK));
        item.put("entity", s("apiKey"));
        item.put("tenantId", s(tenant.value()));
        item.put("keyId", s(key.keyId()));
        item.put("name", s("platform admin (bootstrap)"));
        item.put("secretHash", s(key.secretHash()));
        item.put("scopes", AttributeValue.fromL(List.of(s("*"))));
        item.put("platformAdmin", AttributeValue.fromBool(true));
        item.put("userId", s(userId));
        item.put("createdAt", s(at));
        item.put(MainTableKeys.GSI1_PK, s(MainTableKeys.tenantApiKeys(tenant.value())));
        item.put(MainTableKeys.GSI1_SK, s(at + "#" + key.keyId()));
        return item;
    }

    private static Map<String, AttributeValue> key(String pk, String sk) {
        return Map.of(MainTableKeys.PK, s(pk), MainTableKeys.SK, s(sk));
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
