package dev.skyloom.aws.agent;

import dev.skyloom.core.agent.tools.Workspace;
import dev.skyloom.core.agent.tools.WorkspacePath;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@link Workspace} on the workspaces bucket: one prefix per run, {@code tenants/<tenantId>/runs/<runId>/workspace/}, and the
 * {@link WorkspacePath} appended to it. Both parts are validated before a key is built, so no key can leave the
 * run's prefix.
 */
public final class S3Workspace implements Workspace {
    private final S3Client s3;
    private final String bucket;

    public S3Workspace(S3Client s3, String bucket) {
        this.s3 = s3;
        this.bucket = bucket;
    }

    static String root(String tenantId, String runId) {
        return "tenants/" + Workspace.requireRunId(tenantId) + "/runs/" + Workspace.requireRunId(runId)
                + "/workspace/";
    }

    static String key(String tenantId, String runId, WorkspacePath path) {
        return root(tenantId, runId) + path.value();
    }

    @Override
    public Optional<Content> read(String tenantId, String runId, WorkspacePath path, int maxBytes) {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be at least 1");
        }
        try {
            ResponseBytes<GetObjectResponse> object = s3.getObjectAsBytes(b -> b.bucket(bucket)
                    .key(key(tenantId, runId, path)).range("bytes=0-" + (maxBytes - 1)));
            byte[] bytes = object.asByteArray();
            return Optional.of(new Content(bytes, size(object.response(), bytes.length)));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 416) {
                return Optional.of(new Content(new byte[0], 0));
            }
            throw e;
        }
    }

    /** The whole object's size: from {@code Content-Range: bytes 0-n/size} when S3 answered a range. */
    private static long size(GetObjectResponse response, int read) {
        String range = response.contentRange();
        if (range != null) {
            int slash = range.lastIndexOf('/');
            if (slash > 0 && !range.endsWith("*")) {
                return Long.parseLong(range.substring(slash + 1).trim());
            }
        }
        return response.contentLength() == null ? read : Math.max(read, response.contentLength());
    }

    @Override
    public void write(String tenantId, String runId, WorkspacePath path, byte[] content, String contentType) {
        s3.putObject(b -> b.bucket(bucket).key(key(tenantId, runId, path)).contentType(contentType),
                RequestBody.fromBytes(content));
    }

    @Override
    public Listing list(String tenantId, String runId, Optional<WorkspacePath> folder, int limit) {
        String root = root(tenantId, runId);
        String prefix = root + folder.map(f -> f.value() + "/").orElse("");
        List<Entry> entries = new ArrayList<>();
        String token = null;
        boolean more;
        do {
            String continuation = token;
            int want = Math.min(1000, limit - entries.size() + 1);
            ListObjectsV2Response page = s3.listObjectsV2(b -> b.bucket(bucket).prefix(prefix).maxKeys(want)
                    .continuationToken(continuation));
            for (S3Object object : page.contents()) {
                entries.add(new Entry(object.key().substring(root.length()), object.size(), object.lastModified()));
            }
            token = page.nextContinuationToken();
            more = Boolean.TRUE.equals(page.isTruncated()) && token != null;
        } while (more && entries.size() <= limit);
        boolean truncated = entries.size() > limit || more;
        return new Listing(List.copyOf(entries.subList(0, Math.min(limit, entries.size()))), truncated);
    }

    @Override
    public boolean delete(String tenantId, String runId, WorkspacePath path) {
        String key = key(tenantId, runId, path);
        try {
            s3.headObject(b -> b.bucket(bucket).key(key));
        } catch (NoSuchKeyException e) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw e;
        }
        s3.deleteObject(b -> b.bucket(bucket).key(key));
        return true;
    }
}
