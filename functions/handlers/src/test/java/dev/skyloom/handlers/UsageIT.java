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
        return call(at, "run-1", "agt_1", "claude", in, out, cost);
    }

    private static LlmCall call(String at, String run, String agent, String model, long in, long out, long cost) {
        Instant instant = Instant.parse(at);
        return new LlmCall(LlmCall.newId(instant), instant, run, "plan", agent, "bedrock", model, in, out,
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

    @Test
    void llmCalls_filterByRunAgentStepAndModel_andUsageGroupsByAgentAndModel() throws Exception {
        try (LocalCloud cloud = PlatformIT.start(dataDir); DynamoDbClient dynamoDb = PlatformIT.dynamoDb(
                cloud.edgeEndpoint())) {
            ApiClient api = new ApiClient(cloud.apiEndpoint().orElseThrow());
            String admin = Files.readString(dataDir.resolve("admin.key")).trim();
            String alice = api.newTenant(admin, "alice");
            DynamoDbLlmCallStore store = new DynamoDbLlmCallStore(dynamoDb, "skyloom-main");
            TenantId tenant = new TenantId("alice");
            for (int i = 0; i < 5; i++) {
                store.record(tenant, call("2026-11-20T09:00:0" + i + "Z", "run-a", "agt_x", "claude", 10, 1, 100));
                store.record(tenant, call("2026-11-21T09:00:0" + i + "Z", "run-b", i % 2 == 0 ? "agt_x" : "agt_y",
                        i < 2 ? "nova" : "claude", 20, 2, 200));
            }

            JsonNode runB = api.get("/api/v1/llm-calls?runId=run-b&limit=3", alice).json();
            assertThat(runB.path("items")).hasSize(3).allSatisfy(c -> assertThat(c.path("runId").asText())
                    .isEqualTo("run-b"));
            JsonNode runBRest = api.get("/api/v1/llm-calls?runId=run-b&limit=3&cursor="
                    + runB.path("nextCursor").asText(), alice).json();
            assertThat(runBRest.path("items")).hasSize(2);
            assertThat(runBRest.has("nextCursor")).isFalse();
            assertThat(api.get("/api/v1/llm-calls?agentId=agt_y", alice).json().path("items")).hasSize(2);
            assertThat(api.get("/api/v1/llm-calls?runId=run-b&agentId=agt_x", alice).json().path("items"))
                    .hasSize(3);
            assertThat(api.get("/api/v1/llm-calls?runId=run-b&model=nova&limit=1", alice).json().path("items"))
                    .hasSize(1).allSatisfy(c -> assertThat(c.path("modelId").asText()).isEqualTo("nova"));
            assertThat(api.get("/api/v1/llm-calls?model=nova", alice).json().path("items")).hasSize(2);
            assertThat(api.get("/api/v1/llm-calls?runId=run-a&stepId=plan", alice).json().path("items")).hasSize(5);
            assertThat(api.get("/api/v1/llm-calls?stepId=plan", alice).status()).isEqualTo(400);
            assertThat(api.get("/api/v1/llm-calls?runId=a%20b", alice).status()).isEqualTo(400);
            // a cursor of one list is refused by another
            assertThat(api.get("/api/v1/llm-calls?agentId=agt_x&cursor=" + runB.path("nextCursor").asText(), alice)
                    .status()).isEqualTo(400);

            JsonNode byAgent = api.get("/api/v1/usage/summary?from=2026-11-20&to=2026-11-21&groupBy=agent", alice)
                    .json();
            assertThat(byAgent.path("groupBy").asText()).isEqualTo("agent");
            assertThat(byAgent.path("groups")).hasSize(2);
            assertThat(byAgent.path("groups").get(0).path("key").asText()).isEqualTo("agt_x");
            assertThat(byAgent.path("groups").get(0).path("calls").asLong()).isEqualTo(8);
            assertThat(byAgent.path("groups").get(1).path("calls").asLong()).isEqualTo(2);
            JsonNode byModel = api.get("/api/v1/usage/summary?from=2026-11-21&to=2026-11-21&groupBy=model", alice)
                    .json();
            assertThat(byModel.path("groups")).hasSize(2);
            assertThat(byModel.path("groups").get(1).path("key").asText()).isEqualTo("nova");
            assertThat(byModel.path("groups").get(1).path("inputTokens").asLong()).isEqualTo(40);
            assertThat(api.get("/api/v1/usage/summary?groupBy=week", alice).status()).isEqualTo(400);
        }
    }
}
