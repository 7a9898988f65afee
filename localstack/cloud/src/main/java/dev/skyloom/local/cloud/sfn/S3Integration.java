package dev.skyloom.local.cloud.sfn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.local.sfn.TaskFailedException;
import dev.skyloom.local.sfn.TaskIntegration;
import dev.skyloom.local.sfn.TaskRequest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * S3 for Map ItemReaders and tasks: {@code arn:aws:states:::s3:getObject} (result {@code Body} as text),
 * {@code s3:putObject} and {@code s3:listObjectsV2} (result {@code Contents}).
 */
final class S3Integration implements TaskIntegration {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PREFIX = "arn:aws:states:::s3:";

    private final S3Client s3;
    private final ExecutorService executor;

    S3Integration(S3Client s3, ExecutorService executor) {
        this.s3 = s3;
        this.executor = executor;
    }

    @Override
    public boolean supports(String resource) {
        return resource.equals(PREFIX + "getObject") || resource.equals(PREFIX + "putObject")
                || resource.equals(PREFIX + "listObjectsV2");
    }

    @Override
    public CompletionStage<JsonNode> invoke(TaskRequest request) {
        JsonNode p = request.parameters() == null ? JSON.createObjectNode() : request.parameters();
        String operation = request.resource().substring(PREFIX.length());
        return CompletableFuture.supplyAsync(() -> {
            try {
                ObjectNode result = JSON.createObjectNode();
                switch (operation) {
                    case "getObject" -> result.put("Body", s3.getObject(b -> b.bucket(p.path("Bucket").asText())
                            .key(p.path("Key").asText()), ResponseTransformer.toBytes()).asUtf8String());
                    case "putObject" -> {
                        JsonNode body = p.get("Body");
                        String text = body == null ? "" : body.isTextual() ? body.textValue() : body.toString();
                        result.put("ETag", s3.putObject(b -> b.bucket(p.path("Bucket").asText())
                                .key(p.path("Key").asText()), RequestBody.fromString(text)).eTag());
                    }
                    default -> {
                        ArrayNode contents = result.putArray("Contents");
                        String token = null;
                        do {
                            String next = token;
                            ListObjectsV2Response page = s3.listObjectsV2(b -> b.bucket(p.path("Bucket").asText())
                                    .prefix(p.hasNonNull("Prefix") ? p.get("Prefix").asText() : null)
                                    .continuationToken(next));
                            page.contents().forEach(o -> contents.addObject().put("Key", o.key())
                                    .put("Size", o.size()).put("ETag", o.eTag())
                                    .put("LastModified", String.valueOf(o.lastModified())));
                            token = page.isTruncated() ? page.nextContinuationToken() : null;
                        } while (token != null);
                    }
                }
                return (JsonNode) result;
            } catch (S3Exception e) {
                String code = e.awsErrorDetails() == null ? "S3Exception" : e.awsErrorDetails().errorCode();
                throw new TaskFailedException("S3." + code, e.getMessage());
            }
        }, executor);
    }
}
