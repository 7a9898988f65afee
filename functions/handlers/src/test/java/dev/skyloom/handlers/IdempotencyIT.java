package dev.skyloom.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyloom.local.cloud.LocalCloud;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code Idempotency-Key} on creates, through the local API Gateway against DynamoDB Local. */
class IdempotencyIT {
    @TempDir
    Path dataDir;

    @Test
    void aRepeatedCreate_isReplayed_aReusedKey_is422_andConcurrentRepeats_createOnce() throws Exception {
        try (LocalCloud cloud = PlatformIT.start(dataDir);
             ExecutorService pool = Executors.newFixedThreadPool(2)) {
            ApiClient api = new ApiClient(cloud.apiEndpoint().orElseThrow());
            String admin = api.newTenant(Files.readString(dataDir.resolve("admin.key")).trim(), "acme");

            // a repeat with the same body: the same answer, no second project
            ApiClient.Response first = api.send("POST", "/api/v1/projects", admin, "{\"name\":\"Website\"}",
                    Map.of("Idempotency-Key", "create-website-1"));
            ApiClient.Response repeat = api.send("POST", "/api/v1/projects", admin, "{\"name\":\"Website\"}",
                    Map.of("Idempotency-Key", "create-website-1"));
            assertThat(first.status()).as(first.toString()).isEqualTo(201);
            assertThat(repeat.status()).isEqualTo(201);
            assertThat(repeat.json()).isEqualTo(first.json());
            assertThat(repeat.header("Idempotent-Replayed")).isEqualTo("true");
            assertThat(repeat.header("ETag")).isEqualTo(first.header("ETag"));
            assertThat(api.get("/api/v1/projects", admin).json().path("items")).hasSize(1);

            // the same key with another body: 422, nothing created
            ApiClient.Response reused = api.send("POST", "/api/v1/projects", admin, "{\"name\":\"Other\"}",
                    Map.of("Idempotency-Key", "create-website-1"));
            assertThat(reused.status()).as(reused.toString()).isEqualTo(422);
            assertThat(reused.json().path("error").path("code").asText()).isEqualTo("IDEMPOTENCY_KEY_REUSED");
            assertThat(reused.json().path("error").path("message").asText()).contains("different request body");
            assertThat(api.get("/api/v1/projects", admin).json().path("items")).hasSize(1);

            // a failed request gives the key up: the corrected retry with the same key creates
            assertThat(api.send("POST", "/api/v1/agents", admin, "{\"name\":\"\"}",
                    Map.of("Idempotency-Key", "agent-1")).status()).isEqualTo(400);
            String agent = "{\"name\":\"A\",\"model\":{\"provider\":\"scripted\",\"modelId\":\"echo\"}}";
            assertThat(api.send("POST", "/api/v1/agents", admin, agent, Map.of("Idempotency-Key", "agent-1"))
                    .status()).isEqualTo(201);
            assertThat(api.send("POST", "/api/v1/agents", admin, agent, Map.of("Idempotency-Key", "agent-1"))
                    .header("Idempotent-Replayed")).isEqualTo("true");
            assertThat(api.get("/api/v1/agents", admin).json().path("items")).hasSize(1);

            // a key shown once is not kept: the replay of an API key creation lacks the token
            ApiClient.Response key = api.send("POST", "/api/v1/api-keys", admin,
                    "{\"name\":\"ci\",\"scopes\":[\"projects:read\"]}", Map.of("Idempotency-Key", "key-1"));
            ApiClient.Response keyAgain = api.send("POST", "/api/v1/api-keys", admin,
                    "{\"name\":\"ci\",\"scopes\":[\"projects:read\"]}", Map.of("Idempotency-Key", "key-1"));
            assertThat(key.json().path("token").asText()).startsWith("sky_");
            assertThat(keyAgain.status()).isEqualTo(201);
            assertThat(keyAgain.json().path("keyId").asText()).isEqualTo(key.json().path("keyId").asText());
            assertThat(keyAgain.json().has("token")).isFalse();
            assertThat(api.get("/api/v1/api-keys", admin).json().path("items")).hasSize(2);

            // concurrent repeats with one key: one create; the other waits (409) or gets the replay
            for (int round = 0; round < 10; round++) {
                String idempotencyKey = "concurrent-" + round;
                String body = "{\"name\":\"Concurrent " + round + "\"}";
                CyclicBarrier start = new CyclicBarrier(2);
                List<CompletableFuture<ApiClient.Response>> calls = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    calls.add(CompletableFuture.supplyAsync(() -> {
                        await(start);
                        return api.send("POST", "/api/v1/projects", admin, body,
                                Map.of("Idempotency-Key", idempotencyKey));
                    }, pool));
                }
                List<ApiClient.Response> answers = calls.stream().map(CompletableFuture::join).toList();
                assertThat(answers).extracting(ApiClient.Response::status).as(answers.toString())
                        .contains(201).allMatch(s -> s == 201 || s == 409);
                answers.stream().filter(a -> a.status() == 409).forEach(a -> {
                    assertThat(a.json().path("error").path("code").asText()).isEqualTo("IDEMPOTENCY_IN_PROGRESS");
                    assertThat(a.header("Retry-After")).isEqualTo("1");
                });
                assertThat(answers.stream().filter(a -> a.status() == 201).map(a -> a.json().path("id").asText())
                        .distinct()).hasSize(1);
                ApiClient.Response after = api.send("POST", "/api/v1/projects", admin, body,
                        Map.of("Idempotency-Key", idempotencyKey));
                assertThat(after.status()).isEqualTo(201);
                assertThat(after.json().path("id").asText()).isEqualTo(answers.stream()
                        .filter(a -> a.status() == 201).findFirst().orElseThrow().json().path("id").asText());
            }
            assertThat(api.get("/api/v1/projects?limit=100", admin).json().path("items")).hasSize(11);
        }
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
