package dev.skyloom.local.cloud.lambda.esm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;

/** The partial batch response, read as Lambda reads it. */
class SqsEventSourceMappingTest {
    private static final List<Message> BATCH = List.of(Message.builder().messageId("m1").build(),
            Message.builder().messageId("m2").build());

    private static Optional<Set<String>> failures(String response) {
        return SqsEventSourceMapping.failures(response.getBytes(StandardCharsets.UTF_8), BATCH);
    }

    @Test
    void failures_namedByTheFunction_areRetried_andTheRestSucceeds() {
        assertThat(failures("{\"batchItemFailures\":[{\"itemIdentifier\":\"m2\"}]}")).contains(Set.of("m2"));
        assertThat(failures("{\"batchItemFailures\":[]}")).contains(Set.of());
    }

    @Test
    void aResponseWithoutFailures_meansEveryMessageSucceeded() {
        assertThat(failures("")).contains(Set.of());
        assertThat(failures("null")).contains(Set.of());
        assertThat(failures("{}")).contains(Set.of());
        assertThat(failures("{\"batchItemFailures\":null}")).contains(Set.of());
    }

    @Test
    void anInvalidResponse_failsTheWholeBatch() {
        assertThat(failures("{\"batchItemFailures\":[{\"itemIdentifier\":\"m9\"}]}")).isEmpty();
        assertThat(failures("{\"batchItemFailures\":[{\"itemIdentifier\":\"\"}]}")).isEmpty();
        assertThat(failures("{\"batchItemFailures\":[{}]}")).isEmpty();
        assertThat(failures("{\"batchItemFailures\":\"m1\"}")).isEmpty();
    }
}
