package dev.skyloom.aws.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.core.agent.model.ModelException;
import dev.skyloom.core.agent.tools.Embeddings;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelResponse;

/**
 * The {@link Embeddings} port on Bedrock's InvokeModel with Amazon Titan Text Embeddings V2
 * ({@code amazon.titan-embed-text-v2:0}; locally the edge's model server answers it): request
 * {@code {"inputText", "dimensions", "normalize": true}}, response {@code {"embedding": [...]}}.
 *
 * <p>256 dimensions by default: Titan V2 keeps most of its retrieval quality there (AWS quotes about 97% of 1024's),
 * and every memory a recall reads carries its vector (512 bytes as float16 at 256 dimensions). Errors are mapped
 * like {@link BedrockModelClient}'s ({@code ModelException} THROTTLED, TRANSIENT, INVALID, ACCESS_DENIED); the memory
 * tools fall back to lexical ranking on any of them. Short timeouts (an embedding takes tens of milliseconds): a slow
 * model must not hold up a tool call for long, since the fallback is always there.
 */
public final class BedrockEmbeddings implements Embeddings, AutoCloseable {
    /** The model this adapter speaks to (its request and response bodies are Titan V2's). */
    public static final String TITAN_V2 = "amazon.titan-embed-text-v2:0";
    public static final int DEFAULT_DIMENSIONS = 256;
    static final Set<Integer> DIMENSIONS = Set.of(256, 512, 1024);
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);
    static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(5);
    /** Titan V2 takes up to 50 000 characters (8 192 tokens); longer text is cut, not refused. */
    static final int MAX_CHARACTERS = 50_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final BedrockRuntimeClient client;
    private final String modelId;
    private final int dimensions;

    /**
     * @param modelId a Titan Text Embeddings V2 model id (or its ARN / an inference profile of it)
     * @param dimensions 256, 512 or 1024
     */
    public BedrockEmbeddings(BedrockRuntimeClient client, String modelId, int dimensions) {
        this.client = Objects.requireNonNull(client, "client");
        if (modelId == null || !modelId.contains("amazon.titan-embed-text-v2")) {
            throw new IllegalArgumentException("embedding model '" + modelId + "' is not supported: use "
                    + TITAN_V2 + " (Amazon Titan Text Embeddings V2), or its ARN");
        }
        if (!DIMENSIONS.contains(dimensions)) {
            throw new IllegalArgumentException("embedding dimensions " + dimensions + " are not supported by "
                    + modelId + ": use 256, 512 or 1024");
        }
        this.modelId = modelId;
        this.dimensions = dimensions;
    }

    /**
     * A client built the way Skyloom's functions build them (url-connection, the timeouts above, the SDK retrying
     * once and only a connection that failed before an answer).
     *
     * @param endpoint null for Bedrock's own endpoint of the region
     */
    public static BedrockEmbeddings create(URI endpoint, Region region, AwsCredentialsProvider credentials,
                                           String modelId) {
        var builder = BedrockRuntimeClient.builder().region(region).credentialsProvider(credentials)
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .retryStrategy(BedrockModelClient.retryStrategy())
                        .apiCallTimeout(CALL_TIMEOUT)
                        .apiCallAttemptTimeout(ATTEMPT_TIMEOUT)
                        .build())
                .httpClient(UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(2))
                        .socketTimeout(ATTEMPT_TIMEOUT).build());
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        }
        return new BedrockEmbeddings(builder.build(), modelId, DEFAULT_DIMENSIONS);
    }

    @Override
    public float[] embed(String text) {
        ObjectNode body = JSON.createObjectNode()
                .put("inputText", text.length() > MAX_CHARACTERS ? text.substring(0, MAX_CHARACTERS) : text)
                .put("dimensions", dimensions).put("normalize", true);
        InvokeModelResponse response;
        try {
            response = client.invokeModel(b -> b.modelId(modelId).contentType("application/json")
                    .accept("application/json").body(SdkBytes.fromUtf8String(body.toString())));
        } catch (RuntimeException e) {
            throw BedrockMapping.error(e, modelId);
        }
        JsonNode embedding;
        try {
            embedding = JSON.readTree(response.body().asInputStream()).path("embedding");
        } catch (IOException e) {
            throw new ModelException(ModelException.Kind.TRANSIENT, "Bedrock model " + modelId
                    + ": the InvokeModel response is not JSON", e);
        }
        if (!embedding.isArray() || embedding.size() != dimensions) {
            throw new ModelException(ModelException.Kind.INVALID, "Bedrock model " + modelId + ": expected an "
                    + "'embedding' of " + dimensions + " numbers, got " + (embedding.isArray() ? embedding.size()
                    + " numbers" : embedding.getNodeType()));
        }
        float[] vector = new float[dimensions];
        for (int i = 0; i < dimensions; i++) {
            vector[i] = (float) embedding.get(i).asDouble();
        }
        return vector;
    }

    /** The model and the dimensions: vectors of another model or size are not compared with these. */
    @Override
    public String space() {
        return modelId + "/" + dimensions;
    }

    @Override
    public void close() {
        client.close();
    }
}
