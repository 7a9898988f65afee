package dev.skyloom.core.agent.tools;

/**
 * Text embeddings, for semantic ranking of memories where a deployment has a model for it. Optional: the default
 * ranking is lexical ({@link MemoryRanking}); nothing calls this port yet.
 */
public interface Embeddings {
    /** A unit-length vector for {@code text}. */
    float[] embed(String text);
}
