package dev.skyloom.aws.swarm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.core.swarm.SwarmStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * A swarm's scheduling state as one item of the main table ({@code pk = TENANT#<tenant>}, {@code sk =
 * SWARM#<swarmId>#STATE}, attributes {@code state} (JSON) and {@code version}), replaced only if the version is still
 * the one read (a conditional put), read strongly consistent; its documents in the workspaces bucket under
 * {@code tenants/<tenant>/swarms/<swarmId>/}.
 */
public final class AwsSwarmStore implements SwarmStore {
    private final DynamoDbClient dynamoDb;
    private final String table;
    private final S3Client s3;
    private final String bucket;
    private final ObjectMapper json;

    public AwsSwarmStore(DynamoDbClient dynamoDb, String table, S3Client s3, String bucket, ObjectMapper json) {
        this.dynamoDb = dynamoDb;
        this.table = table;
        this.s3 = s3;
        this.bucket = bucket;
        this.json = json;
    }

    private static Map<String, AttributeValue> key(String tenantId, String swarmId) {
        return Map.of("pk", AttributeValue.fromS("TENANT#" + tenantId),
                "sk", AttributeValue.fromS("SWARM#" + swarmId + "#STATE"));
    }

    @Override
    public Optional<Versioned> load(String tenantId, String swarmId) {
        GetItemResponse r = dynamoDb.getItem(b -> b.tableName(table).key(key(tenantId, swarmId)).consistentRead(true));
        if (!r.hasItem() || r.item().isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Versioned((ObjectNode) json.readTree(r.item().get("state").s()),
                    Long.parseLong(r.item().get("version").n())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public boolean create(String tenantId, String swarmId, ObjectNode state) {
        try {
            dynamoDb.putItem(b -> b.tableName(table).item(item(tenantId, swarmId, state, 1))
                    .conditionExpression("attribute_not_exists(pk)"));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public boolean replace(String tenantId, String swarmId, ObjectNode state, long expectedVersion) {
        try {
            dynamoDb.putItem(b -> b.tableName(table).item(item(tenantId, swarmId, state, expectedVersion + 1))
                    .conditionExpression("version = :v")
                    .expressionAttributeValues(Map.of(":v", AttributeValue.fromN(Long.toString(expectedVersion)))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    private static Map<String, AttributeValue> item(String tenantId, String swarmId, ObjectNode state, long version) {
        Map<String, AttributeValue> item = new java.util.HashMap<>(key(tenantId, swarmId));
        item.put("state", AttributeValue.fromS(state.toString()));
        item.put("version", AttributeValue.fromN(Long.toString(version)));
        return item;
    }

    @Override
    public void putDocument(String tenantId, String swarmId, String name, JsonNode document) {
        s3.putObject(b -> b.bucket(bucket).key(objectKey(tenantId, swarmId, name)).contentType("application/json"),
                RequestBody.fromString(document.toString(), StandardCharsets.UTF_8));
    }

    @Override
    public Optional<JsonNode> getDocument(String tenantId, String swarmId, String name) {
        try {
            return Optional.of(json.readTree(s3.getObjectAsBytes(b -> b.bucket(bucket)
                    .key(objectKey(tenantId, swarmId, name))).asUtf8String()));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String uri(String tenantId, String swarmId, String name) {
        return "s3://" + bucket + "/" + objectKey(tenantId, swarmId, name);
    }

    static String objectKey(String tenantId, String swarmId, String name) {
        if (tenantId.contains("/") || swarmId.contains("/") || name.startsWith("/") || name.contains("..")) {
            throw new IllegalArgumentException("swarm document names are relative and stay under the swarm: " + name);
        }
        return "tenants/" + tenantId + "/swarms/" + swarmId + "/" + name;
    }
}
