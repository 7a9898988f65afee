package dev.skyloom.core.agent.tools;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Orders memories for a query: {@code score = relevance × usefulness × recency}.
 * <ul>
 *   <li>relevance, lexically: Okapi BM25 ({@code k1 = 1.2}, {@code b = 0.75}) of the query's terms over content and
 *   tags (tags count twice), with the candidates as the corpus; term frequency and rarity are in it. A memory that
 *   shares no term with the query is left out; an empty query (or only stop words) ranks all by the other two
 *   factors.</li>
 *   <li>relevance, with a query embedding ({@link #rank(String, Memory.Embedding, List, Instant, int)}):
 *   {@code 0.8 × max(0, cos) + 0.2 × bm25 / max bm25}, where {@code cos} is the cosine similarity of the query's
 *   and the memory's embeddings and BM25 is divided by the best BM25 among the candidates, so that both parts lie in
 *   [0, 1]. Meaning weighs most: a synonym or a paraphrase shares no term, and a memory sharing one incidental word
 *   with the query must not outrank it (it does only when its similarity is within 0.25 × its lexical part of the
 *   paraphrase's). The lexical part still orders memories of similar meaning by the exact words they share (names,
 *   ids, error codes, which embeddings blur). A memory is kept when it shares a term or {@code cos ≥ 0.2}. A memory
 *   without an embedding of the query's space (written before embeddings were on, or when the model failed) takes
 *   {@code cos = bm25 / max bm25 / 2}: a shared term is taken as half-way evidence of meaning, so old memories still
 *   compete without outranking a close match.</li>
 *   <li>usefulness: {@code 1 + 0.25 ln(1 + recalls)}, {@code recalls} being how often recall returned it.</li>
 *   <li>recency: {@code 0.6 + 0.4 × 2^(-days / 30)} since it was last written or recalled.</li>
 * </ul>
 * Ties go to the newer memory, then the id, so the order is deterministic.
 */
public final class MemoryRanking {
    private static final double K1 = 1.2;
    private static final double B = 0.75;
    private static final double HALF_LIFE_DAYS = 30;
    /** Weight of meaning (cosine similarity) in the blended relevance; the rest is the normalised BM25. */
    static final double SEMANTIC_WEIGHT = 0.8;
    /** The least cosine similarity that keeps a memory sharing no term with the query. */
    static final double MIN_SIMILARITY = 0.2;
    private static final Set<String> STOP_WORDS = Set.of("a", "an", "and", "are", "as", "at", "be", "by", "for",
            "from", "has", "have", "in", "is", "it", "its", "of", "on", "or", "that", "the", "this", "to", "was",
            "were", "will", "with", "what", "when", "where", "which", "who", "how", "do", "does", "did", "we", "i",
            "you", "our", "about");

    private MemoryRanking() {
    }

    public record Scored(Memory memory, double score) {
    }

    /** Lexical ranking: relevance is BM25. */
    public static List<Scored> rank(String query, List<Memory> candidates, Instant now, int limit) {
        return rank(query, null, candidates, now, limit);
    }

    /**
     * Blended ranking when {@code queryEmbedding} is not null (see the class comment), else lexical.
     */
    public static List<Scored> rank(String query, Memory.Embedding queryEmbedding, List<Memory> candidates,
                                    Instant now, int limit) {
        List<String> terms = tokens(query == null ? "" : query).stream().distinct().toList();
        List<Map<String, Integer>> frequencies = new ArrayList<>();
        List<Integer> lengths = new ArrayList<>();
        Map<String, Integer> documentFrequency = new HashMap<>();
        for (Memory memory : candidates) {
            List<String> tokens = new ArrayList<>(tokens(memory.content()));
            for (String tag : memory.tags()) {
                List<String> tagTokens = tokens(tag.replace('-', ' ').replace('_', ' '));
                tokens.addAll(tagTokens);
                tokens.addAll(tagTokens);
            }
            Map<String, Integer> tf = new HashMap<>();
            tokens.forEach(token -> tf.merge(token, 1, Integer::sum));
            tf.keySet().forEach(token -> documentFrequency.merge(token, 1, Integer::sum));
            frequencies.add(tf);
            lengths.add(tokens.size());
        }
        double averageLength = lengths.stream().mapToInt(Integer::intValue).average().orElse(1);
        int n = candidates.size();
        double[] bm25 = new double[n];
        double best = 0;
        for (int i = 0; i < n; i++) {
            for (String term : terms) {
                int tf = frequencies.get(i).getOrDefault(term, 0);
                if (tf == 0) {
                    continue;
                }
                int df = documentFrequency.get(term);
                double idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
                bm25[i] += idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * lengths.get(i) / averageLength));
            }
            best = Math.max(best, bm25[i]);
        }
        List<Scored> scored = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Memory memory = candidates.get(i);
            double relevance;
            if (queryEmbedding == null) {
                relevance = terms.isEmpty() ? 1 : bm25[i];
                if (relevance <= 0) {
                    continue;
                }
            } else {
                double lexical = terms.isEmpty() ? 1 : best > 0 ? bm25[i] / best : 0;
                Double cosine = queryEmbedding.cosine(memory.embedding());
                double similarity = cosine == null || cosine.isNaN() ? lexical / 2 : Math.max(0, cosine);
                if (lexical <= 0 && similarity < MIN_SIMILARITY) {
                    continue;
                }
                relevance = SEMANTIC_WEIGHT * similarity + (1 - SEMANTIC_WEIGHT) * lexical;
            }
            double usefulness = 1 + 0.25 * Math.log1p(memory.recalls());
            Instant lastUse = memory.lastRecalledAt() != null && memory.lastRecalledAt().isAfter(memory.createdAt())
                    ? memory.lastRecalledAt() : memory.createdAt();
            double days = Math.max(0, Duration.between(lastUse, now).toMinutes() / 1440.0);
            double recency = 0.6 + 0.4 * Math.pow(2, -days / HALF_LIFE_DAYS);
            scored.add(new Scored(memory, relevance * usefulness * recency));
        }
        scored.sort(Comparator.comparingDouble(Scored::score).reversed()
                .thenComparing(s -> s.memory().createdAt(), Comparator.reverseOrder())
                .thenComparing(s -> s.memory().id()));
        return List.copyOf(scored.subList(0, Math.min(limit, scored.size())));
    }

    /** Lower-case words of letters and digits, stop words and one-letter words dropped, a plural 's' stripped. */
    static List<String> tokens(String text) {
        List<String> tokens = new ArrayList<>();
        for (String raw : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
            if (raw.length() < 2 || STOP_WORDS.contains(raw)) {
                continue;
            }
            tokens.add(raw.length() > 3 && raw.endsWith("s") && !raw.endsWith("ss")
                    ? raw.substring(0, raw.length() - 1) : raw);
        }
        return tokens;
    }
}
