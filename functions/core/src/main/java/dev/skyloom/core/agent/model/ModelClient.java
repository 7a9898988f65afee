package dev.skyloom.core.agent.model;

/** A model provider. Implementations are thread-safe. */
public interface ModelClient {

    /** Receives generated text while a streamed call is in flight. */
    @FunctionalInterface
    interface StreamListener {
        StreamListener NONE = chunk -> { };

        void onText(String chunk);
    }

    /**
     * Makes one call. When {@code listener} is not {@link StreamListener#NONE} and the provider can stream, text
     * arrives through it as it is generated; the response is complete either way.
     *
     * @throws ModelException when the provider refuses or fails
     */
    ModelResponse converse(ModelRequest request, StreamListener listener);
}
