package dev.skyloom.aws.bedrock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;

class BedrockEmbeddingsTest {
    // never called: these tests check the configuration only
    private static final BedrockRuntimeClient CLIENT = BedrockRuntimeClient.builder().region(Region.US_EAST_1)
            .credentialsProvider(AnonymousCredentialsProvider.create())
            .endpointOverride(URI.create("http://127.0.0.1:9")).build();

    @AfterAll
    static void close() {
        CLIENT.close();
    }

    @Test
    void construct_withAnotherModel_namesTheSupportedOne() {
        assertThatThrownBy(() -> new BedrockEmbeddings(CLIENT, "cohere.embed-english-v3", 256))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cohere.embed-english-v3").hasMessageContaining("amazon.titan-embed-text-v2:0");
    }

    @Test
    void construct_withUnsupportedDimensions_namesTheValidOnes() {
        assertThatThrownBy(() -> new BedrockEmbeddings(CLIENT, BedrockEmbeddings.TITAN_V2, 300))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("256, 512 or 1024");
    }

    @Test
    void space_namesTheModelAndTheDimensions() {
        assertThat(new BedrockEmbeddings(CLIENT, BedrockEmbeddings.TITAN_V2, 512).space())
                .isEqualTo("amazon.titan-embed-text-v2:0/512");
        assertThat(new BedrockEmbeddings(CLIENT,
                "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0", 256).space())
                .endsWith("amazon.titan-embed-text-v2:0/256");
    }
}
