package dev.skyloom.aws;

import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/** The conditional-transaction idioms the stores share: create-only puts, and telling a lost condition apart. */
final class DynamoDbTransactions {
    private DynamoDbTransactions() {
    }

    /** A put that succeeds only when no item has the same key. */
    static TransactWriteItem putNew(String table, Map<String, AttributeValue> item) {
        return TransactWriteItem.builder().put(Put.builder().tableName(table).item(item)
                .conditionExpression("attribute_not_exists(pk)").build()).build();
    }

    /** Whether a transaction was cancelled because one of its conditions did not hold. */
    static boolean conditionFailed(TransactionCanceledException e) {
        return e.cancellationReasons().stream().map(CancellationReason::code)
                .anyMatch("ConditionalCheckFailed"::equals);
    }

    /**
     * Writes the items in one transaction. Returns false, having written nothing, when a condition did not hold;
     * any other cancellation is thrown.
     */
    static boolean writeAll(DynamoDbClient dynamoDb, List<TransactWriteItem> items) {
        try {
            dynamoDb.transactWriteItems(b -> b.transactItems(items));
            return true;
        } catch (TransactionCanceledException e) {
            if (conditionFailed(e)) {
                return false;
            }
            throw e;
        }
    }
}
