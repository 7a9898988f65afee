package dev.skyloom.aws.runtime;

import dev.skyloom.core.agent.StepStore;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Step documents (checkpoints, turn records) as JSON objects in the workspaces bucket, under the tenant's prefix
 * ({@code tenants/<tenantId>/runs/<runId>/steps/...}). A put replaces the whole object atomically, and S3 reads
 * after writes are strongly consistent, so a retried turn always sees the last document written.
 */
public final class S3StepStore implements StepStore {
    private final S3Client s3;
    private final String bucket;

    public S3StepStore(S3Client s3, String bucket) {
        this.s3 = s3;
        this.bucket = bucket;
    }

    @Override
    public Optional<String> get(String tenantId, String key) {
        try {
            return Optional.of(s3.getObjectAsBytes(b -> b.bucket(bucket).key(objectKey(tenantId, key)))
                    .asString(StandardCharsets.UTF_8));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        }
    }

    @Override
    public void put(String tenantId, String key, String json) {
        s3.putObject(b -> b.bucket(bucket).key(objectKey(tenantId, key)).contentType("application/json"),
                RequestBody.fromString(json, StandardCharsets.UTF_8));
    }

    static String objectKey(String tenantId, String key) {
        if (key.startsWith("/") || key.contains("..") || tenantId.contains("/")) {
            throw new IllegalArgumentException("step document keys are relative and stay under the tenant: " + key);
        }
        return "tenants/" + tenantId + "/" + key;
    }
}
