package dev.skyloom.aws;

import dev.skyloom.core.ratelimit.RateCounter;
import java.time.Instant;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

/**
 * {@link RateCounter} on the main table: one item per bucket and window ({@code pk = RATE#<bucket>},
 * {@code sk = <windowStartEpochSecond>}), an atomic {@code ADD}, and the table's TTL ({@code expiresAt}) removing
 * old windows.
 */
public final class DynamoDbRateCounter implements RateCounter {
    private final DynamoDbClient dynamoDb;
    private final String table;

    public DynamoDbRateCounter(DynamoDbClient dynamoDb, String table) {
        this.dynamoDb = dynamoDb;
        this.table = table;
    }

    @Override
    public long increment(String bucket, long windowStartEpochSecond, Instant expiresAt) {
        Map<String, AttributeValue> updated = dynamoDb.updateItem(b -> b.tableName(table)
                .key(Map.of(MainTableKeys.PK, AttributeValue.fromS("RATE#" + bucket),
                        MainTableKeys.SK, AttributeValue.fromS(Long.toString(windowStartEpochSecond))))
                .updateExpression("ADD requests :one SET expiresAt = :expires")
                .expressionAttributeValues(Map.of(":one", AttributeValue.fromN("1"),
                        ":expires", AttributeValue.fromN(Long.toString(expiresAt.getEpochSecond()))))
                .returnValues(ReturnValue.UPDATED_NEW)).attributes();
        return Long.parseLong(updated.get("requests").n());
    }
}
