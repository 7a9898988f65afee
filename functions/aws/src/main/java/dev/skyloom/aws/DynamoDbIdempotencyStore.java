package dev.skyloom.aws;

import dev.skyloom.core.api.IdempotencyStore;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * {@link IdempotencyStore} on the idempotency table (key {@code id}, TTL {@code expiration}): {@code requestHash},
 * {@code state} ({@code IN_PROGRESS} until {@code lockedUntil}, then {@code COMPLETED} with {@code status},
 * {@code headers}, {@code body}). Taking a key is a {@code PutItem} conditioned on no live record, so of concurrent
 * requests exactly one runs. Expired records are treated as absent (TTL deletion lags).
 */
public final class DynamoDbIdempotencyStore implements IdempotencyStore {
    private static final String IN_PROGRESS = "IN_PROGRESS";
    private static final String COMPLETED = "COMPLETED";
    private final DynamoDbClient dynamoDb;
    private final String table;

    public DynamoDbIdempotencyStore(DynamoDbClient dynamoDb, String table) {
        this.dynamoDb = dynamoDb;
        this.table = table;
    }

    @Override
    public boolean begin(String id, String requestHash, Instant now, Instant lockedUntil, Instant expiresAt) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("id", s(id));
        item.put("requestHash", s(requestHash));
        item.put("state", s(IN_PROGRESS));
        item.put("lockedUntil", n(lockedUntil.getEpochSecond()));
        item.put("expiration", n(expiresAt.getEpochSecond()));
        try {
            dynamoDb.putItem(b -> b.tableName(table).item(item)
                    .conditionExpression("attribute_not_exists(id) OR #expiration < :now"
                            + " OR (#state = :inProgress AND lockedUntil < :now)")
                    .expressionAttributeNames(Map.of("#state", "state", "#expiration", "expiration"))
                    .expressionAttributeValues(Map.of(":now", n(now.getEpochSecond()),
                            ":inProgress", s(IN_PROGRESS))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public Optional<Entry> find(String id, Instant now) {
        Map<String, AttributeValue> item = dynamoDb.getItem(b -> b.tableName(table).consistentRead(true)
                .key(Map.of("id", s(id)))).item();
        if (item == null || item.isEmpty() || Long.parseLong(item.get("expiration").n()) < now.getEpochSecond()) {
            return Optional.empty();
        }
        Optional<Response> response = Optional.empty();
        if (COMPLETED.equals(item.get("state").s())) {
            Map<String, String> headers = new HashMap<>();
            item.get("headers").m().forEach((name, value) -> headers.put(name, value.s()));
            response = Optional.of(new Response(Integer.parseInt(item.get("status").n()), headers,
                    item.get("body").s()));
        }
        return Optional.of(new Entry(id, item.get("requestHash").s(), response));
    }

    @Override
    public void complete(String id, Response response, Instant expiresAt) {
        Map<String, AttributeValue> headers = new HashMap<>();
        response.headers().forEach((name, value) -> headers.put(name, s(value)));
        dynamoDb.updateItem(b -> b.tableName(table).key(Map.of("id", s(id)))
                .updateExpression("SET #state = :completed, #status = :status, #headers = :headers, #body = :body,"
                        + " #expiration = :expiration REMOVE lockedUntil")
                .expressionAttributeNames(Map.of("#state", "state", "#status", "status", "#headers", "headers",
                        "#body", "body", "#expiration", "expiration"))
                .expressionAttributeValues(Map.of(":completed", s(COMPLETED), ":status", n(response.status()),
                        ":headers", AttributeValue.fromM(headers), ":body", s(response.body()),
                        ":expiration", n(expiresAt.getEpochSecond()))));
    }

    @Override
    public void release(String id) {
        try {
            dynamoDb.deleteItem(b -> b.tableName(table).key(Map.of("id", s(id)))
                    .conditionExpression("#state = :inProgress")
                    .expressionAttributeNames(Map.of("#state", "state"))
                    .expressionAttributeValues(Map.of(":inProgress", s(IN_PROGRESS))));
        } catch (ConditionalCheckFailedException e) {
            // completed or taken over meanwhile: nothing to give up
        }
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
