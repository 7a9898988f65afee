package dev.skyloom.core.agent.tools;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Embeddings for tests: one dimension per word after a few synonyms are folded into one concept
 * ({@code defect → bug}, {@code repaired → fix}, {@code fixe} (the tokenizer's "fixes"), {@code automobile → car}), L2-normalised. Can be told to fail.
 */
final class FakeEmbeddings implements Embeddings {
    static final int DIMENSIONS = 64;
    private static final Map<String, String> CONCEPTS = Map.of("defect", "bug", "defects", "bug", "bugs", "bug",
            "repaired", "fix", "repair", "fix", "fixe", "fix", "automobile", "car", "cars", "car");
    final AtomicInteger calls = new AtomicInteger();
    volatile boolean failing;
    private final String space;

    FakeEmbeddings(String space) {
        this.space = space;
    }

    @Override
    public float[] embed(String text) {
        calls.incrementAndGet();
        if (failing) {
            throw new IllegalStateException("the model is down");
        }
        float[] vector = new float[DIMENSIONS];
        for (String word : MemoryRanking.tokens(text)) {
            String concept = CONCEPTS.getOrDefault(word.toLowerCase(Locale.ROOT), word);
            vector[Math.floorMod(concept.hashCode(), DIMENSIONS)] += 1;
        }
        double norm = 0;
        for (float v : vector) {
            norm += v * v;
        }
        for (int i = 0; i < vector.length && norm > 0; i++) {
            vector[i] /= (float) Math.sqrt(norm);
        }
        return vector;
    }

    @Override
    public String space() {
        return space;
    }
}
