package dev.skyloom.core.agent.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.skyloom.core.identity.TenantId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MemoryToolsTest {
    private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");
    private final InMemoryMemoryStore store = new InMemoryMemoryStore();
    private final List<Tool> tools = MemoryTools.all(store, Clock.fixed(NOW, ZoneOffset.UTC));
    private final ToolInvoker invoker = ToolInvoker.create();

    private ToolResult call(String tool, String json, String callKey) {
        return invoker.invoke(tools, tool, ToolJson.parse(json), Contexts.context("agent", Optional.empty(),
                callKey));
    }

    private List<String> recalled(String query) {
        JsonNode out = ToolJson.parse(call("recall", "{\"query\": \"" + query + "\", \"limit\": 10}", "r").content());
        return out.path("memories").findValues("content").stream().map(JsonNode::asText).toList();
    }

    private static Memory memory(String id, String content, List<String> tags, Instant createdAt, long recalls) {
        return new Memory(id, Memory.Vault.agent("agt_1"), Memory.Type.LESSON, content, tags, "agt_1", createdAt,
                recalls, null);
    }

    @Test
    void remember_retriedWithTheSameCallKey_writesOneItem() {
        ToolResult first = call("remember", "{\"type\": \"lesson\", \"content\": \"Run the linter first\"}", "e/3/1");
        ToolResult retry = call("remember", "{\"type\": \"lesson\", \"content\": \"Run the linter first\"}", "e/3/1");
        ToolResult other = call("remember", "{\"type\": \"lesson\", \"content\": \"Run the linter first\"}", "e/4/0");

        assertThat(first.content()).contains("\"stored\":\"new\"");
        assertThat(retry.content()).contains("\"stored\":\"already\"");
        assertThat(other.content()).contains("\"stored\":\"new\"");
        assertThat(store.items).hasSize(2);
    }

    @Test
    void remember_personalAndShared_goToTheirVaults() {
        call("remember", "{\"type\": \"fact\", \"content\": \"mine\"}", "a");
        call("remember", "{\"type\": \"decision\", \"content\": \"ours\", \"shared\": true, \"tags\": [\"db\"]}",
                "b");

        assertThat(store.items.keySet()).anyMatch(k -> k.startsWith("TENANT#acme|MEMORY#AGENT#agt_1#mem_"))
                .anyMatch(k -> k.startsWith("TENANT#acme|MEMORY#PROJECT#prj_1#mem_"));
    }

    @Test
    void remember_invalidType_namesTheValidOnes() {
        assertThat(call("remember", "{\"type\": \"rumour\", \"content\": \"x\"}", "a").content())
                .contains("input.type", "lesson", "commitment");
    }

    @Test
    void recall_ranksByRelevance_andLeavesOutUnrelated() {
        call("remember", "{\"type\": \"lesson\", \"content\": \"DynamoDB queries need the partition key\"}", "1");
        call("remember", "{\"type\": \"fact\", \"content\": \"The deploy runs on Fridays\"}", "2");
        call("remember", "{\"type\": \"pattern\", \"content\": \"Use a conditional put for idempotent DynamoDB "
                + "writes; DynamoDB conditions are cheap\", \"tags\": [\"dynamodb\"]}", "3");

        List<String> result = recalled("dynamodb idempotent writes");

        assertThat(result).hasSize(2);
        assertThat(result.getFirst()).startsWith("Use a conditional put");
    }

    @Test
    void recall_readsTheSharedVault_andCountsRecalls() {
        call("remember", "{\"type\": \"handoff\", \"content\": \"Release notes are half done\", \"shared\": true}",
                "1");

        assertThat(recalled("release notes")).containsExactly("Release notes are half done");
        assertThat(store.items.values()).allSatisfy(m -> assertThat(m.recalls()).isEqualTo(1));
    }

    @Test
    void ranking_prefersUseful_thenRecent_whenEquallyRelevant() {
        Memory old = memory("m1", "deploy with blue green", List.of(), NOW.minus(Duration.ofDays(200)), 0);
        Memory fresh = memory("m2", "deploy with canary", List.of(), NOW.minus(Duration.ofDays(1)), 0);
        Memory useful = memory("m3", "deploy with feature flags", List.of(), NOW.minus(Duration.ofDays(200)), 40);

        List<String> order = MemoryRanking.rank("deploy", List.of(old, fresh, useful), NOW, 3).stream()
                .map(s -> s.memory().id()).toList();

        assertThat(order).containsExactly("m3", "m2", "m1");
    }

    @Test
    void ranking_countsTags_andRareTermsMore() {
        Memory tagged = memory("m1", "prefer small pull requests", List.of("review"), NOW, 0);
        Memory common = memory("m2", "review review the code", List.of(), NOW, 0);
        Memory rare = memory("m3", "flaky tests in checkout review", List.of(), NOW, 0);

        List<String> order = MemoryRanking.rank("flaky review", List.of(tagged, common, rare), NOW, 3).stream()
                .map(s -> s.memory().id()).toList();

        assertThat(order.getFirst()).isEqualTo("m3");
        assertThat(order).hasSize(3);
    }

    @Test
    void memoryIds_areSafeKeyParts() {
        assertThat(MemoryTools.memoryId("exec-1/2/3")).matches("mem_[0-9a-f]{20}");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Memory.Vault.agent("a#b"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(new TenantId("acme").value()).isEqualTo("acme");
    }
}
