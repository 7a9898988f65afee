package dev.skyloom.core.agent.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.core.agent.model.ToolSpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * {@code remember} and {@code recall}: an agent's personal vault and its project's shared vault.
 *
 * <p>A memory's id is derived from the call's {@link ToolContext#callKey()}, and the store writes it only if it does
 * not exist: a retried turn writes the same item once. Recall reads the personal vault and, when the run has a
 * project, the shared one (at most {@value #MAX_CANDIDATES} memories each), ranks them with {@link MemoryRanking}
 * and counts a recall on each memory it returns (a retried turn counts twice; the counter is a ranking signal, not
 * a ledger).
 */
public final class MemoryTools {
    public static final int MAX_CANDIDATES = 1000;
    public static final int MAX_CONTENT = 4000;

    private MemoryTools() {
    }

    public static List<Tool> all(MemoryStore store, Clock clock) {
        return List.of(new Remember(store, clock), new Recall(store, clock));
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
        private final Clock clock;

        Remember(MemoryStore store, Clock clock) {
            this.store = store;
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
            Memory memory = new Memory(memoryId(context.callKey()), vault,
                    Memory.Type.fromWire(input.get("type").asText()), input.get("content").asText(), tags,
                    context.agentId(), clock.instant(), 0, null);
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
        private final Clock clock;

        Recall(MemoryStore store, Clock clock) {
            this.store = store;
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
            List<MemoryRanking.Scored> ranked = MemoryRanking.rank(input.get("query").asText(), candidates,
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
