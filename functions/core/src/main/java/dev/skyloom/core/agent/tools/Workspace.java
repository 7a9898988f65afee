package dev.skyloom.core.agent.tools;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The files of a run, shared by its steps (on AWS: one S3 prefix per run of a tenant,
 * {@code tenants/<tenantId>/runs/<runId>/workspace/}).
 */
public interface Workspace {
    /** What a run id must look like to become part of a storage key. */
    Pattern RUN_ID = Pattern.compile("[A-Za-z0-9_-]{1,128}");

    /** A file as listed. */
    record Entry(String path, long size, Instant lastModified) {
    }

    /**
     * The start of a file.
     *
     * @param bytes at most the bytes asked for
     * @param size  the whole file's size
     */
    record Content(byte[] bytes, long size) {
        public boolean truncated() {
            return bytes.length < size;
        }
    }

    /** A page of a listing; {@code truncated} when there are more files than were returned. */
    record Listing(List<Entry> entries, boolean truncated) {
    }

    /** Reads the first {@code maxBytes} bytes of a file, or empty when there is none. */
    Optional<Content> read(String tenantId, String runId, WorkspacePath path, int maxBytes);

    /** Creates or replaces a file. */
    void write(String tenantId, String runId, WorkspacePath path, byte[] content, String contentType);

    /** The files under {@code folder} (all files when empty), in path order, at most {@code limit}. */
    Listing list(String tenantId, String runId, Optional<WorkspacePath> folder, int limit);

    /** Deletes a file; false when there was none. */
    boolean delete(String tenantId, String runId, WorkspacePath path);

    static String requireRunId(String runId) {
        if (runId == null || !RUN_ID.matcher(runId).matches()) {
            throw new IllegalArgumentException("run id '" + runId + "' cannot name a workspace: use 1-128 "
                    + "characters of A-Z, a-z, 0-9, '_' and '-'");
        }
        return runId;
    }
}
