package dev.skyloom.aws;

import static dev.skyloom.aws.DynamoDbTransactions.conditionFailed;

import dev.skyloom.core.api.ApiError;
import dev.skyloom.core.api.Json;
import dev.skyloom.core.api.Page;
import dev.skyloom.core.identity.TenantId;
import dev.skyloom.core.usage.LlmCall;
import dev.skyloom.core.usage.LlmCallStore;
import dev.skyloom.core.usage.UsageDay;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.Update;

/**
 * {@link LlmCallStore} on the main table: a call is {@code TENANT#<t>} / {@code LLMCALL#<callId>} (ids sort by
 * time), a day's usage {@code TENANT#<t>} / {@code USAGE#<yyyy-mm-dd>} with atomic {@code ADD} counters; both in
 * one transaction conditioned on the call being new.
 */
public final class DynamoDbLlmCallStore implements LlmCallStore {
    private final DynamoDbClient dynamoDb;
    private final String table;

    public DynamoDbLlmCallStore(DynamoDbClient dynamoDb, String table) {
        this.dynamoDb = dynamoDb;
        this.table = table;
    }

    @Override
    public void record(TenantId tenant, LlmCall call) {
        String pk = MainTableKeys.tenant(tenant.value());
        Map<String, AttributeValue> item = new HashMap<>(key(pk, "LLMCALL#" + call.callId()));
        item.put("entity", s("llmCall"));
        item.put("tenantId", s(tenant.value()));
        item.put("doc", s(Json.write(call)));
        LocalDate day = LocalDate.ofInstant(call.at(), ZoneOffset.UTC);
        try {
            dynamoDb.transactWriteItems(b -> b.transactItems(
                    TransactWriteItem.builder().put(Put.builder().tableName(table).item(item)
                            .conditionExpression("attribute_not_exists(pk)").build()).build(),
                    TransactWriteItem.builder().update(Update.builder().tableName(table)
                            .key(key(pk, "USAGE#" + day))
                            .updateExpression("ADD calls :one, inputTokens :in, outputTokens :out, costMicroUsd :cost"
                                    + " SET entity = :entity")
                            .expressionAttributeValues(Map.of(":one", n(1), ":in", n(call.inputTokens()),
                                    ":out", n(call.outputTokens()), ":cost", n(call.costMicroUsd()),
                                    ":entity", s("usageDay"))).build()).build()));
        } catch (TransactionCanceledException e) {
            if (!conditionFailed(e)) {
                throw e;
            }
        }
    }

    @Override
    public Optional<LlmCall> find(TenantId tenant, String callId) {
        Map<String, AttributeValue> item = dynamoDb.getItem(b -> b.tableName(table).consistentRead(true)
                .key(key(MainTableKeys.tenant(tenant.value()), "LLMCALL#" + callId))).item();
        return item == null || item.isEmpty() ? Optional.empty()
                : Optional.of(Json.parseStored(item.get("doc").s(), LlmCall.class));
    }

    @Override
    public Page<LlmCall> list(TenantId tenant, Optional<Map<String, String>> cursor, int limit) {
        String pk = MainTableKeys.tenant(tenant.value());
        Map<String, AttributeValue> start = cursor.map(c -> {
            String sk = c.get(MainTableKeys.SK);
            if (sk == null || !sk.startsWith("LLMCALL#") || sk.length() > 100) {
                throw ApiError.invalidField("cursor", "belongs to another list");
            }
            return key(pk, sk);
        }).orElse(null);
        QueryResponse response = dynamoDb.query(b -> b.tableName(table).limit(limit).scanIndexForward(false)
                .keyConditionExpression("pk = :pk AND begins_with(sk, :prefix)")
                .expressionAttributeValues(Map.of(":pk", s(pk), ":prefix", s("LLMCALL#")))
                .exclusiveStartKey(start));
        Optional<Map<String, String>> next = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
                ? Optional.of(Map.of(MainTableKeys.SK, response.lastEvaluatedKey().get(MainTableKeys.SK).s()))
                : Optional.empty();
        return new Page<>(response.items().stream().map(i -> Json.parseStored(i.get("doc").s(), LlmCall.class))
                .toList(), next);
    }

    @Override
    public List<UsageDay> usage(TenantId tenant, LocalDate from, LocalDate to) {
        return dynamoDb.queryPaginator(b -> b.tableName(table)
                        .keyConditionExpression("pk = :pk AND sk BETWEEN :from AND :to")
                        .expressionAttributeValues(Map.of(":pk", s(MainTableKeys.tenant(tenant.value())),
                                ":from", s("USAGE#" + from), ":to", s("USAGE#" + to))))
                .items().stream().map(i -> new UsageDay(LocalDate.parse(i.get("sk").s().substring(6)),
                        number(i, "calls"), number(i, "inputTokens"), number(i, "outputTokens"),
                        number(i, "costMicroUsd"))).toList();
    }

    private static long number(Map<String, AttributeValue> item, String name) {
        return item.containsKey(name) ? Long.parseLong(item.get(name).n()) : 0;
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
