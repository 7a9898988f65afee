package dev.skyloom.core.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.skyloom.core.api.ApiError;
import dev.skyloom.core.identity.Principal;
import dev.skyloom.core.identity.TenantId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RunEventsServiceTest {
    private final InMemoryEventStore store = new InMemoryEventStore();
    private final MutableClock clock = new MutableClock();
    private final List<Duration> sleeps = new ArrayList<>();
    private final Principal alice = new Principal(new TenantId("alice"), "k1", "u1", Set.of("*"), false);

    private static final class MutableClock extends Clock {
        Instant now = Instant.parse("2026-11-22T00:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private void add(String tenant, String run, String eventId) {
        store.append(new IncomingEvent(EventStream.run(new TenantId(tenant), run), eventId, "STEP_OUTPUT",
                "skyloom.agent", clock.now, "plan", JsonNodeFactory.instance.objectNode()));
    }

    private RunEventsService service(Runnable duringSleep) {
        return new RunEventsService(store, clock, d -> {
            sleeps.add(d);
            clock.now = clock.now.plus(d);
            duringSleep.run();
        });
    }

    @Test
    void read_pagesAfterASequenceNumber_inOrder_inTheCallersTenantOnly() {
        for (int i = 1; i <= 5; i++) {
            add("alice", "r1", "e" + i);
        }
        add("bob", "r1", "b1");

        RunEventsService.Page page = service(() -> { }).read(alice, "r1", Optional.of("2"), Optional.of("2"),
                Optional.empty());

        assertThat(page.items()).extracting(StoredEvent::seq).containsExactly(3L, 4L);
        assertThat(page.next()).isEqualTo(4);
        Principal bob = new Principal(new TenantId("bob"), "k2", "u2", Set.of("*"), false);
        assertThat(service(() -> { }).read(bob, "r1", Optional.empty(), Optional.empty(), Optional.empty()).items())
                .extracting(StoredEvent::eventId).containsExactly("b1");
        ApiError unknown = catchThrowableOfType(ApiError.class, () -> service(() -> { }).read(alice, "r2",
                Optional.empty(), Optional.empty(), Optional.empty()));
        assertThat(unknown.status()).as("a run without events in the tenant is not found").isEqualTo(404);
        ApiError otherTenants = catchThrowableOfType(ApiError.class, () -> service(() -> { }).read(bob, "r1",
                Optional.of("1"), Optional.empty(), Optional.empty()));
        assertThat(otherTenants).as("bob's r1 has one event: after 1 is an empty page, not a 404").isNull();
    }

    @Test
    void read_withWait_returnsAsSoonAsAnEventExists_withGrowingPauses() {
        RunEventsService.Page page = service(() -> {
            if (sleeps.size() == 4) {
                add("alice", "r1", "late");
            }
        }).read(alice, "r1", Optional.empty(), Optional.empty(), Optional.of("20"));

        assertThat(page.items()).extracting(StoredEvent::eventId).containsExactly("late");
        assertThat(sleeps).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400),
                Duration.ofMillis(800));
    }

    @Test
    void read_withWait_andNoEvent_answersEmptyAtTheDeadline() {
        add("alice", "r1", "e1");
        RunEventsService.Page page = service(() -> { }).read(alice, "r1", Optional.of("7"), Optional.empty(),
                Optional.of("3"));

        assertThat(page.items()).isEmpty();
        assertThat(page.next()).isEqualTo(7);
        assertThat(sleeps.stream().reduce(Duration.ZERO, Duration::plus)).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void read_ofARunWithoutEvents_waitsForItsFirst_thenIsA404() {
        ApiError error = catchThrowableOfType(ApiError.class, () -> service(() -> { }).read(alice, "new-run",
                Optional.empty(), Optional.empty(), Optional.of("2")));

        assertThat(error.status()).isEqualTo(404);
        assertThat(sleeps.stream().reduce(Duration.ZERO, Duration::plus)).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void read_withBadParameters_isA400NamingTheField() {
        RunEventsService service = service(() -> { });
        assertThat(field(() -> service.read(alice, "r1", Optional.of("-1"), Optional.empty(), Optional.empty())))
                .isEqualTo("after");
        assertThat(field(() -> service.read(alice, "r1", Optional.empty(), Optional.of("501"), Optional.empty())))
                .isEqualTo("limit");
        assertThat(field(() -> service.read(alice, "r1", Optional.empty(), Optional.empty(), Optional.of("26"))))
                .isEqualTo("wait");
        assertThat(field(() -> service.read(alice, "a b", Optional.empty(), Optional.empty(), Optional.empty())))
                .isEqualTo("runId");
    }

    @Test
    void read_dropsEveryTaskToken_ofApprovalsAndToolApprovals_atAnyDepth_andKeepsTheRest() throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        EventStream run = EventStream.run(new TenantId("alice"), "r1");
        store.append(new IncomingEvent(run, "e1", "APPROVAL_REQUIRED", "skyloom.pipeline", clock.now, "ship",
                (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(
                        "{\"stepId\":\"ship\",\"taskToken\":\"tok-approval\",\"message\":\"Ship?\"}")));
        store.append(new IncomingEvent(run, "e2", "TOOL_APPROVAL_REQUIRED", "skyloom.agent", clock.now, "plan",
                (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree("{\"taskToken\":\"tok-tool\","
                        + "\"pending\":{\"tool\":\"delete_file\",\"callKey\":\"k1\"}}")));
        store.append(new IncomingEvent(run, "e3", "SOMETHING_NEW", "skyloom.agent", clock.now, null,
                (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(
                        "{\"calls\":[{\"taskToken\":\"tok-nested\",\"id\":1}]}")));
        add("alice", "r1", "e4");

        List<StoredEvent> items = service(() -> { }).read(alice, "r1", Optional.empty(), Optional.empty(),
                Optional.empty()).items();

        assertThat(items).extracting(StoredEvent::eventId).containsExactly("e1", "e2", "e3", "e4");
        assertThat(items.toString()).doesNotContain("taskToken").doesNotContain("tok-");
        assertThat(items.get(0).data().path("message").asText()).isEqualTo("Ship?");
        assertThat(items.get(1).data().path("pending").path("callKey").asText()).isEqualTo("k1");
        assertThat(items.get(2).data().path("calls").path(0).path("id").asInt()).isEqualTo(1);
        assertThat(store.read(run, 0, 10).get(1).data().path("taskToken").asText())
                .as("the stored event keeps its token").isEqualTo("tok-tool");
    }

    private static String field(Runnable call) {
        ApiError error = catchThrowableOfType(ApiError.class, call::run);
        assertThat(error.status()).isEqualTo(400);
        return error.details().getFirst().field();
    }
}
