package dev.skyloom.aws.bedrock;

import dev.skyloom.core.agent.model.ModelClient;
import dev.skyloom.core.agent.model.ModelRequest;
import dev.skyloom.core.agent.model.ModelResponse;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.DefaultRetryStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamResponseHandler;

/**
 * The model port on Amazon Bedrock (or the local cloud's model server, which speaks the same protocol): Converse
 * through the synchronous client, ConverseStream through the asynchronous one when the caller listens for text.
 *
 * <p>Retries: the SDK retries once, and only a connection that failed before an answer (an I/O error that is not
 * a read timeout). Throttling, 5xx and timeouts surface at once as {@code ModelException}s, because the agent-step
 * state machine owns retries (with full jitter, counted and visible in the run) — two retry layers would multiply
 * the attempts and hide throttling from the run's history.
 */
public final class BedrockModelClient implements ModelClient, AutoCloseable {
    /** How long one model call may take; long answers of big models take minutes. */
    static final Duration CALL_TIMEOUT = Duration.ofMinutes(5);
    static final Duration READ_TIMEOUT = Duration.ofMinutes(2);

    private final BedrockRuntimeClient client;
    private final BedrockRuntimeAsyncClient streamingClient;

    /**
     * @param client          for Converse
     * @param streamingClient for ConverseStream; null to never stream (the listener then gets the whole text once)
     */
    public BedrockModelClient(BedrockRuntimeClient client, BedrockRuntimeAsyncClient streamingClient) {
        this.client = Objects.requireNonNull(client, "client");
        this.streamingClient = streamingClient;
    }

    /**
     * Clients built the way Skyloom's functions build them: url-connection for Converse, Netty over HTTP/1.1 for
     * ConverseStream (HTTP/2 is not available on {@code http://}, the local cloud's edge), the timeouts above.
     *
     * @param endpoint null for Bedrock's own endpoint of the region
     */
    public static BedrockModelClient create(URI endpoint, Region region, AwsCredentialsProvider credentials) {
        ClientOverrideConfiguration config = ClientOverrideConfiguration.builder()
                .retryStrategy(retryStrategy())
                .apiCallTimeout(CALL_TIMEOUT)
                .apiCallAttemptTimeout(CALL_TIMEOUT)
                .build();
        var sync = BedrockRuntimeClient.builder().region(region).credentialsProvider(credentials)
                .overrideConfiguration(config)
                .httpClient(UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(5))
                        .socketTimeout(READ_TIMEOUT).build());
        var async = BedrockRuntimeAsyncClient.builder().region(region).credentialsProvider(credentials)
                .overrideConfiguration(config)
                .httpClientBuilder(NettyNioAsyncHttpClient.builder().protocol(Protocol.HTTP1_1)
                        .connectionTimeout(Duration.ofSeconds(5)).readTimeout(READ_TIMEOUT));
        if (endpoint != null) {
            sync.endpointOverride(endpoint);
            async.endpointOverride(endpoint);
        }
        return new BedrockModelClient(sync.build(), async.build());
    }

    /** One more attempt, only for a connection that failed before Bedrock answered. */
    static RetryStrategy retryStrategy() {
        return DefaultRetryStrategy.standardStrategyBuilder()
                .maxAttempts(2)
                .circuitBreakerEnabled(false)
                .retryOnException(BedrockModelClient::failedToConnect)
                // else the client adds its own conditions (throttling, 5xx) to this strategy
                .useClientDefaults(false)
                .build();
    }

    static boolean failedToConnect(Throwable failure) {
        if (!(failure instanceof SdkClientException)) {
            return false;
        }
        for (Throwable cause = failure.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof SocketTimeoutException) {
                return false;
            }
            if (cause instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    @Override
    public ModelResponse converse(ModelRequest request, StreamListener listener) {
        long t0 = System.nanoTime();
        if (listener == StreamListener.NONE || streamingClient == null) {
            ModelResponse response;
            try {
                response = BedrockMapping.response(client.converse(BedrockMapping.converseRequest(request)),
                        millisSince(t0));
            } catch (RuntimeException e) {
                throw BedrockMapping.error(e, request.modelId());
            }
            if (listener != StreamListener.NONE && !response.message().text().isEmpty()) {
                listener.onText(response.message().text());
            }
            return response;
        }
        ConverseStreamAccumulator accumulator = new ConverseStreamAccumulator(listener);
        try {
            streamingClient.converseStream(BedrockMapping.converseStreamRequest(request),
                    ConverseStreamResponseHandler.builder().subscriber(accumulator.visitor()).build()).join();
        } catch (CompletionException e) {
            throw BedrockMapping.error(e.getCause() == null ? e : e.getCause(), request.modelId());
        } catch (RuntimeException e) {
            throw BedrockMapping.error(e, request.modelId());
        }
        return accumulator.response(millisSince(t0));
    }

    /** Closes the SDK clients (and the Netty event loop of the streaming one). */
    @Override
    public void close() {
        client.close();
        if (streamingClient != null) {
            streamingClient.close();
        }
    }

    private static long millisSince(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
