package dev.skyloom.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skyloom.local.cloud.LocalCloud;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;

/**
 * The deployed authorizer function (the deployment jar in the local cloud's Lambda, the real table): the admin key
 * is allowed with its tenant as context; a forged key fails with {@code Unauthorized}, which API Gateway answers 401.
 */
class AuthorizerIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dataDir;

    @Test
    void authorizer_allowsTheAdminKey_andRefusesAForgedOne_withoutLoggingEither() throws Exception {
        try (CapturedOutput output = new CapturedOutput(); LocalCloud cloud = PlatformIT.start(dataDir);
             LambdaClient lambda = LambdaClient.builder().endpointOverride(cloud.edgeEndpoint())
                     .region(Region.US_EAST_1).credentialsProvider(StaticCredentialsProvider.create(
                             AwsBasicCredentials.create("test", "test")))
                     .overrideConfiguration(c -> c.apiCallTimeout(Duration.ofSeconds(30))).build()) {
            String admin = Files.readString(dataDir.resolve("admin.key")).trim();
            String forged = admin.substring(0, admin.length() - 3) + (admin.endsWith("aaa") ? "bbb" : "aaa");

            InvokeResponse allowed = invoke(lambda, admin);
            InvokeResponse refused = invoke(lambda, forged);

            assertThat(allowed.functionError()).as(allowed.payload().asUtf8String()).isNull();
            JsonNode response = JSON.readTree(allowed.payload().asUtf8String());
            assertThat(response.at("/policyDocument/Statement/0/Effect").asText()).isEqualTo("Allow");
            assertThat(response.at("/policyDocument/Statement/0/Resource").asText())
                    .isEqualTo("arn:aws:execute-api:us-east-1:000000000000:api1/local/*");
            assertThat(response.at("/context/tenant").asText()).isEqualTo("default");
            assertThat(response.at("/context/platformAdmin").asBoolean()).isTrue();
            assertThat(refused.functionError()).isEqualTo("Unhandled");
            assertThat(JSON.readTree(refused.payload().asUtf8String()).path("errorMessage").asText())
                    .isEqualTo("Unauthorized");
            assertThat(output.text()).doesNotContain(admin).doesNotContain(forged);
        }
    }

    private static InvokeResponse invoke(LambdaClient lambda, String token) throws Exception {
        String event = JSON.writeValueAsString(Map.of("type", "REQUEST",
                "methodArn", "arn:aws:execute-api:us-east-1:000000000000:api1/local/GET/api/v1/projects",
                "headers", Map.of("Authorization", "Bearer " + token),
                "requestContext", Map.of("requestId", "it-1")));
        return lambda.invoke(b -> b.functionName("skyloom-authorizer").payload(SdkBytes.fromUtf8String(event)));
    }
}
