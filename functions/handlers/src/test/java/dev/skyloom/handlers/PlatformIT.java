package dev.skyloom.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skyloom.local.cloud.LocalCloud;
import dev.skyloom.local.cloud.LocalCloudConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The platform on the local cloud, end to end: the deployment jar loaded by the local Lambda service, the manifest's
 * resources created, the bootstrap run, and the API answering through the local API Gateway.
 */
class PlatformIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dataDir;

    static LocalCloud start(Path dataDir) throws Exception {
        Path jar = Path.of(System.getProperty("skyloom.functionsJar", "target/skyloom-functions.jar"));
        assertThat(jar).as("the deployment jar is built before the integration tests").exists();
        return new LocalCloud(LocalCloudConfig.ephemeral(dataDir, jar)).start();
    }

    @Test
    void health_isOk_withTheStateOfEveryComponent() throws Exception {
        try (LocalCloud cloud = start(dataDir)) {
            URI api = cloud.apiEndpoint().orElseThrow();

            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(api.resolve("/api/v1/health")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).isEqualTo(200);
            JsonNode body = JSON.readTree(response.body());
            assertThat(body.path("status").asText()).isEqualTo("ok");
            for (String component : List.of("api", "dynamodb", "sqs", "s3")) {
                assertThat(body.path("components").path(component).path("status").asText())
                        .as(component).isEqualTo("ok");
            }
            assertThat(body.path("components").path("dynamodb").path("detail").asText()).isEqualTo("3 tables active");
            assertThat(response.headers().firstValue("x-amzn-RequestId")).isPresent();
        }
    }

    @Test
    void unknownRoute_answersTheErrorShape_andTheConsoleIsServed() throws Exception {
        try (LocalCloud cloud = start(dataDir)) {
            URI api = cloud.apiEndpoint().orElseThrow();

            HttpResponse<String> missing = HTTP.send(HttpRequest.newBuilder(api.resolve("/api/v1/nothing-here"))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> console = HTTP.send(HttpRequest.newBuilder(api.resolve("/")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(missing.statusCode()).isEqualTo(404);
            JsonNode error = JSON.readTree(missing.body()).path("error");
            assertThat(error.path("code").asText()).isEqualTo("NOT_FOUND");
            assertThat(error.path("message").asText()).contains("POST /api/v1/nothing-here", "GET /api/v1/health");
            assertThat(error.path("details").isArray()).isTrue();
            assertThat(console.statusCode()).isEqualTo(200);
            assertThat(console.body()).contains("Skyloom");
        }
    }

    @Test
    void bootstrap_writesTheAdminKeyOnce_mode0600_storedOnlyAsAHash_andNeverLogged() throws Exception {
        String key;
        try (CapturedOutput output = new CapturedOutput(); LocalCloud cloud = start(dataDir)) {
            Path keyFile = dataDir.resolve("admin.key");
            assertThat(cloud.bootstrap().orElseThrow().minted()).isTrue();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
            key = Files.readString(keyFile).trim();
            assertThat(key).matches("sky_[0-9a-f]{16}_[A-Za-z0-9_-]{43}");
            String keyId = key.substring(4, 20);
            String secret = key.substring(21);

            try (DynamoDbClient dynamoDb = dynamoDb(cloud.edgeEndpoint())) {
                List<Map<String, AttributeValue>> items = dynamoDb.scan(b -> b.tableName("skyloom-main")).items();
                assertThat(items.toString()).doesNotContain(secret).doesNotContain(key);
                Map<String, AttributeValue> apiKey = items.stream()
                        .filter(i -> i.get("pk").s().equals("APIKEY#" + keyId)).findFirst().orElseThrow();
                assertThat(apiKey.get("secretHash").s()).isEqualTo(sha256Hex(secret));
                assertThat(apiKey.get("tenantId").s()).isEqualTo("default");
                assertThat(items).anySatisfy(i -> assertThat(i.get("sk").s()).isEqualTo("TENANT"));
                assertThat(items).anySatisfy(i -> assertThat(i.get("sk").s()).isEqualTo("USER#admin"));
            }
            assertThat(output.text()).doesNotContain(secret).contains("bootstrap done tenant=default created=true");
        }

        try (LocalCloud again = start(dataDir)) {
            assertThat(again.bootstrap().orElseThrow().minted()).isFalse();
            assertThat(Files.readString(dataDir.resolve("admin.key")).trim()).isEqualTo(key);
        }

        Files.delete(dataDir.resolve("admin.key"));
        try (LocalCloud rotated = start(dataDir); DynamoDbClient dynamoDb = dynamoDb(rotated.edgeEndpoint())) {
            String newKey = Files.readString(dataDir.resolve("admin.key")).trim();
            assertThat(rotated.bootstrap().orElseThrow().minted()).isTrue();
            assertThat(newKey).isNotEqualTo(key);
            Map<String, AttributeValue> old = dynamoDb.getItem(b -> b.tableName("skyloom-main").key(Map.of(
                    "pk", AttributeValue.fromS("APIKEY#" + key.substring(4, 20)),
                    "sk", AttributeValue.fromS("APIKEY")))).item();
            assertThat(old).containsKey("revokedAt");
            Map<String, AttributeValue> marker = dynamoDb.getItem(b -> b.tableName("skyloom-main").key(Map.of(
                    "pk", AttributeValue.fromS("PLATFORM"), "sk", AttributeValue.fromS("BOOTSTRAP")))).item();
            assertThat(marker.get("adminKeyId").s()).isEqualTo(newKey.substring(4, 20));
        }
    }

    static DynamoDbClient dynamoDb(URI edge) {
        return DynamoDbClient.builder().endpointOverride(edge).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .build();
    }

    private static String sha256Hex(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(text.getBytes(StandardCharsets.US_ASCII)));
    }
}
