package dev.skyloom.aws;

import static dev.skyloom.aws.DynamoDbTransactions.conditionFailed;

import dev.skyloom.core.api.ApiError;
import dev.skyloom.core.api.Json;
import dev.skyloom.core.api.Page;
import dev.skyloom.core.identity.TenantId;
import dev.skyloom.core.usage.LlmCall;
import dev.skyloom.core.usage.LlmCallStore;
import dev.skyloom.core.usage.UsageDay;
import dev.skyloom.core.usage.UsageGroup;
import java.util.ArrayList;
import java.util.TreeMap;
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
 * time), indexed by run ({@code gsi1}: {@code TENANT#<t>#LLMRUN#<runId>} / callId) and by agent ({@code gsi2}:
 * {@code TENANT#<t>#LLMAGENT#<agentId>} / callId). Usage is kept per day ({@code USAGE#<day>}), per agent per day
 * ({@code USAGEAGENT#<day>#<agentId>}), per model per day ({@code USAGEMODEL#<day>#<modelId>}), per run
 * ({@code USAGERUN#<runId>}) and per agent in a run ({@code USAGERUNAGENT#<runId>#<agentId>}) with atomic
 * {@code ADD} counters; the call and its five counters are one transaction conditioned on the call being new.
 */
public final class DynamoDbLlmCallStore implements LlmCallStore {
    private static final String GSI2 = "gsi2";
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
        item.put(MainTableKeys.GSI1_PK, s(byRun(tenant, call.runId())));
        item.put(MainTableKeys.GSI1_SK, s(call.callId()));
        item.put("gsi2pk", s(byAgent(tenant, call.agentId())));
        item.put("gsi2sk", s(call.callId()));
        String day = LocalDate.ofInstant(call.at(), ZoneOffset.UTC).toString();
        try {
            dynamoDb.transactWriteItems(b -> b.transactItems(
                    TransactWriteItem.builder().put(Put.builder().tableName(table).item(item)
                            .conditionExpression("attribute_not_exists(pk)").build()).build(),
                    add(pk, "USAGE#" + day, "usageDay", call),
                    add(pk, "USAGEAGENT#" + day + "#" + call.agentId(), "usageAgentDay", call),
                    add(pk, "USAGEMODEL#" + day + "#" + call.modelId(), "usageModelDay", call),
                    add(pk, "USAGERUN#" + call.runId(), "usageRun", call),
                    add(pk, "USAGERUNAGENT#" + call.runId() + "#" + call.agentId(), "usageRunAgent", call)));
        } catch (TransactionCanceledException e) {
            if (!conditionFailed(e)) {
                throw e;
            }
        }
    }

    private TransactWriteItem add(String pk, String sk, String entity, LlmCall call) {
        return TransactWriteItem.builder().update(Update.builder().tableName(table).key(key(pk, sk))
                .updateExpression("ADD calls :one, inputTokens :in, outputTokens :out, costMicroUsd :cost"
                        + " SET entity = :entity")
                .expressionAttributeValues(Map.of(":one", n(1), ":in", n(call.inputTokens()),
                        ":out", n(call.outputTokens()), ":cost", n(call.costMicroUsd()),
                        ":entity", s(entity))).build()).build();
    }

    private static String byRun(TenantId tenant, String runId) {
        return MainTableKeys.tenant(tenant.value()) + "#LLMRUN#" + runId;
    }

    private static String byAgent(TenantId tenant, String agentId) {
        return MainTableKeys.tenant(tenant.value()) + "#LLMAGENT#" + agentId;
    }

    @Override
    public Optional<LlmCall> find(TenantId tenant, String callId) {
        Map<String, AttributeValue> item = dynamoDb.getItem(b -> b.tableName(table).consistentRead(true)
                .key(key(MainTableKeys.tenant(tenant.value()), "LLMCALL#" + callId))).item();
        return item == null || item.isEmpty() ? Optional.empty()
                : Optional.of(Json.parseStored(item.get("doc").s(), LlmCall.class));
    }

    /**
     * By run (gsi1) when a run is given, else by agent (gsi2) when an agent is given, else the tenant's partition;
     * the other fields of the filter narrow that query. The cursor is the last key the query read.
     */
    @Override
    public Page<LlmCall> list(TenantId tenant, Filter filter, Optional<Map<String, String>> cursor, int limit) {
        String pk = MainTableKeys.tenant(tenant.value());
        String index;
        String partition;
        String hashName;
        String rangeName;
        if (filter.runId().isPresent()) {
            index = MainTableKeys.GSI1;
            partition = byRun(tenant, filter.runId().get());
            hashName = MainTableKeys.GSI1_PK;
            rangeName = MainTableKeys.GSI1_SK;
        } else if (filter.agentId().isPresent()) {
            index = GSI2;
            partition = byAgent(tenant, filter.agentId().get());
            hashName = "gsi2pk";
            rangeName = "gsi2sk";
        } else {
            index = null;
            partition = pk;
            hashName = MainTableKeys.PK;
            rangeName = MainTableKeys.SK;
        }
        Map<String, AttributeValue> start = cursor.map(c -> startKey(c, index, pk, partition, hashName, rangeName))
                .orElse(null);
        Map<String, String> names = new HashMap<>(Map.of("#h", hashName, "#r", rangeName));
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":h", s(partition),
                ":prefix", s(index == null ? "LLMCALL#" : "llm_")));
        List<String> conditions = new ArrayList<>();
        if (filter.runId().isPresent() && filter.agentId().isPresent()) {
            conditions.add("gsi2pk = :agent");
            values.put(":agent", s(byAgent(tenant, filter.agentId().get())));
        }
        filter.stepId().ifPresent(step -> {
            conditions.add("contains(doc, :step)");
            values.put(":step", s("\"stepId\":" + Json.write(step)));
        });
        filter.modelId().ifPresent(model -> {
            conditions.add("contains(doc, :model)");
            values.put(":model", s("\"modelId\":" + Json.write(model)));
        });
        List<LlmCall> calls = new ArrayList<>();
        Map<String, AttributeValue> last = start;
        // a filter can leave a page short: read on until the page is full or the partition ends
        do {
            Map<String, AttributeValue> from = last;
            QueryResponse response = dynamoDb.query(b -> {
                b.tableName(table).limit(limit - calls.size()).scanIndexForward(false)
                        .keyConditionExpression("#h = :h AND begins_with(#r, :prefix)")
                        .expressionAttributeNames(names).expressionAttributeValues(values).exclusiveStartKey(from);
                if (index != null) {
                    b.indexName(index);
                }
                if (!conditions.isEmpty()) {
                    b.filterExpression(String.join(" AND ", conditions));
                }
            });
            response.items().forEach(i -> calls.add(Json.parseStored(i.get("doc").s(), LlmCall.class)));
            last = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
                    ? response.lastEvaluatedKey() : null;
        } while (last != null && calls.size() < limit);
        Optional<Map<String, String>> next = last == null ? Optional.empty() : Optional.of(cursorOf(last));
        return new Page<>(calls, next);
    }

    private static Map<String, String> cursorOf(Map<String, AttributeValue> key) {
        Map<String, String> cursor = new TreeMap<>();
        key.forEach((name, value) -> {
            if (!MainTableKeys.PK.equals(name)) {
                cursor.put(name, value.s());
            }
        });
        return cursor;
    }

    private static Map<String, AttributeValue> startKey(Map<String, String> cursor, String index, String pk,
                                                        String partition, String hashName, String rangeName) {
        String sk = cursor.get(MainTableKeys.SK);
        if (sk == null || !sk.startsWith("LLMCALL#") || sk.length() > 100 || cursor.size() > 3
                || (index == null && cursor.size() != 1)
                || (index != null && (cursor.size() != 3 || !partition.equals(cursor.get(hashName))
                || !sk.substring("LLMCALL#".length()).equals(cursor.get(rangeName))))) {
            throw ApiError.invalidField("cursor", "belongs to another list");
        }
        Map<String, AttributeValue> start = new HashMap<>(key(pk, sk));
        if (index != null) {
            start.put(hashName, s(partition));
            start.put(rangeName, s(cursor.get(rangeName)));
        }
        return start;
    }

    @Override
    public UsageGroup runUsage(TenantId tenant, String runId, String agentId) {
        String sk = agentId == null ? "USAGERUN#" + runId : "USAGERUNAGENT#" + runId + "#" + agentId;
        Map<String, AttributeValue> item = dynamoDb.getItem(b -> b.tableName(table).consistentRead(true)
                .key(key(MainTableKeys.tenant(tenant.value()), sk))).item();
        String key = agentId == null ? runId : agentId;
        return item == null || item.isEmpty() ? new UsageGroup(key, 0, 0, 0, 0)
                : new UsageGroup(key, number(item, "calls"), number(item, "inputTokens"),
                        number(item, "outputTokens"), number(item, "costMicroUsd"));
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

    @Override
    public List<UsageGroup> usageBy(TenantId tenant, GroupBy groupBy, LocalDate from, LocalDate to) {
        if (groupBy == GroupBy.DAY) {
            return usage(tenant, from, to).stream().map(d -> new UsageGroup(d.day().toString(), d.calls(),
                    d.inputTokens(), d.outputTokens(), d.costMicroUsd())).toList();
        }
        String prefix = groupBy == GroupBy.AGENT ? "USAGEAGENT#" : "USAGEMODEL#";
        Map<String, UsageGroup> groups = new TreeMap<>();
        dynamoDb.queryPaginator(b -> b.tableName(table)
                        .keyConditionExpression("pk = :pk AND sk BETWEEN :from AND :to")
                        .expressionAttributeValues(Map.of(":pk", s(MainTableKeys.tenant(tenant.value())),
                                ":from", s(prefix + from), ":to", s(prefix + to + "#\uffff"))))
                .items().forEach(i -> {
                    String key = i.get("sk").s().substring(prefix.length() + 11);
                    groups.merge(key, new UsageGroup(key, number(i, "calls"), number(i, "inputTokens"),
                            number(i, "outputTokens"), number(i, "costMicroUsd")), UsageGroup::plus);
                });
        return List.copyOf(groups.values());
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
