package dev.skyloom.aws;

import static dev.skyloom.aws.DynamoDbTransactions.conditionFailed;

import dev.skyloom.core.api.Page;
import dev.skyloom.core.identity.TenantId;
import dev.skyloom.core.store.DocumentStore;
import dev.skyloom.core.store.Versioned;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionCheck;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.Update;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;

/**
 * {@link DocumentStore} on the main table: {@code pk = TENANT#<tenantId>}, {@code sk = <collection>#<id>}, the
 * document as JSON in {@code doc}, and {@code version} as the optimistic lock every write is conditioned on.
 */
public final class DynamoDbDocumentStore implements DocumentStore {
    private final DynamoDbClient dynamoDb;
    private final String table;

    public DynamoDbDocumentStore(DynamoDbClient dynamoDb, String table) {
        this.dynamoDb = dynamoDb;
        this.table = table;
    }

    @Override
    public boolean create(TenantId tenant, String collection, String id, String json, Instant now) {
        Map<String, AttributeValue> item = newItem(tenant, collection, id, json, now);
        try {
            dynamoDb.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)"));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    private static Map<String, AttributeValue> newItem(TenantId tenant, String collection, String id, String json,
                                                       Instant now) {
        Map<String, AttributeValue> item = new HashMap<>(key(tenant, collection, id));
        item.put("entity", s(collection.contains("#") ? collection.substring(0, collection.indexOf('#'))
                : collection));
        item.put("tenantId", s(tenant.value()));
        item.put("id", s(id));
        item.put("doc", s(json));
        item.put("version", n(1));
        item.put("createdAt", s(now.toString()));
        item.put("updatedAt", s(now.toString()));
        return item;
    }

    @Override
    public Optional<Versioned> get(TenantId tenant, String collection, String id) {
        Map<String, AttributeValue> item = dynamoDb.getItem(b -> b.tableName(table).consistentRead(true)
                .key(key(tenant, collection, id))).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(versioned(item));
    }

    @Override
    public Page<Versioned> list(TenantId tenant, String collection, Optional<Map<String, String>> cursor,
                                int limit) {
        String prefix = collection + "#";
        Map<String, AttributeValue> start = cursor.map(c -> {
            String sk = c.get(MainTableKeys.SK);
            if (sk == null || !sk.startsWith(prefix) || sk.length() > 200) {
                throw dev.skyloom.core.api.ApiError.invalidField("cursor", "belongs to another list");
            }
            return key(tenant, collection, sk.substring(prefix.length()));
        }).orElse(null);
        QueryResponse response = dynamoDb.query(b -> b.tableName(table).consistentRead(true).limit(limit)
                .keyConditionExpression("pk = :pk AND begins_with(sk, :prefix)")
                .expressionAttributeValues(Map.of(":pk", s(MainTableKeys.tenant(tenant.value())),
                        ":prefix", s(prefix)))
                .exclusiveStartKey(start));
        List<Versioned> items = response.items().stream().map(DynamoDbDocumentStore::versioned).toList();
        Optional<Map<String, String>> next = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
                ? Optional.of(Map.of(MainTableKeys.SK, response.lastEvaluatedKey().get(MainTableKeys.SK).s()))
                : Optional.empty();
        return new Page<>(items, next);
    }

    @Override
    public Write replace(TenantId tenant, String collection, String id, String json, long expectedVersion,
                         Instant now) {
        try {
            dynamoDb.updateItem(b -> b.tableName(table).key(key(tenant, collection, id))
                    .updateExpression("SET doc = :doc, version = :next, updatedAt = :now")
                    .conditionExpression("attribute_exists(pk) AND version = :expected")
                    .expressionAttributeValues(Map.of(":doc", s(json), ":next", n(expectedVersion + 1),
                            ":now", s(now.toString()), ":expected", n(expectedVersion)))
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
            return Write.DONE;
        } catch (ConditionalCheckFailedException e) {
            return e.hasItem() && !e.item().isEmpty() ? Write.VERSION_MISMATCH : Write.MISSING;
        }
    }

    @Override
    public Write transact(TenantId tenant, List<Change> changes, Instant now) {
        List<TransactWriteItem> items = changes.stream().map(change -> switch (change) {
            case Create c -> TransactWriteItem.builder().put(Put.builder().tableName(table)
                    .item(newItem(tenant, c.collection(), c.id(), c.json(), now))
                    .conditionExpression("attribute_not_exists(pk)").build()).build();
            case Replace r -> TransactWriteItem.builder().update(Update.builder().tableName(table)
                    .key(key(tenant, r.collection(), r.id()))
                    .updateExpression("SET doc = :doc, version = :next, updatedAt = :now")
                    .conditionExpression("attribute_exists(pk) AND version = :expected")
                    .expressionAttributeValues(Map.of(":doc", s(r.json()), ":next", n(r.expectedVersion() + 1),
                            ":now", s(now.toString()), ":expected", n(r.expectedVersion()))).build()).build();
            case Check c -> TransactWriteItem.builder().conditionCheck(ConditionCheck.builder().tableName(table)
                    .key(key(tenant, c.collection(), c.id()))
                    .conditionExpression("attribute_exists(pk) AND version = :expected")
                    .expressionAttributeValues(Map.of(":expected", n(c.expectedVersion()))).build()).build();
        }).toList();
        try {
            dynamoDb.transactWriteItems(b -> b.transactItems(items));
            return Write.DONE;
        } catch (TransactionCanceledException e) {
            if (conditionFailed(e)) {
                return Write.VERSION_MISMATCH;
            }
            throw e;
        }
    }

    @Override
    public Write delete(TenantId tenant, String collection, String id, OptionalLong expectedVersion) {
        try {
            dynamoDb.deleteItem(b -> {
                b.tableName(table).key(key(tenant, collection, id))
                        .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD);
                if (expectedVersion.isPresent()) {
                    b.conditionExpression("attribute_exists(pk) AND version = :expected")
                            .expressionAttributeValues(Map.of(":expected", n(expectedVersion.getAsLong())));
                } else {
                    b.conditionExpression("attribute_exists(pk)");
                }
            });
            return Write.DONE;
        } catch (ConditionalCheckFailedException e) {
            return e.hasItem() && !e.item().isEmpty() ? Write.VERSION_MISMATCH : Write.MISSING;
        }
    }

    private static Versioned versioned(Map<String, AttributeValue> item) {
        return new Versioned(item.get("id").s(), Long.parseLong(item.get("version").n()),
                Instant.parse(item.get("createdAt").s()), Instant.parse(item.get("updatedAt").s()),
                item.get("doc").s());
    }

    private static Map<String, AttributeValue> key(TenantId tenant, String collection, String id) {
        return Map.of(MainTableKeys.PK, s(MainTableKeys.tenant(tenant.value())),
                MainTableKeys.SK, s(MainTableKeys.document(collection, id)));
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
