package dev.skyloom.core.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyloom.core.identity.TenantId;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class EventEnvelopesTest {
    private static String envelope(String detail) {
        return "{\"version\":\"0\",\"id\":\"eb-1\",\"source\":\"skyloom.agent\",\"detail-type\":\"STEP_OUTPUT\","
                + "\"time\":\"2026-11-22T00:00:00Z\",\"detail\":" + detail + "}";
    }

    @Test
    void parse_withTenantAndRun_acceptsTheEvent_dedupedByTheDetailsEventId() {
        var parsed = EventEnvelopes.parse(envelope(
                "{\"tenantId\":\"acme\",\"runId\":\"run-1\",\"stepId\":\"plan\",\"eventId\":\"evt_1\",\"turn\":2}"));

        assertThat(parsed).isInstanceOf(EventEnvelopes.Accepted.class);
        IncomingEvent event = ((EventEnvelopes.Accepted) parsed).event();
        assertThat(event.stream()).isEqualTo(EventStream.run(new TenantId("acme"), "run-1"));
        assertThat(event.eventId()).isEqualTo("evt_1");
        assertThat(event.type()).isEqualTo("STEP_OUTPUT");
        assertThat(event.source()).isEqualTo("skyloom.agent");
        assertThat(event.time()).isEqualTo(Instant.parse("2026-11-22T00:00:00Z"));
        assertThat(event.stepId()).isEqualTo("plan");
        assertThat(event.detail().path("turn").asInt()).isEqualTo(2);
    }

    @Test
    void parse_withoutDetailEventId_usesTheEventBridgeId_andSwarmsAndChatsHaveTheirOwnStreams() {
        var swarm = (EventEnvelopes.Accepted) EventEnvelopes.parse(envelope("{\"tenantId\":\"acme\",\"swarmId\":\"sw-1\"}"));
        var chat = (EventEnvelopes.Accepted) EventEnvelopes.parse(envelope("{\"tenantId\":\"acme\",\"chatId\":\"c-1\"}"));

        assertThat(swarm.event().eventId()).isEqualTo("eb-1");
        assertThat(swarm.event().stream().kind()).isEqualTo(EventStream.Kind.SWARM);
        assertThat(chat.event().stream().kind()).isEqualTo(EventStream.Kind.CHAT);
        assertThat(chat.event().stepId()).isNull();
    }

    @Test
    void parse_ofAnEventWithoutTenantOrStream_skipsIt() {
        assertThat(EventEnvelopes.parse(envelope("{\"runId\":\"run-1\"}"))).isInstanceOf(EventEnvelopes.Skipped.class);
        assertThat(EventEnvelopes.parse(envelope("{\"tenantId\":\"acme\"}"))).isInstanceOf(EventEnvelopes.Skipped.class);
    }

    @Test
    void parse_ofMalformedMessages_saysWhatIsWrong() {
        assertThat(reason("not json")).contains("not JSON");
        assertThat(reason("[1]")).contains("not a JSON object");
        assertThat(reason("{\"id\":\"x\"}")).contains("'source'");
        assertThat(reason(envelope("\"text\""))).contains("'detail'");
        assertThat(reason(envelope("{\"tenantId\":\"Not A Tenant\",\"runId\":\"r\"}"))).contains("tenant id");
        assertThat(reason(envelope("{\"tenantId\":\"acme\",\"runId\":\"a/b\"}"))).contains("runId");
        assertThat(reason(envelope("{\"tenantId\":\"acme\",\"runId\":\"r\",\"eventId\":7}"))).contains("eventId");
        assertThat(reason(envelope("{\"tenantId\":7,\"runId\":\"r\"}"))).contains("tenantId");
        assertThat(reason(envelope("{}").replace("2026-11-22T00:00:00Z", "yesterday"))).contains("time");
    }

    private static String reason(String body) {
        var parsed = EventEnvelopes.parse(body);
        assertThat(parsed).as(body).isInstanceOf(EventEnvelopes.Malformed.class);
        return ((EventEnvelopes.Malformed) parsed).reason();
    }
}
