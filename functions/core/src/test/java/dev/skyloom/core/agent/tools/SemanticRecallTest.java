package dev.skyloom.core.agent.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code recall} with embeddings behind the port: the blended ranking and its fallbacks. */
class SemanticRecallTest {
    private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final String RIGHT = "Defects are repaired on call";
    private static final String WRONG = "The bug bounty page lists the rewards and the rules";
    private final InMemoryMemoryStore store = new InMemoryMemoryStore();
    private final FakeEmbeddings embeddings = new FakeEmbeddings("fake/64");
    private final ToolInvoker invoker = ToolInvoker.create();

    private ToolResult call(List<Tool> tools, String tool, String json, String callKey) {
        return invoker.invoke(tools, tool, ToolJson.parse(json), Contexts.context("agent", Optional.empty(),
                callKey));
    }

    private List<String> recalled(List<Tool> tools, String query) {
        ToolResult result = call(tools, "recall", "{\"query\": \"" + query + "\", \"limit\": 10}", "r");
        assertThat(result.error()).as(result.content()).isFalse();
        JsonNode out = ToolJson.parse(result.content());
        return out.path("memories").findValues("content").stream().map(JsonNode::asText).toList();
    }

    private void remember(List<Tool> tools, String content, String callKey) {
        ToolResult result = call(tools, "remember", "{\"type\": \"lesson\", \"content\": \"" + content + "\"}",
                callKey);
        assertThat(result.error()).as(result.content()).isFalse();
    }

    @Test
    void recall_synonymQuery_ranksTheSynonymMemoryFirst_onlyWithEmbeddings() {
        // GIVEN two memories written with embeddings; the right one shares no word with the query
        List<Tool> semantic = MemoryTools.all(store, Optional.of(embeddings), CLOCK);
        remember(semantic, RIGHT, "1");
        remember(semantic, WRONG, "2");

        // WHEN the same vault is recalled semantically, then lexically (a recall counts on what it returns: this
        // order leaves both memories equally useful for the second)
        List<String> blended = recalled(semantic, "who fixes bugs");
        List<String> lexical = recalled(MemoryTools.all(store, CLOCK), "who fixes bugs");

        // THEN only the blended ranking finds the synonym memory, and puts it first
        assertThat(lexical).containsExactly(WRONG);
        assertThat(blended).containsExactly(RIGHT, WRONG);
    }

    @Test
    void remember_storesTheEmbeddingOfContentAndTags_computedOnce() {
        List<Tool> tools = MemoryTools.all(store, Optional.of(embeddings), CLOCK);

        call(tools, "remember", "{\"type\": \"fact\", \"content\": \"automobile\", \"tags\": [\"fleet\"]}", "1");

        assertThat(embeddings.calls).hasValue(1);
        assertThat(store.items.values()).singleElement().satisfies(m -> {
            assertThat(m.embedding().space()).isEqualTo("fake/64");
            assertThat(m.embedding()).isEqualTo(new Memory.Embedding("fake/64", embeddings.embed("automobile\nfleet")));
        });
    }

    @Test
    void embeddingFailure_neitherFailsRememberNorRecall_andRecallIsLexical() {
        List<Tool> tools = MemoryTools.all(store, Optional.of(embeddings), CLOCK);
        embeddings.failing = true;

        remember(tools, RIGHT, "1");
        remember(tools, WRONG, "2");
        List<String> result = recalled(tools, "who fixes bugs");

        assertThat(store.items.values()).allSatisfy(m -> assertThat(m.embedding()).isNull());
        assertThat(result).containsExactly(WRONG);
    }

    @Test
    void memoriesWithoutAnEmbedding_orOfAnotherSpace_stillCompeteLexically() {
        // GIVEN a memory written before embeddings were on, and one embedded by another model
        remember(MemoryTools.all(store, CLOCK), "Rotate the bug tracker tokens monthly", "old");
        remember(MemoryTools.all(store, Optional.of(new FakeEmbeddings("other/64")), CLOCK),
                "The bug triage runs daily", "other");
        List<Tool> semantic = MemoryTools.all(store, Optional.of(embeddings), CLOCK);
        remember(semantic, RIGHT, "new");

        List<String> result = recalled(semantic, "who fixes bugs");

        // THEN neither is left out: a shared term ("bug") counts as half-way evidence of meaning
        assertThat(result).containsExactlyInAnyOrder(RIGHT, "Rotate the bug tracker tokens monthly",
                "The bug triage runs daily");
    }

    @Test
    void ranking_withoutASharedTerm_leavesOutMemoriesBelowTheSimilarityFloor() {
        Memory unrelated = new Memory("m1", Memory.Vault.agent("agt_1"), Memory.Type.FACT, "lunch is at noon",
                List.of(), "agt_1", NOW, 0, null, new Memory.Embedding("fake/64", embeddings.embed("lunch noon")));

        List<MemoryRanking.Scored> ranked = MemoryRanking.rank("who fixes bugs",
                new Memory.Embedding("fake/64", embeddings.embed("who fixes bugs")), List.of(unrelated), NOW, 5);

        assertThat(ranked).isEmpty();
    }
}
