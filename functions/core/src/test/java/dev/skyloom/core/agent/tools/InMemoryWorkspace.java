package dev.skyloom.core.agent.tools;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/** A workspace in a map, keyed like the S3 adapter: {@code tenants/<tenantId>/runs/<runId>/workspace/<path>}. */
final class InMemoryWorkspace implements Workspace {
    final Map<String, byte[]> files = new ConcurrentSkipListMap<>();

    private static String key(String tenantId, String runId, WorkspacePath path) {
        return "tenants/" + Workspace.requireRunId(tenantId) + "/runs/" + Workspace.requireRunId(runId)
                + "/workspace/" + path.value();
    }

    @Override
    public Optional<Content> read(String tenantId, String runId, WorkspacePath path, int maxBytes) {
        byte[] bytes = files.get(key(tenantId, runId, path));
        return bytes == null ? Optional.empty()
                : Optional.of(new Content(Arrays.copyOf(bytes, Math.min(maxBytes, bytes.length)), bytes.length));
    }

    @Override
    public void write(String tenantId, String runId, WorkspacePath path, byte[] content, String contentType) {
        files.put(key(tenantId, runId, path), content.clone());
    }

    @Override
    public Listing list(String tenantId, String runId, Optional<WorkspacePath> folder, int limit) {
        String root = "tenants/" + Workspace.requireRunId(tenantId) + "/runs/" + Workspace.requireRunId(runId)
                + "/workspace/";
        String prefix = root + folder.map(f -> f.value() + "/").orElse("");
        List<Entry> all = files.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                .map(e -> new Entry(e.getKey().substring(root.length()), e.getValue().length, Instant.EPOCH))
                .toList();
        return new Listing(all.subList(0, Math.min(limit, all.size())), all.size() > limit);
    }

    @Override
    public boolean delete(String tenantId, String runId, WorkspacePath path) {
        return files.remove(key(tenantId, runId, path)) != null;
    }
}
