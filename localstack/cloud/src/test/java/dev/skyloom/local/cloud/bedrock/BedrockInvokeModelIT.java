package dev.skyloom.local.cloud.bedrock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skyloom.local.cloud.LocalCloud;
import dev.skyloom.local.cloud.LocalCloudConfig;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelResponse;
import software.amazon.awssdk.services.bedrockruntime.model.ValidationException;

/** InvokeModel for embedding models through the SDK v2's own Bedrock runtime client. */
class BedrockInvokeModelIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path dataDir;
    static LocalCloud cloud;
    static BedrockRuntimeClient bedrock;

    @BeforeAll
    static void start() throws Exception {
        cloud = new LocalCloud(LocalCloudConfig.ephemeral(dataDir, null)).start();
        bedrock = BedrockRuntimeClient.builder().endpointOverride(cloud.edgeEndpoint()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .retryStrategy(AwsRetryStrategy.doNotRetry()).apiCallTimeout(Duration.ofSeconds(30)).build())
                .build();
    }

    @AfterAll
    static void stop() {
        bedrock.close();
        cloud.close();
    }

    private static JsonNode invoke(String modelId, String body) throws Exception {
        InvokeModelResponse response = bedrock.invokeModel(b -> b.modelId(modelId).contentType("application/json")
                .accept("application/json").body(SdkBytes.fromUtf8String(body)));
        assertThat(response.contentType()).startsWith("application/json");
        return JSON.readTree(response.body().asUtf8String());
    }

    private static double cosine(JsonNode a, JsonNode b) {
        double dot = 0;
        for (int i = 0; i < a.size(); i++) {
            dot += a.get(i).asDouble() * b.get(i).asDouble();
        }
        return dot;
    }

    @Test
    void titanV2_givesANormalisedEmbeddingOfTheAskedDimensions_andSynonymsAreClose() throws Exception {
        JsonNode car = invoke("amazon.titan-embed-text-v2:0",
                "{\"inputText\": \"the car needs new tyres\", \"dimensions\": 256, \"normalize\": true}");
        JsonNode automobile = invoke("amazon.titan-embed-text-v2:0",
                "{\"inputText\": \"automobile tyres\", \"dimensions\": 256}");
        JsonNode lunch = invoke("amazon.titan-embed-text-v2:0",
                "{\"inputText\": \"lunch is at noon\", \"dimensions\": 256}");
        JsonNode full = invoke("amazon.titan-embed-text-v2:0", "{\"inputText\": \"the car needs new tyres\"}");

        assertThat(car.get("embedding")).hasSize(256);
        assertThat(car.get("inputTextTokenCount").asInt()).isEqualTo(6);
        assertThat(car.get("embeddingsByType").get("float")).isEqualTo(car.get("embedding"));
        assertThat(cosine(car.get("embedding"), car.get("embedding"))).isCloseTo(1.0,
                org.assertj.core.data.Offset.offset(1e-5));
        assertThat(cosine(car.get("embedding"), automobile.get("embedding"))).isGreaterThan(0.5);
        assertThat(Math.abs(cosine(car.get("embedding"), lunch.get("embedding")))).isLessThan(0.3);
        assertThat(full.get("embedding")).hasSize(1024);
    }

    @Test
    void titanV2_binaryType_andTheFoundationModelArn() throws Exception {
        JsonNode out = invoke("arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0",
                "{\"inputText\": \"x y\", \"dimensions\": 512, \"embeddingTypes\": [\"float\", \"binary\"]}");

        assertThat(out.get("embeddingsByType").get("binary")).hasSize(512)
                .allSatisfy(bit -> assertThat(bit.asInt()).isIn(0, 1));
    }

    @Test
    void titanV2_invalidRequests_areValidationExceptions_namingTheField() {
        assertThatThrownBy(() -> invoke("amazon.titan-embed-text-v2:0", "{\"inputText\": \"x\", \"dimensions\": 300}"))
                .isInstanceOf(ValidationException.class).hasMessageContaining("dimensions")
                .hasMessageContaining("256, 512, 1024");
        assertThatThrownBy(() -> invoke("amazon.titan-embed-text-v2:0", "{\"text\": \"x\"}"))
                .isInstanceOf(ValidationException.class).hasMessageContaining("extraneous key [text]");
        assertThatThrownBy(() -> invoke("amazon.titan-embed-text-v2:0", "{\"inputText\": \"\"}"))
                .isInstanceOf(ValidationException.class).hasMessageContaining("inputText");
    }

    @Test
    void cohereV3_embedsEachText() throws Exception {
        JsonNode out = invoke("cohere.embed-english-v3",
                "{\"texts\": [\"bug\", \"defect\"], \"input_type\": \"search_query\"}");
        JsonNode byType = invoke("cohere.embed-multilingual-v3",
                "{\"texts\": [\"bug\"], \"input_type\": \"search_document\", \"embedding_types\": [\"float\"]}");

        assertThat(out.get("response_type").asText()).isEqualTo("embeddings_floats");
        assertThat(out.get("embeddings")).hasSize(2);
        assertThat(out.get("embeddings").get(0)).hasSize(1024);
        assertThat(cosine(out.get("embeddings").get(0), out.get("embeddings").get(1))).isGreaterThan(0.99);
        assertThat(byType.get("response_type").asText()).isEqualTo("embeddings_by_type");
        assertThat(byType.get("embeddings").get("float")).hasSize(1);
    }

    @Test
    void invokeModel_ofAnotherModel_isAValidationException_namingTheSupportedOnes() {
        assertThatThrownBy(() -> invoke("anthropic.claude-3-haiku-20240307-v1:0", "{\"prompt\": \"hi\"}"))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("amazon.titan-embed-text-v2:0")
                .hasMessageContaining("cohere.embed-english-v3")
                .hasMessageContaining("Converse");
    }
}
