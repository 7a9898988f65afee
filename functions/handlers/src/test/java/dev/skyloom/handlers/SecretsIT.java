package dev.skyloom.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyloom.local.cloud.LocalCloud;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Secrets end to end: the stored bytes differ from the value, and the value is in no response and no log line. */
class SecretsIT {
    @TempDir
    Path dataDir;

    @Test
    void secretValue_isSealedAtRest_andAppearsInNoResponseAndNoLogLine() throws Exception {
        String value = "sk-" + UUID.randomUUID();
        String rotated = "sk-" + UUID.randomUUID();
        List<ApiClient.Response> responses = new ArrayList<>();
        try (CapturedOutput output = new CapturedOutput(); LocalCloud cloud = PlatformIT.start(dataDir)) {
            ApiClient api = new ApiClient(cloud.apiEndpoint().orElseThrow());
            String token = api.newTenant(Files.readString(dataDir.resolve("admin.key")).trim(), "alice");
            String agent = api.post("/api/v1/agents", token,
                    "{\"name\":\"A\",\"model\":{\"provider\":\"scripted\",\"modelId\":\"echo\"}}").json().path("id")
                    .asText();

            ApiClient.Response created = api.post("/api/v1/secrets", token,
                    "{\"name\":\"openai\",\"value\":\"" + value + "\",\"description\":\"LLM key\"}");
            responses.add(created);
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            assertThat(created.json().path("name").asText()).isEqualTo("openai");
            responses.add(api.post("/api/v1/secrets", token, "{\"name\":\"openai\",\"value\":\"" + value + "\"}"));
            assertThat(responses.getLast().status()).isEqualTo(409);
            responses.add(api.post("/api/v1/secrets", token, "{\"name\":\"bad\",\"value\":" + value + "}"));
            assertThat(responses.getLast().status()).isEqualTo(400);
            responses.add(api.post("/api/v1/secrets", token, "{\"name\":\"Bad Name\",\"value\":\"" + value
                    + "\"}"));
            assertThat(responses.getLast().status()).isEqualTo(400);
            responses.add(api.get("/api/v1/secrets", token));
            assertThat(responses.getLast().json().path("items")).hasSize(1);
            responses.add(api.get("/api/v1/secrets/openai", token));
            responses.add(api.send("PUT", "/api/v1/secrets/openai/grants/" + agent, token, null));
            assertThat(responses.getLast().status()).as(responses.getLast().toString()).isEqualTo(200);
            assertThat(responses.getLast().json().path("grantedTo").get(0).asText()).isEqualTo(agent);
            responses.add(api.send("PUT", "/api/v1/secrets/openai/value", token, "{\"value\":\"" + rotated + "\"}"));
            assertThat(responses.getLast().status()).isEqualTo(200);
            assertThat(responses.getLast().json().path("version").asInt()).isEqualTo(3);
            responses.add(api.send("DELETE", "/api/v1/secrets/openai/grants/" + agent, token, null));
            assertThat(responses.getLast().json().path("grantedTo")).isEmpty();

            try (DynamoDbClient dynamoDb = PlatformIT.dynamoDb(cloud.edgeEndpoint())) {
                List<Map<String, AttributeValue>> items = dynamoDb.scan(b -> b.tableName("skyloom-main")).items();
                Map<String, AttributeValue> stored = items.stream()
                        .filter(i -> i.get("sk").s().equals("SECRET#openai")).findFirst().orElseThrow();
                assertThat(stored.get("doc").s()).contains("ciphertext");
                for (String secret : List.of(value, rotated)) {
                    assertThat(items.toString()).doesNotContain(secret).doesNotContain(
                            Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8)));
                }
            }
            responses.add(api.send("DELETE", "/api/v1/secrets/openai", token, null));
            assertThat(responses.getLast().status()).isEqualTo(204);
            assertThat(api.get("/api/v1/secrets/openai", token).status()).isEqualTo(404);

            for (ApiClient.Response response : responses) {
                assertThat(response.raw().body()).doesNotContain(value).doesNotContain(rotated)
                        .doesNotContain("ciphertext").doesNotContain("nonce");
                assertThat(response.raw().headers().toString()).doesNotContain(value);
            }
            assertThat(output.text()).doesNotContain(value).doesNotContain(rotated);
        }
    }
}
