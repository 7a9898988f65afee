package dev.skyloom.core.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.skyloom.core.api.ApiError;
import dev.skyloom.core.api.Json;
import dev.skyloom.core.api.Page;
import dev.skyloom.core.identity.Principal;
import dev.skyloom.core.identity.TenantId;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UsageServiceTest {
    private final List<LocalDate[]> asked = new ArrayList<>();
    private final LlmCallStore store = new LlmCallStore() {
        @Override
        public void record(TenantId tenant, LlmCall call) {
        }

        @Override
        public Optional<LlmCall> find(TenantId tenant, String callId) {
            return Optional.empty();
        }

        @Override
        public Page<LlmCall> list(TenantId tenant, Filter filter, Optional<Map<String, String>> cursor,
                                      int limit) {
            return new Page<>(List.of(), Optional.empty());
        }

        @Override
        public List<UsageDay> usage(TenantId tenant, LocalDate from, LocalDate to) {
            asked.add(new LocalDate[] {from, to});
            return List.of(new UsageDay(from, 2, 100, 50, 1_500), new UsageDay(to, 1, 10, 5, 250));
        }

        @Override
        public List<UsageGroup> usageBy(TenantId tenant, GroupBy groupBy, LocalDate from, LocalDate to) {
            return List.of(new UsageGroup(groupBy.name(), 1, 2, 3, 4));
        }

        @Override
        public UsageGroup runUsage(TenantId tenant, String runId, String agentId) {
            return new UsageGroup(runId, 0, 0, 0, 0);
        }
    };
    private final UsageService usage = new UsageService(store,
            Clock.fixed(Instant.parse("2026-11-21T10:00:00Z"), ZoneOffset.UTC));
    private final Principal alice = new Principal(new TenantId("alice"), "k", "u", Set.of("*"), false);

    @Test
    void summary_defaultsToTheLast30Days_andSumsTheDays() {
        UsageService.Summary summary = usage.summary(alice, Optional.empty(), Optional.empty());

        assertThat(summary.from()).isEqualTo(LocalDate.parse("2026-10-23"));
        assertThat(summary.to()).isEqualTo(LocalDate.parse("2026-11-21"));
        assertThat(summary.total().calls()).isEqualTo(3);
        assertThat(summary.total().costMicroUsd()).isEqualTo(1_750);
    }

    @Test
    void summary_groupsByAgentOrModel_andRefusesOtherGroupings() {
        assertThat(usage.summary(alice, Optional.empty(), Optional.empty(), Optional.of("agent")).groups())
                .containsExactly(new UsageGroup("AGENT", 1, 2, 3, 4));
        UsageService.Summary byDay = usage.summary(alice, Optional.empty(), Optional.empty(), Optional.empty());
        assertThat(byDay.groupBy()).isEqualTo("day");
        assertThat(byDay.groups()).extracting(UsageGroup::key).containsExactly("2026-10-23", "2026-11-21");
        assertThat(catchThrowableOfType(ApiError.class, () -> usage.summary(alice, Optional.empty(),
                Optional.empty(), Optional.of("week"))).details().get(0).field()).isEqualTo("groupBy");
    }

    @Test
    void llmCallFilters_areChecked() {
        LlmCallStore.Filter stepOnly = new LlmCallStore.Filter(Optional.empty(), Optional.empty(), Optional.of("plan"),
                Optional.empty());
        assertThat(catchThrowableOfType(ApiError.class, () -> usage.list(alice, stepOnly, Optional.empty(), 10))
                .details().get(0).field()).isEqualTo("stepId");
        LlmCallStore.Filter bad = new LlmCallStore.Filter(Optional.of("run 1"), Optional.empty(), Optional.empty(),
                Optional.empty());
        assertThat(catchThrowableOfType(ApiError.class, () -> usage.list(alice, bad, Optional.empty(), 10))
                .details().get(0).field()).isEqualTo("runId");
    }

    @Test
    void summary_badDatesOrRange_is400NamingTheParameter() {
        assertThat(catchThrowableOfType(ApiError.class, () -> usage.summary(alice, Optional.of("yesterday"),
                Optional.empty())).details().getFirst().field()).isEqualTo("from");
        assertThat(catchThrowableOfType(ApiError.class, () -> usage.summary(alice, Optional.of("2026-11-22"),
                Optional.of("2026-11-21"))).status()).isEqualTo(400);
        assertThat(catchThrowableOfType(ApiError.class, () -> usage.summary(alice, Optional.of("2024-01-01"),
                Optional.of("2026-11-21"))).status()).isEqualTo(400);
        assertThat(asked).isEmpty();
    }

    @Test
    void llmCall_idsSortByTime_andSerializeTheInstantAsText() {
        String early = LlmCall.newId(Instant.parse("2026-11-21T10:00:00Z"));
        String late = LlmCall.newId(Instant.parse("2026-11-21T10:00:01Z"));
        LlmCall call = new LlmCall(early, Instant.parse("2026-11-21T10:00:00Z"), "run", "step", "agt", "bedrock",
                "m", 1, 2, 0, 0, 0, 3, 4, "end_turn");

        assertThat(early).isLessThan(late);
        assertThat(Json.write(call)).contains("\"at\":\"2026-11-21T10:00:00Z\"");
        assertThat(catchThrowableOfType(ApiError.class, () -> usage.get(alice, "../x")).status()).isEqualTo(404);
    }
}
