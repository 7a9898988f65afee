package dev.skyloom.aws.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.core.api.Json;
import dev.skyloom.core.events.EventStore;
import dev.skyloom.core.events.EventStream;
import dev.skyloom.core.events.IncomingEvent;
import dev.skyloom.core.events.StoredEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.Update;

/**
 * Event streams in the {@code events} table ({@code pk} S, {@code seq} N). Items:
 * <ul>
 *   <li>event: {@code pk = TENANT#<t>#RUN#<runId>} (or {@code SWARM#}, {@code CHAT#}), {@code seq = 1, 2, ...};
 *       {@code eventId, type, source, time, stepId, data} (the detail as JSON text), TTL {@code expiresAt};</li>
 *   <li>stream head: same {@code pk}, {@code seq = 0}; {@code last} = the highest sequence number;</li>
 *   <li>event id: {@code pk = TENANT#<t>#EVENTID#<eventId>}, {@code seq = 0}; {@code stream}, {@code eventSeq}.</li>
 * </ul>
 * An append of k events of one stream is one transaction: put each event id item if absent, advance the head from
 * {@code n} to {@code n+k} only if it still reads {@code n}, put the events at {@code n+1 .. n+k} if absent. An event
 * id that exists cancels it (that event is a duplicate and leaves the group); a head moved by a concurrent append
 * cancels it too, and the append retries with the head's new value (returned by the failed condition). So sequence
 * numbers have no gaps and no duplicates. See docs/decisions/0600-events-ingest-and-streams.md.
 */
public final class DynamoDbEventStore implements EventStore {
    /** How long events (and their id items) are kept; the table's TTL deletes them afterwards. */
    public static final Duration RETENTION = Duration.ofDays(30);
    /** Events per transaction: the head plus two items per event stay within DynamoDB's 100 items. */
    static final int MAX_PER_TRANSACTION = 49;
    /** How long an append keeps retrying a contended stream before the message is left to a later retry. */
    static final Duration CONTENTION_BUDGET = Duration.ofSeconds(15);
    static final long MAX_BACKOFF_MILLIS = 250;

    private final DynamoDbClient dynamoDb;
    private final String table;
    private final Clock clock;
    /** The last head value this container saw per stream: most appends then need no read first. */
    private final Map<String, Long> heads = new ConcurrentHashMap<>();

    public DynamoDbEventStore(DynamoDbClient dynamoDb, String table, Clock clock) {
        this.dynamoDb = dynamoDb;
        this.table = table;
        this.clock = clock;
    }

    static String streamKey(EventStream stream) {
        return "TENANT#" + stream.tenant().value() + "#" + stream.kind().name() + "#" + stream.id();
    }

    static String eventIdKey(IncomingEvent event) {
        return "TENANT#" + event.stream().tenant().value() + "#EVENTID#" + event.eventId();
    }

    @Override
    public Appended append(IncomingEvent event) {
        return appendAll(List.of(event)).getFirst();
    }

    /**
     * One transaction per {@value #MAX_PER_TRANSACTION} events: the head moves from {@code n} to {@code n+k}, and each
     * event gets its id item and its event item at {@code n+1 .. n+k}. A cancelled transaction says which id items
     * existed (those events are duplicates and leave the group) and whether the head moved (retry from its value).
     */
    @Override
    public List<Appended> appendAll(List<IncomingEvent> events) {
        if (events.isEmpty()) {
            return List.of();
        }
        String pk = streamKey(events.getFirst().stream());
        for (IncomingEvent event : events) {
            if (!streamKey(event.stream()).equals(pk)) {
                throw new IllegalArgumentException("appendAll takes events of one stream; got " + pk + " and "
                        + streamKey(event.stream()));
            }
        }
        Appended[] outcomes = new Appended[events.size()];
        Map<String, Integer> firstOfId = new HashMap<>();
        List<Integer> pending = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            Integer earlier = firstOfId.putIfAbsent(events.get(i).eventId(), i);
            if (earlier == null) {
                pending.add(i);
            }
        }
        String expiresAt = Long.toString(clock.instant().plus(RETENTION).getEpochSecond());
        Map<Integer, String> data = new HashMap<>();
        for (int i : pending) {
            try {
                data.put(i, Json.MAPPER.writeValueAsString(events.get(i).detail()));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        Long known = heads.get(pk);
        long last = known != null ? known : readHead(pk);
        Instant deadline = clock.instant().plus(CONTENTION_BUDGET);
        int attempt = 0;
        while (!pending.isEmpty()) {
            List<Integer> group = pending.subList(0, Math.min(MAX_PER_TRANSACTION, pending.size()));
            List<TransactWriteItem> items = new ArrayList<>();
            items.add(advanceHead(pk, last, group.size(), expiresAt));
            for (int g = 0; g < group.size(); g++) {
                IncomingEvent event = events.get(group.get(g));
                items.add(idItem(event, pk, last + 1 + g, expiresAt));
                items.add(eventItem(event, pk, last + 1 + g, data.get(group.get(g)), expiresAt));
            }
            try {
                dynamoDb.transactWriteItems(b -> b.transactItems(items));
                for (int g = 0; g < group.size(); g++) {
                    outcomes[group.get(g)] = new Appended(last + 1 + g, false);
                }
                last += group.size();
                heads.merge(pk, last, Math::max);
                group.clear();
                attempt = 0;
                continue;
            } catch (TransactionCanceledException e) {
                List<CancellationReason> reasons = e.cancellationReasons();
                boolean duplicates = false;
                for (int g = group.size() - 1; g >= 0; g--) {
                    if (failedCondition(reasons, 1 + 2 * g)) {
                        int index = group.get(g);
                        outcomes[index] = new Appended(firstCopy(events.get(index)), true);
                        group.remove(g);
                        duplicates = true;
                    }
                }
                boolean headMoved = failedCondition(reasons, 0);
                if (headMoved) {
                    Map<String, AttributeValue> head = reasons.get(0).item();
                    last = head != null && head.containsKey("last") ? Long.parseLong(head.get("last").n())
                            : readHead(pk);
                }
                if (!duplicates && !headMoved && !conflict(reasons)) {
                    throw new EventStoreException("storing events of " + pk + " failed: "
                            + reasons.stream().map(CancellationReason::code).toList(), e);
                }
                if (headMoved || !duplicates) {
                    // another append took these sequence numbers (or collided with this one): back off, try again
                    attempt++;
                    if (clock.instant().isAfter(deadline)) {
                        throw new EventStoreException("stream " + pk + " stayed contended for " + attempt
                                + " attempts", e);
                    }
                    long cap = Math.min(MAX_BACKOFF_MILLIS, 4L << Math.min(attempt, 10));
                    LockSupport.parkNanos(Duration.ofMillis(ThreadLocalRandom.current().nextLong(1, cap + 1))
                            .toNanos());
                }
            } catch (SdkException e) {
                throw new EventStoreException("storing events of " + pk + " failed: " + e.getMessage(), e);
            }
        }
        for (int i = 0; i < events.size(); i++) {
            if (outcomes[i] == null) {
                // a repeat of an event id earlier in the same batch
                outcomes[i] = new Appended(outcomes[firstOfId.get(events.get(i).eventId())].seq(), true);
            }
        }
        return List.of(outcomes);
    }

    @Override
    public List<StoredEvent> read(EventStream stream, long after, int limit) {
        try {
            return dynamoDb.query(b -> b.tableName(table).consistentRead(true).limit(limit)
                    .keyConditionExpression("pk = :pk AND seq > :after")
                    .expressionAttributeValues(Map.of(":pk", s(streamKey(stream)),
                            ":after", n(Math.max(0, after))))).items().stream()
                    .map(DynamoDbEventStore::stored).toList();
        } catch (SdkException e) {
            throw new EventStoreException("reading stream " + streamKey(stream) + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean exists(EventStream stream) {
        try {
            return readHead(streamKey(stream)) > 0;
        } catch (SdkException e) {
            throw new EventStoreException("reading stream " + streamKey(stream) + " failed: " + e.getMessage(), e);
        }
    }

    private long readHead(String pk) {
        Map<String, AttributeValue> head = dynamoDb.getItem(b -> b.tableName(table).consistentRead(true)
                .key(Map.of("pk", s(pk), "seq", n(0)))).item();
        return head != null && head.containsKey("last") ? Long.parseLong(head.get("last").n()) : 0;
    }

    private long firstCopy(IncomingEvent event) {
        Map<String, AttributeValue> item = dynamoDb.getItem(b -> b.tableName(table).consistentRead(true)
                .key(Map.of("pk", s(eventIdKey(event)), "seq", n(0)))).item();
        return item != null && item.containsKey("eventSeq") ? Long.parseLong(item.get("eventSeq").n()) : 0;
    }

    private TransactWriteItem idItem(IncomingEvent event, String pk, long seq, String expiresAt) {
        return TransactWriteItem.builder().put(Put.builder().tableName(table)
                .item(Map.of("pk", s(eventIdKey(event)), "seq", n(0), "entity", s("EVENTID"), "stream", s(pk),
                        "eventSeq", n(seq), "expiresAt", AttributeValue.fromN(expiresAt)))
                .conditionExpression("attribute_not_exists(pk)").build()).build();
    }

    private TransactWriteItem advanceHead(String pk, long last, int count, String expiresAt) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":next", n(last + count));
        values.put(":exp", AttributeValue.fromN(expiresAt));
        values.put(":entity", s("STREAM"));
        String condition;
        if (last == 0) {
            condition = "attribute_not_exists(pk)";
        } else {
            condition = "#last = :last";
            values.put(":last", n(last));
        }
        return TransactWriteItem.builder().update(Update.builder().tableName(table)
                .key(Map.of("pk", s(pk), "seq", n(0)))
                .updateExpression("SET #last = :next, expiresAt = :exp, entity = :entity")
                .conditionExpression(condition)
                .expressionAttributeNames(Map.of("#last", "last"))
                .expressionAttributeValues(values)
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD).build()).build();
    }

    private TransactWriteItem eventItem(IncomingEvent event, String pk, long seq, String data, String expiresAt) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("pk", s(pk));
        item.put("seq", n(seq));
        item.put("entity", s("EVENT"));
        item.put("eventId", s(event.eventId()));
        item.put("type", s(event.type()));
        item.put("source", s(event.source()));
        item.put("time", s(event.time().toString()));
        if (event.stepId() != null) {
            item.put("stepId", s(event.stepId()));
        }
        item.put("data", s(data));
        item.put("expiresAt", AttributeValue.fromN(expiresAt));
        return TransactWriteItem.builder().put(Put.builder().tableName(table).item(item)
                .conditionExpression("attribute_not_exists(pk)").build()).build();
    }

    private static StoredEvent stored(Map<String, AttributeValue> item) {
        ObjectNode data;
        try {
            data = (ObjectNode) Json.MAPPER.readTree(item.get("data").s());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("event " + item.get("eventId") + " holds data that is not JSON", e);
        }
        AttributeValue step = item.get("stepId");
        return new StoredEvent(Long.parseLong(item.get("seq").n()), item.get("eventId").s(), item.get("type").s(),
                item.get("source").s(), Instant.parse(item.get("time").s()), step == null ? null : step.s(), data);
    }

    private static boolean failedCondition(List<CancellationReason> reasons, int index) {
        return reasons.size() > index && "ConditionalCheckFailed".equals(reasons.get(index).code());
    }

    private static boolean conflict(List<CancellationReason> reasons) {
        return reasons.stream().map(CancellationReason::code).anyMatch("TransactionConflict"::equals);
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
