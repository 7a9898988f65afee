package dev.skyloom.core.agent.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.core.agent.model.ToolSpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code remember} and {@code recall}: an agent's personal vault and its project's shared vault.
 *
 * <p>A memory's id is derived from the call's {@link ToolContext#callKey()}, and the store writes it only if it does
 * not exist: a retried turn writes the same item once. Recall reads the personal vault and, when the run has a
 * project, the shared one (at most {@value #MAX_CANDIDATES} memories each), ranks them with {@link MemoryRanking}
 * and counts a recall on each memory it returns (a retried turn counts twice; the counter is a ranking signal, not
 * a ledger).
 *
 * <p>With {@link Embeddings}, {@code remember} stores the embedding of the content and tags with the memory
 * (computed once, at write) and {@code recall} embeds the query and ranks by the blend {@link MemoryRanking}
 * describes. An embedding failure never fails the call: the memory is stored without an embedding, or the recall is
 * lexical; the first failure is logged as a warning, later ones at debug level.
 */
public final class MemoryTools {
    public static final int MAX_CANDIDATES = 1000;
    public static final int MAX_CONTENT = 4000;
    private static final Logger LOG = LoggerFactory.getLogger(MemoryTools.class);
    private static final AtomicBoolean FAILURE_LOGGED = new AtomicBoolean();

    private MemoryTools() {
    }

    /** The memory tools with lexical ranking only. */
    public static List<Tool> all(MemoryStore store, Clock clock) {
        return all(store, Optional.empty(), clock);
    }

    /** The memory tools; with {@code embeddings}, semantic ranking too. */
    public static List<Tool> all(MemoryStore store, Optional<Embeddings> embeddings, Clock clock) {
        return List.of(new Remember(store, embeddings, clock), new Recall(store, embeddings, clock));
    }

    /**
     * Ranks {@code candidates} for {@code query} as {@code recall} does: blended when {@code embeddings} is there
     * and embeds the query, lexically otherwise. For the first-prompt recall of the agent runtime.
     */
    public static List<MemoryRanking.Scored> rank(String query, List<Memory> candidates,
                                                  Optional<Embeddings> embeddings, Instant now, int limit) {
        Memory.Embedding queryEmbedding = query == null || query.isBlank() || candidates.isEmpty() ? null
                : embed(embeddings, query, "query");
        return MemoryRanking.rank(query, queryEmbedding, candidates, now, limit);
    }

    /** The text's embedding, or null when embeddings are off or fail (logged once as a warning). */
    static Memory.Embedding embed(Optional<Embeddings> embeddings, String text, String what) {
        if (embeddings.isEmpty()) {
            return null;
        }
        Embeddings model = embeddings.get();
        try {
            return new Memory.Embedding(model.space(), model.embed(text));
        } catch (RuntimeException e) {
            if (FAILURE_LOGGED.compareAndSet(false, true)) {
                LOG.warn("memory embedding failed, ranking lexically space={} what={} error={} (later failures are "
                        + "logged at debug level)", model.space(), what, e.toString());
            } else {
                LOG.debug("memory embedding failed space={} what={} error={}", model.space(), what, e.toString());
            }
            return null;
        }
    }

    /** What {@code remember} embeds: the content, then the tags. */
    static String embeddedText(String content, List<String> tags) {
        return tags.isEmpty() ? content : content + "\n" + String.join(" ", tags);
    }

    /** {@code mem_} and 20 hex digits of SHA-256 of the call key: the same for every retry of the call. */
    static String memoryId(String callKey) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(callKey.getBytes(StandardCharsets.UTF_8));
            return "mem_" + HexFormat.of().formatHex(digest).substring(0, 20);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static final class Remember implements Tool {
        private static final ToolSpec SPEC = new ToolSpec("remember", """
                Remember something for later runs: a lesson learned, a decision and why, a pattern that works, a \
                fact, a preference, a handoff note or a commitment. Personal by default; 'shared' puts it in the \
                project's vault, where every agent of the project can recall it.""", ToolJson.parse("""
                {"type": "object", "properties": {
                   "type": {"type": "string", "enum": ["lesson", "decision", "pattern", "fact", "preference",
                                                       "handoff", "commitment"]},
                   "content": {"type": "string", "minLength": 1, "maxLength": %d},
                   "tags": {"type": "array", "maxItems": 10, "uniqueItems": true,
                            "items": {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]{0,39}$"}},
                   "shared": {"type": "boolean"}},
                 "required": ["type", "content"], "additionalProperties": false}""".formatted(MAX_CONTENT)));
        private final MemoryStore store;
        private final Optional<Embeddings> embeddings;
        private final Clock clock;

        Remember(MemoryStore store, Optional<Embeddings> embeddings, Clock clock) {
            this.store = store;
            this.embeddings = embeddings;
            this.clock = clock;
        }

        @Override
        public ToolSpec spec() {
            return SPEC;
        }

        @Override
        public ToolResult call(JsonNode input, ToolContext context) {
            boolean shared = input.path("shared").asBoolean(false);
            Memory.Vault vault;
            if (shared) {
                if (context.projectId().isEmpty()) {
                    return ToolResult.error("This run has no project, so there is no shared vault; remember it "
                            + "without 'shared'.");
                }
                vault = Memory.Vault.project(context.projectId().get());
            } else {
                vault = Memory.Vault.agent(context.agentId());
            }
            List<String> tags = new ArrayList<>();
            input.path("tags").forEach(tag -> tags.add(tag.asText()));
            String content = input.get("content").asText();
            Memory memory = new Memory(memoryId(context.callKey()), vault,
                    Memory.Type.fromWire(input.get("type").asText()), content, tags, context.agentId(),
                    clock.instant(), 0, null, embed(embeddings, embeddedText(content, tags), "memory"));
            boolean created = store.create(context.caller().tenant(), memory);
            return ToolResult.ok(ToolJson.object().put("id", memory.id())
                    .put("vault", shared ? "shared" : "personal").put("stored", created ? "new" : "already")
                    .toString());
        }
    }

    static final class Recall implements Tool {
        private static final ToolSpec SPEC = new ToolSpec("recall", """
                Recall memories relevant to a query from your personal vault and your project's shared vault, \
                most relevant, useful and recent first.""", ToolJson.parse("""
                {"type": "object", "properties": {
                   "query": {"type": "string", "maxLength": 1000},
                   "limit": {"type": "integer", "minimum": 1, "maximum": 20},
                   "type": {"type": "string", "enum": ["lesson", "decision", "pattern", "fact", "preference",
                                                       "handoff", "commitment"]}},
                 "required": ["query"], "additionalProperties": false}"""));
        private final MemoryStore store;
        private final Optional<Embeddings> embeddings;
        private final Clock clock;

        Recall(MemoryStore store, Optional<Embeddings> embeddings, Clock clock) {
            this.store = store;
            this.embeddings = embeddings;
            this.clock = clock;
        }

        @Override
        public ToolSpec spec() {
            return SPEC;
        }

        @Override
        public ToolResult call(JsonNode input, ToolContext context) {
            List<Memory> candidates = new ArrayList<>(store.list(context.caller().tenant(),
                    Memory.Vault.agent(context.agentId()), MAX_CANDIDATES));
            context.projectId().ifPresent(project -> candidates.addAll(store.list(context.caller().tenant(),
                    Memory.Vault.project(project), MAX_CANDIDATES)));
            String type = ToolJson.text(input, "type");
            if (type != null) {
                candidates.removeIf(m -> !m.type().wire().equals(type));
            }
            List<MemoryRanking.Scored> ranked = rank(input.get("query").asText(), candidates, embeddings,
                    clock.instant(), ToolJson.integer(input, "limit", 5));
            ObjectNode out = ToolJson.object();
            ArrayNode memories = out.putArray("memories");
            for (MemoryRanking.Scored scored : ranked) {
                Memory m = scored.memory();
                ObjectNode item = memories.addObject().put("id", m.id()).put("type", m.type().wire())
                        .put("content", m.content())
                        .put("vault", m.vault().kind() == Memory.Vault.Kind.AGENT ? "personal" : "shared")
                        .put("createdAt", m.createdAt().toString())
                        .put("score", Math.round(scored.score() * 1000) / 1000.0);
                item.putPOJO("tags", m.tags());
            }
            if (!ranked.isEmpty()) {
                store.recordRecalls(context.caller().tenant(), ranked.stream().map(MemoryRanking.Scored::memory)
                        .toList(), clock.instant());
            }
            return ToolResult.ok(out.toString());
        }
    }
}
