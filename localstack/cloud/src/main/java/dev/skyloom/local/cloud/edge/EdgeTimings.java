package dev.skyloom.local.cloud.edge;

import com.sun.net.httpserver.HttpExchange;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * How many requests of each operation the edge served and how long they took (from the request being dispatched to
 * its handler returning, i.e. the answer written). Always on: one map lookup and two adders per request. Benchmarks
 * take a {@link #snapshot()} before and after a workload and subtract ({@link Snapshot#minus}) to attribute the
 * workload's time to S3, DynamoDB, EventBridge, Lambda, Bedrock, ... calls.
 *
 * <p>Operations are named {@code <service> <operation>}: the {@code X-Amz-Target} action for JSON protocols
 * ({@code dynamodb PutItem}, {@code events PutEvents}), {@code s3 <METHOD> object|bucket} for S3,
 * {@code lambda Invoke <function>} for Lambda invocations, {@code bedrock <last path segment>} for Bedrock.
 */
public final class EdgeTimings {
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    private record Counter(LongAdder count, LongAdder nanos) {
    }

    /** Count and total time of one operation. */
    public record Entry(long count, long nanos) {
        public double millis() {
            return nanos / 1e6;
        }
    }

    /** The counters at one instant, by operation name (sorted). */
    public record Snapshot(Map<String, Entry> entries) {
        /** What happened between {@code earlier} and this snapshot (operations with no new request left out). */
        public Snapshot minus(Snapshot earlier) {
            Map<String, Entry> out = new TreeMap<>();
            entries.forEach((name, e) -> {
                Entry before = earlier.entries().getOrDefault(name, new Entry(0, 0));
                if (e.count() > before.count()) {
                    out.put(name, new Entry(e.count() - before.count(), e.nanos() - before.nanos()));
                }
            });
            return new Snapshot(out);
        }

        /** The sum over the operations whose name starts with {@code prefix} (e.g. {@code "s3 "}). */
        public Entry total(String prefix) {
            long count = 0;
            long nanos = 0;
            for (Map.Entry<String, Entry> e : entries.entrySet()) {
                if (e.getKey().startsWith(prefix)) {
                    count += e.getValue().count();
                    nanos += e.getValue().nanos();
                }
            }
            return new Entry(count, nanos);
        }
    }

    void record(String operation, long nanos) {
        Counter c = counters.computeIfAbsent(operation, k -> new Counter(new LongAdder(), new LongAdder()));
        c.count().increment();
        c.nanos().add(nanos);
    }

    public Snapshot snapshot() {
        Map<String, Entry> out = new TreeMap<>();
        counters.forEach((name, c) -> out.put(name, new Entry(c.count().sum(), c.nanos().sum())));
        return new Snapshot(out);
    }

    /** The operation a request is for; {@code service} is the resolved service's signing name. */
    static String operation(String service, HttpExchange exchange, String path) {
        String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
        if (target != null) {
            int dot = target.lastIndexOf('.');
            return service + " " + (dot < 0 ? target : target.substring(dot + 1));
        }
        return switch (service) {
            case "s3" -> {
                int slash = path.indexOf('/', 1);
                yield "s3 " + exchange.getRequestMethod() + (slash > 0 && slash < path.length() - 1 ? " object"
                        : " bucket");
            }
            case "lambda" -> {
                int end = path.indexOf("/invocations");
                if (end > 0) {
                    String function = path.substring(path.lastIndexOf('/', end - 1) + 1, end);
                    function = function.substring(function.lastIndexOf("%3A") + (function.contains("%3A") ? 3 : 0));
                    yield "lambda Invoke " + function;
                }
                yield "lambda " + exchange.getRequestMethod();
            }
            case "bedrock" -> "bedrock " + path.substring(path.lastIndexOf('/') + 1);
            default -> service + " " + exchange.getRequestMethod();
        };
    }
}
