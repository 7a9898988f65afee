package dev.skyloom.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventSourceSpecTest {
    private static final QueueSpec QUEUE = new QueueSpec("work", "", 60, 3600, 3);

    private static FunctionSpec function(int timeout, List<Grant> grants) {
        return new FunctionSpec("worker", "", "a.B::handle", 512, timeout, 0, Map.of(), grants);
    }

    private static ResourceManifest manifest(FunctionSpec function, EventSourceSpec source) {
        return new ResourceManifest(List.of(), List.of(QUEUE), List.of(), List.of(function), List.of(), List.of(),
                List.of(), List.of(source));
    }

    private static final List<Grant> CONSUME = List.of(new Grant(ResourceKind.QUEUE, "work", Grant.Access.CONSUME));

    @Test
    void manifest_declaresTheEventsQueue_asTheIngestFunctionsSource_withPartialBatchResponses() {
        EventSourceSpec ingest = SkyloomResources.manifest().eventSources().getFirst();

        assertThat(ingest.name()).isEqualTo("events-to-ingest");
        assertThat(ingest.batchSize()).isEqualTo(10);
        assertThat(ingest.reportBatchItemFailures()).isTrue();
        assertThat(SkyloomResources.manifest().function("ingest").handlerClass())
                .isEqualTo("dev.skyloom.handlers.IngestHandler");
    }

    @Test
    void constructor_shouldReject_whenTheQueueHidesABatchForLessThanTheFunctionRuns() {
        assertThatThrownBy(() -> manifest(function(120, CONSUME), new EventSourceSpec("worker", "work", 10, 0, 2, true)))
                .hasMessageContaining("visibility timeout of queue work (60 s) must be at least the timeout of "
                        + "function worker (120 s)");
    }

    @Test
    void constructor_shouldReject_whenTheFunctionMayNotConsumeTheQueue() {
        assertThatThrownBy(() -> manifest(function(30, List.of()), new EventSourceSpec("worker", "work", 10, 0, 2,
                true))).hasMessageContaining("needs the grant CONSUME on queue work");
    }

    @Test
    void constructor_shouldReject_undeclaredQueues_andBatchesOverTen() {
        assertThatThrownBy(() -> manifest(function(30, CONSUME), new EventSourceSpec("worker", "nope", 10, 0, 2, true)))
                .hasMessageContaining("refers to queue 'nope', which is not declared");
        assertThatThrownBy(() -> new EventSourceSpec("worker", "work", 11, 0, 2, true))
                .hasMessageContaining("batchSize");
    }
}
