package dev.skyloom.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.skyloom.aws.DynamoDbLlmCallStore;
import dev.skyloom.core.identity.TenantId;
import dev.skyloom.core.usage.LlmCall;
import dev.skyloom.local.cloud.LocalCloud;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The llm-calls and usage read models: calls recorded by the (real) DynamoDB adapter, as the agent runtime will,
 * then read through the API, per tenant.
 */
class UsageIT {
    @TempDir
    Path dataDir;

    private static LlmCall call(String at, long in, long out, long cost) {
        Instant instant = Instant.parse(at);
        return new LlmCall(LlmCall.newId(instant), instant, "run-1", "plan", "agt_1", "bedrock", "claude", in, out,
                0, 0, 1, cost, 420, "end_turn");
    }

    @Test
    void llmCallsAndUsageSummary_areServedPerTenant_newestFirst() throws Exception {
        try (LocalCloud cloud = PlatformIT.start(dataDir); DynamoDbClient dynamoDb = PlatformIT.dynamoDb(
                cloud.edgeEndpoint())) {
            ApiClient api = new ApiClient(cloud.apiEndpoint().orElseThrow());
            String admin = Files.readString(dataDir.resolve("admin.key")).trim();
            String alice = api.newTenant(admin, "alice");
            String bob = api.newTenant(admin, "bob");
            DynamoDbLlmCallStore store = new DynamoDbLlmCallStore(dynamoDb, "skyloom-main");
            LlmCall first = call("2026-11-20T09:00:00Z", 1000, 200, 1_250_000);
            store.record(new TenantId("alice"), first);
            store.record(new TenantId("alice"), first);
            store.record(new TenantId("alice"), call("2026-11-21T09:00:00Z", 10, 20, 30));
            LlmCall last = call("2026-11-21T10:00:00Z", 5, 5, 5);
            store.record(new TenantId("alice"), last);
            store.record(new TenantId("bob"), call("2026-11-21T10:00:00Z", 7, 7, 7));

            JsonNode page = api.get("/api/v1/llm-calls?limit=2", alice).json();
            assertThat(page.path("items")).hasSize(2);
            assertThat(page.path("items").get(0).path("callId").asText()).isEqualTo(last.callId());
            JsonNode rest = api.get("/api/v1/llm-calls?limit=2&cursor=" + page.path("nextCursor").asText(), alice)
                    .json();
            assertThat(rest.path("items").get(0).path("callId").asText()).isEqualTo(first.callId());
            assertThat(api.get("/api/v1/llm-calls/" + first.callId(), alice).json().path("inputTokens").asLong())
                    .isEqualTo(1000);
            assertThat(api.get("/api/v1/llm-calls/" + first.callId(), bob).status()).isEqualTo(404);

            ApiClient.Response summary = api.get("/api/v1/usage/summary?from=2026-11-20&to=2026-11-21", alice);
            assertThat(summary.status()).as(summary.toString()).isEqualTo(200);
            assertThat(summary.json().path("total").path("calls").asLong()).isEqualTo(3);
            assertThat(summary.json().path("total").path("inputTokens").asLong()).isEqualTo(1015);
            assertThat(summary.json().path("total").path("costUsd").decimalValue())
                    .isEqualByComparingTo("1.250035");
            assertThat(summary.json().path("days")).hasSize(2);
            assertThat(api.get("/api/v1/usage/summary?from=2026-11-20&to=2026-11-21", bob).json().path("total")
                    .path("calls").asLong()).isEqualTo(1);
            assertThat(api.get("/api/v1/usage/summary?from=tomorrow", alice).status()).isEqualTo(400);
        }
    }
}
