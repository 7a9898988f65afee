package dev.skyloom.aws;

import static dev.skyloom.aws.DynamoDbTransactions.putNew;
import static dev.skyloom.aws.DynamoDbTransactions.writeAll;

import dev.skyloom.core.api.ApiError;
import dev.skyloom.core.api.Page;
import dev.skyloom.core.identity.TenantId;
import dev.skyloom.core.identity.User;
import dev.skyloom.core.identity.UserStore;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.Delete;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * {@link UserStore} on the main table: a user is {@code TENANT#<t>} / {@code USER#<userId>} (found by e-mail through
 * {@code gsi1 = EMAIL#<email>}), its e-mail is reserved per tenant by {@code TENANT#<t>} / {@code EMAIL#<email>}
 * (written in the same transaction); a refresh token is {@code REFRESH#<tokenId>} / {@code REFRESH} with TTL.
 */
public final class DynamoDbUserStore implements UserStore {
    private final DynamoDbClient dynamoDb;
    private final String table;

    public DynamoDbUserStore(DynamoDbClient dynamoDb, String table) {
        this.dynamoDb = dynamoDb;
        this.table = table;
    }

    @Override
    public boolean create(User user) {
        String pk = MainTableKeys.tenant(user.tenant().value());
        Map<String, AttributeValue> item = new HashMap<>(key(pk, MainTableKeys.user(user.userId())));
        item.put("entity", s("user"));
        item.put("tenantId", s(user.tenant().value()));
        item.put("userId", s(user.userId()));
        item.put("email", s(user.email()));
        if (user.displayName() != null) {
            item.put("displayName", s(user.displayName()));
        }
        item.put("roles", AttributeValue.fromSs(user.roles()));
        user.passwordHash().ifPresent(h -> item.put("passwordHash", s(h)));
        item.put("createdAt", s(user.createdAt().toString()));
        item.put("version", AttributeValue.fromN("1"));
        item.put(MainTableKeys.GSI1_PK, s(MainTableKeys.email(user.email())));
        item.put(MainTableKeys.GSI1_SK, s("USER"));
        Map<String, AttributeValue> reservation = new HashMap<>(key(pk, MainTableKeys.email(user.email())));
        reservation.put("entity", s("emailReservation"));
        reservation.put("userId", s(user.userId()));
        return writeAll(dynamoDb, List.of(putNew(table, item), putNew(table, reservation)));
    }

    @Override
    public Optional<User> find(TenantId tenant, String userId) {
        if (userId.isEmpty() || userId.length() > 100 || userId.contains("#")) {
            return Optional.empty();
        }
        Map<String, AttributeValue> item = dynamoDb.getItem(b -> b.tableName(table).consistentRead(true)
                .key(key(MainTableKeys.tenant(tenant.value()), MainTableKeys.user(userId)))).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(user(item));
    }

    @Override
    public List<User> findByEmail(String email) {
        return dynamoDb.query(b -> b.tableName(table).indexName(MainTableKeys.GSI1).limit(10)
                        .keyConditionExpression("gsi1pk = :pk AND gsi1sk = :sk")
                        .expressionAttributeValues(Map.of(":pk", s(MainTableKeys.email(email)), ":sk", s("USER"))))
                .items().stream().map(DynamoDbUserStore::user).toList();
    }

    @Override
    public Page<User> list(TenantId tenant, Optional<Map<String, String>> cursor, int limit) {
        String pk = MainTableKeys.tenant(tenant.value());
        Map<String, AttributeValue> start = cursor.map(c -> {
            String sk = c.get(MainTableKeys.SK);
            if (sk == null || !sk.startsWith("USER#") || sk.length() > 120) {
                throw ApiError.invalidField("cursor", "belongs to another list");
            }
            return key(pk, sk);
        }).orElse(null);
        QueryResponse response = dynamoDb.query(b -> b.tableName(table).consistentRead(true).limit(limit)
                .keyConditionExpression("pk = :pk AND begins_with(sk, :prefix)")
                .expressionAttributeValues(Map.of(":pk", s(pk), ":prefix", s("USER#")))
                .exclusiveStartKey(start));
        Optional<Map<String, String>> next = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
                ? Optional.of(Map.of(MainTableKeys.SK, response.lastEvaluatedKey().get(MainTableKeys.SK).s()))
                : Optional.empty();
        return new Page<>(response.items().stream().map(DynamoDbUserStore::user).toList(), next);
    }

    @Override
    public boolean delete(TenantId tenant, String userId) {
        Optional<User> user = find(tenant, userId);
        if (user.isEmpty()) {
            return false;
        }
        String pk = MainTableKeys.tenant(tenant.value());
        try {
            dynamoDb.transactWriteItems(b -> b.transactItems(
                    TransactWriteItem.builder().delete(Delete.builder().tableName(table)
                            .key(key(pk, MainTableKeys.user(userId))).conditionExpression("attribute_exists(pk)")
                            .build()).build(),
                    TransactWriteItem.builder().delete(Delete.builder().tableName(table)
                            .key(key(pk, MainTableKeys.email(user.get().email()))).build()).build()));
            return true;
        } catch (TransactionCanceledException e) {
            return false;
        }
    }

    @Override
    public boolean update(TenantId tenant, String userId, String displayName, List<String> roles) {
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":roles", AttributeValue.fromSs(roles),
                ":one", AttributeValue.fromN("1")));
        String expression = "SET #roles = :roles ADD version :one";
        if (displayName != null) {
            values.put(":name", s(displayName));
            expression = "SET #roles = :roles, displayName = :name ADD version :one";
        } else {
            expression += " REMOVE displayName";
        }
        String update = expression;
        try {
            dynamoDb.updateItem(b -> b.tableName(table)
                    .key(key(MainTableKeys.tenant(tenant.value()), MainTableKeys.user(userId)))
                    .updateExpression(update).conditionExpression("attribute_exists(pk)")
                    .expressionAttributeNames(Map.of("#roles", "roles")).expressionAttributeValues(values));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public boolean changePassword(TenantId tenant, String userId, String expectedHash, String newHash,
                                  Instant sessionsNotBefore) {
        try {
            dynamoDb.updateItem(b -> b.tableName(table)
                    .key(key(MainTableKeys.tenant(tenant.value()), MainTableKeys.user(userId)))
                    .updateExpression("SET passwordHash = :new, sessionsNotBefore = :notBefore ADD version :one")
                    .conditionExpression("attribute_exists(pk) AND passwordHash = :expected")
                    .expressionAttributeValues(Map.of(":new", s(newHash), ":expected", s(expectedHash),
                            ":notBefore", s(sessionsNotBefore.toString()), ":one", AttributeValue.fromN("1"))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public void createRefreshToken(RefreshToken token) {
        Map<String, AttributeValue> item = new HashMap<>(key("REFRESH#" + token.tokenId(), "REFRESH"));
        item.put("entity", s("refreshToken"));
        item.put("secretHash", s(token.secretHash()));
        item.put("tenantId", s(token.tenant().value()));
        item.put("userId", s(token.userId()));
        item.put("tokenExpiresAt", s(token.expiresAt().toString()));
        item.put("expiresAt", AttributeValue.fromN(Long.toString(token.expiresAt().getEpochSecond() + 86_400)));
        dynamoDb.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)"));
    }

    @Override
    public Optional<RefreshToken> consumeRefreshToken(String tokenId, Instant now) {
        try {
            Map<String, AttributeValue> item = dynamoDb.updateItem(b -> b.tableName(table)
                    .key(key("REFRESH#" + tokenId, "REFRESH"))
                    .updateExpression("SET usedAt = :now")
                    .conditionExpression("attribute_exists(pk) AND attribute_not_exists(usedAt)")
                    .expressionAttributeValues(Map.of(":now", s(now.toString())))
                    .returnValues(ReturnValue.ALL_NEW)).attributes();
            return Optional.of(new RefreshToken(tokenId, item.get("secretHash").s(),
                    new TenantId(item.get("tenantId").s()), item.get("userId").s(),
                    Instant.parse(item.get("tokenExpiresAt").s())));
        } catch (ConditionalCheckFailedException e) {
            return Optional.empty();
        }
    }

    private static User user(Map<String, AttributeValue> item) {
        return new User(new TenantId(item.get("tenantId").s()), item.get("userId").s(), item.get("email").s(),
                item.containsKey("displayName") ? item.get("displayName").s() : null,
                item.containsKey("roles") ? item.get("roles").ss() : List.of(),
                item.containsKey("passwordHash") ? Optional.of(item.get("passwordHash").s()) : Optional.empty(),
                Instant.parse(item.get("createdAt").s()),
                item.containsKey("sessionsNotBefore") ? Optional.of(Instant.parse(item.get("sessionsNotBefore").s()))
                        : Optional.empty());
    }

    private static Map<String, AttributeValue> key(String pk, String sk) {
        return Map.of(MainTableKeys.PK, s(pk), MainTableKeys.SK, s(sk));
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }
}
