package dev.skyloom.core.agent.tools;

/**
 * Text embeddings, for semantic ranking of memories where a deployment has a model for it (adapter:
 * {@code BedrockEmbeddings}). Optional: without it the ranking is lexical ({@link MemoryRanking}).
 *
 * <p>Vectors of different models (or of one model at different dimensions) are not comparable: {@link #space()}
 * names the vector space, and a memory embedded in another space is ranked as if it had no embedding.
 */
public interface Embeddings {
    /** A unit-length vector for {@code text}; throws (any {@link RuntimeException}) when the model fails. */
    float[] embed(String text);

    /** The vector space of {@link #embed}'s vectors, e.g. {@code amazon.titan-embed-text-v2:0/256}. */
    String space();
}
