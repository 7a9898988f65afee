package dev.skyloom.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResourceManifestTest {

    @Test
    void manifest_declaresEveryResourceTheHandlersReferTo() {
        ResourceManifest manifest = SkyloomResources.manifest();

        assertThat(manifest.tables()).extracting(TableSpec::name).containsExactly("main", "events", "idempotency");
        assertThat(manifest.table("main").keyAttributes())
                .containsOnlyKeys("pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk");
        assertThat(manifest.function("api").handlerClass()).isEqualTo("dev.skyloom.handlers.ApiHandler");
        assertThat(manifest.function("api").environment()).containsEntry(SkyloomResources.ENV_TABLE_MAIN,
                EnvValue.tableName("main"));
        assertThat(manifest.queue("events").deadLetterQueueName()).isEqualTo("events-dlq");
    }

    @Test
    void constructor_shouldReject_whenEnvironmentRefersToUndeclaredTable() {
        FunctionSpec function = new FunctionSpec("fn", "", "a.B::handle", 512, 30, 0,
                Map.of("T", EnvValue.tableName("nope")), List.of());

        assertThatThrownBy(() -> new ResourceManifest(List.of(), List.of(), List.of(), List.of(function)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("function fn environment T refers to table 'nope'")
                .hasMessageContaining("declared tables: []");
    }

    @Test
    void constructor_shouldReject_whenTwoQueuesShareAName() {
        QueueSpec queue = new QueueSpec("q", "", 30, 3600, 3);

        assertThatThrownBy(() -> new ResourceManifest(List.of(), List.of(queue, queue), List.of(), List.of()))
                .hasMessage("two queues are named 'q'");
    }

    @Test
    void functionSpec_shouldReject_whenHandlerIsNotAClassName() {
        assertThatThrownBy(() -> new FunctionSpec("fn", "", "not a class", 512, 30, 0, Map.of(), List.of()))
                .hasMessageContaining("expected fully.qualified.ClassName or fully.qualified.ClassName::method");
    }

    @Test
    void functionSpec_shouldReject_whenMemoryOutOfRange() {
        assertThatThrownBy(() -> new FunctionSpec("fn", "", "a.B", 64, 30, 0, Map.of(), List.of()))
                .hasMessage("memoryMb of function fn is 64: valid range is 128..10240");
    }

    @Test
    void tableSpec_shouldReject_whenAnAttributeHasTwoTypes() {
        assertThatThrownBy(() -> new TableSpec("t", "", Key.string("pk"), null,
                List.of(IndexSpec.of("i", Key.number("pk"), null)), null))
                .hasMessage("table t uses attribute pk as both STRING and NUMBER");
    }

    @Test
    void grant_shouldReject_whenAccessDoesNotApplyToKind() {
        assertThatThrownBy(() -> new Grant(ResourceKind.QUEUE, "q", Grant.Access.READ))
                .hasMessageContaining("access READ does not apply to a QUEUE");
    }

    @Test
    void naming_prefixesLogicalNames() {
        assertThat(Naming.LOCAL.physical("main")).isEqualTo("skyloom-main");
        assertThat(Naming.forStage("prod").physical("events")).isEqualTo("skyloom-prod-events");
        assertThatThrownBy(() -> new Naming("Bad")).hasMessageContaining("is invalid");
    }
}
