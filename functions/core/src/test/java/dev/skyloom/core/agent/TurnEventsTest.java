package dev.skyloom.core.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The turn's event sender: order, batching of what queued up meanwhile, waiting in flush, failures. */
class TurnEventsTest {

    /** Records each emitAll as one batch; the first one waits until the test releases it. */
    static final class GatedEvents implements StepEvents {
        final List<List<String>> batches = Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public void emit(String type, String eventId, com.fasterxml.jackson.databind.node.ObjectNode detail) {
            throw new AssertionError("the sender always uses emitAll");
        }

        @Override
        public void emitAll(List<Event> events) {
            if (batches.isEmpty()) {
                entered.countDown();
                try {
                    assertThat(release.await(30, TimeUnit.SECONDS)).isTrue();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            }
            batches.add(events.stream().map(Event::eventId).toList());
        }
    }

    static void emit(TurnEvents out, int i) {
        out.emit("TOOL_CALL_END", "evt_" + i, JsonNodeFactory.instance.objectNode().put("i", i));
    }

    @Test
    void emit_doesNotWaitForTheBus_queuedEventsGoInTheNextRequest_inOrder_andFlushWaitsForAll() throws Exception {
        GatedEvents bus = new GatedEvents();
        TurnEvents out = new TurnEvents(bus);

        emit(out, 1);
        assertThat(bus.entered.await(30, TimeUnit.SECONDS)).as("the first request is in flight").isTrue();
        for (int i = 2; i <= 25; i++) {
            emit(out, i); // returns although the first request has not been answered
        }
        assertThat(bus.batches).isEmpty();
        bus.release.countDown();
        out.flush();

        List<String> second = new ArrayList<>();
        for (int i = 2; i <= 25; i++) {
            second.add("evt_" + i);
        }
        assertThat(bus.batches).containsExactly(List.of("evt_1"), second);
    }

    @Test
    void flush_withNothingEmitted_returnsAtOnce_andASecondTurnOfEventsIsSentAfterAFlush() {
        List<String> sent = Collections.synchronizedList(new ArrayList<>());
        TurnEvents out = new TurnEvents((type, id, detail) -> sent.add(id));
        out.flush();
        emit(out, 1);
        out.flush();
        emit(out, 2);
        emit(out, 3);
        out.flush();
        assertThat(sent).containsExactly("evt_1", "evt_2", "evt_3");
    }

    @Test
    void aFailedSend_failsTheFlush_andRefusesLaterEvents() {
        TurnTransientException refused = new TurnTransientException("EventBridge refused event evt_1", null);
        TurnEvents out = new TurnEvents((type, id, detail) -> {
            throw refused;
        });
        emit(out, 1);
        assertThatThrownBy(out::flush).isSameAs(refused);
        assertThatThrownBy(() -> emit(out, 2)).isSameAs(refused);
    }
}
