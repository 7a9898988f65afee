package dev.skyloom.core.health;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Runs every {@link HealthCheck} concurrently; a check that exceeds the deadline counts as unhealthy. */
public final class HealthService {
    private final List<HealthCheck> checks;
    private final Duration deadline;

    public HealthService(List<HealthCheck> checks, Duration deadline) {
        this.checks = List.copyOf(checks);
        this.deadline = deadline;
    }

    private record Timed(String detail, long millis) {
    }

    public HealthReport check() {
        Map<String, HealthReport.Component> components = new TreeMap<>();
        long start = System.nanoTime();
        long end = start + deadline.toNanos();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            Map<HealthCheck, Future<Timed>> futures = new LinkedHashMap<>();
            for (HealthCheck check : checks) {
                futures.put(check, executor.submit(() -> {
                    long t0 = System.nanoTime();
                    String detail = check.probe().run();
                    return new Timed(detail, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
                }));
            }
            for (Map.Entry<HealthCheck, Future<Timed>> entry : futures.entrySet()) {
                String name = entry.getKey().component();
                long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                try {
                    Timed timed = entry.getValue().get(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
                    components.put(name, new HealthReport.Component(true, timed.detail(), timed.millis()));
                } catch (TimeoutException e) {
                    entry.getValue().cancel(true);
                    components.put(name, new HealthReport.Component(false,
                            "no answer within " + deadline.toMillis() + " ms", deadline.toMillis()));
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    components.put(name, new HealthReport.Component(false,
                            cause.getClass().getSimpleName() + ": " + cause.getMessage(), elapsed));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    components.put(name, new HealthReport.Component(false, "interrupted", elapsed));
                }
            }
            executor.shutdownNow();
        }
        boolean healthy = components.values().stream().allMatch(HealthReport.Component::healthy);
        return new HealthReport(healthy, components);
    }
}
