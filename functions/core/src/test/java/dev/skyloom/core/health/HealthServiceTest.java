package dev.skyloom.core.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class HealthServiceTest {

    private static HealthCheck check(String name, HealthCheck.Probe probe) {
        return new HealthCheck(name, probe);
    }
    @Test
    void check_isHealthy_whenEveryComponentAnswers() {
        HealthReport report = new HealthService(List.of(check("a", () -> "fine"), check("b", () -> "also fine")),
                Duration.ofSeconds(1)).check();

        assertThat(report.healthy()).isTrue();
        assertThat(report.components()).containsOnlyKeys("a", "b");
        assertThat(report.components().get("a").detail()).isEqualTo("fine");
    }

    @Test
    void check_reportsTheFailingComponent_withItsError() {
        HealthReport report = new HealthService(List.of(check("ok", () -> "fine"),
                check("db", () -> {
                    throw new IllegalStateException("table main is CREATING");
                })), Duration.ofSeconds(1)).check();

        assertThat(report.healthy()).isFalse();
        assertThat(report.components().get("ok").healthy()).isTrue();
        assertThat(report.components().get("db").healthy()).isFalse();
        assertThat(report.components().get("db").detail()).isEqualTo("IllegalStateException: table main is CREATING");
    }

    @Test
    void check_countsAHungComponentAsDown_afterTheDeadline() {
        CountDownLatch never = new CountDownLatch(1);
        HealthReport report = new HealthService(List.of(check("slow", () -> {
            never.await();
            return "unreachable";
        })), Duration.ofMillis(200)).check();

        assertThat(report.healthy()).isFalse();
        assertThat(report.components().get("slow").detail()).isEqualTo("no answer within 200 ms");
    }
}
