package dev.skyloom.core.agent.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.core.agent.model.ToolSpec;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * {@code read_file}, {@code write_file}, {@code list_files} and {@code delete_file} on the run's {@link Workspace}.
 * Paths are {@link WorkspacePath}s: a path that could leave the workspace is an error result, never a read.
 * Writing is naturally idempotent (a retried turn writes the same bytes); deleting a file that is gone already
 * answers that it did not exist, so a retry is harmless too. Only {@code delete_file} is dangerous.
 */
public final class WorkspaceTools {
    /** What read_file returns at most. */
    public static final int MAX_READ_BYTES = 200_000;
    /** What write_file accepts at most. */
    public static final int MAX_WRITE_CHARS = 1_000_000;
    public static final int MAX_LIST = 1000;

    private static final String PATH_SCHEMA = """
            {"type": "string", "minLength": 1, "maxLength": 1024,
             "description": "a path relative to the workspace root, e.g. notes/plan.md (no '..', no leading '/')"}""";

    private WorkspaceTools() {
    }

    public static List<Tool> all(Workspace workspace) {
        return List.of(new ReadFile(workspace), new WriteFile(workspace), new ListFiles(workspace),
                new DeleteFile(workspace));
    }

    private static WorkspacePath path(JsonNode input, String field) {
        String raw = input.get(field).asText();
        Optional<String> problem = WorkspacePath.problem(raw);
        if (problem.isPresent()) {
            throw new ToolException("Refused path '" + ToolInvoker.abbreviate(printable(raw), 120) + "': "
                    + problem.get() + ".");
        }
        return new WorkspacePath(raw);
    }

    private static String printable(String raw) {
        StringBuilder out = new StringBuilder();
        raw.codePoints().forEach(cp -> {
            if (Character.isISOControl(cp) || Character.getType(cp) == Character.FORMAT) {
                out.append(String.format("\\u%04X", cp));
            } else {
                out.appendCodePoint(cp);
            }
        });
        return out.toString();
    }

    static final class ReadFile implements Tool {
        private static final ToolSpec SPEC = new ToolSpec("read_file",
                "Read a text file of the run's workspace (the first " + MAX_READ_BYTES + " bytes).",
                ToolJson.parse("""
                        {"type": "object", "properties": {"path": %s},
                         "required": ["path"], "additionalProperties": false}""".formatted(PATH_SCHEMA)));
        private final Workspace workspace;

        ReadFile(Workspace workspace) {
            this.workspace = workspace;
        }

        @Override
        public ToolSpec spec() {
            return SPEC;
        }

        @Override
        public ToolResult call(JsonNode input, ToolContext context) {
            WorkspacePath path = path(input, "path");
            Optional<Workspace.Content> content = workspace.read(context.caller().tenant().value(), Workspace.requireRunId(context.runId()), path,
                    MAX_READ_BYTES);
            if (content.isEmpty()) {
                return ToolResult.error("No file " + path + " in the workspace. Use list_files to see what exists.");
            }
            byte[] bytes = content.get().bytes();
            String text;
            try {
                text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes, 0, safeEnd(bytes, content.get().truncated()))).toString();
            } catch (CharacterCodingException e) {
                return ToolResult.error("File " + path + " is not UTF-8 text (" + content.get().size()
                        + " bytes); read_file reads text only.");
            }
            if (content.get().truncated()) {
                text += "\n[truncated: the first " + bytes.length + " of " + content.get().size() + " bytes]";
            }
            return ToolResult.ok(text);
        }

        /** Cuts a truncated read before a UTF-8 sequence that the cut split. */
        private static int safeEnd(byte[] bytes, boolean truncated) {
            int end = bytes.length;
            if (!truncated) {
                return end;
            }
            int i = end - 1;
            int back = 0;
            while (i >= 0 && back < 3 && (bytes[i] & 0xC0) == 0x80) {
                i--;
                back++;
            }
            if (i >= 0 && (bytes[i] & 0x80) != 0) {
                int lead = bytes[i] & 0xFF;
                int length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
                if (i + length > end) {
                    return i;
                }
            }
            return end;
        }
    }

    static final class WriteFile implements Tool {
        private static final ToolSpec SPEC = new ToolSpec("write_file",
                "Create or replace a text file in the run's workspace.", ToolJson.parse("""
                        {"type": "object", "properties": {"path": %s,
                           "content": {"type": "string", "maxLength": %d}},
                         "required": ["path", "content"], "additionalProperties": false}"""
                        .formatted(PATH_SCHEMA, MAX_WRITE_CHARS)));
        private final Workspace workspace;

        WriteFile(Workspace workspace) {
            this.workspace = workspace;
        }

        @Override
        public ToolSpec spec() {
            return SPEC;
        }

        @Override
        public ToolResult call(JsonNode input, ToolContext context) {
            WorkspacePath path = path(input, "path");
            byte[] bytes = input.get("content").asText().getBytes(StandardCharsets.UTF_8);
            workspace.write(context.caller().tenant().value(), Workspace.requireRunId(context.runId()), path, bytes, contentType(path));
            return ToolResult.ok("Wrote " + bytes.length + " bytes to " + path + ".");
        }

        private static String contentType(WorkspacePath path) {
            String name = path.value().toLowerCase(java.util.Locale.ROOT);
            if (name.endsWith(".json")) {
                return "application/json";
            }
            if (name.endsWith(".md")) {
                return "text/markdown; charset=utf-8";
            }
            return "text/plain; charset=utf-8";
        }
    }

    static final class ListFiles implements Tool {
        private static final ToolSpec SPEC = new ToolSpec("list_files",
                "List the files of the run's workspace, optionally under a folder.", ToolJson.parse("""
                        {"type": "object", "properties": {
                           "folder": {"type": "string", "minLength": 1, "maxLength": 1024,
                                      "description": "a folder relative to the workspace root; omit for all files"},
                           "limit": {"type": "integer", "minimum": 1, "maximum": %d}},
                         "additionalProperties": false}""".formatted(MAX_LIST)));
        private final Workspace workspace;

        ListFiles(Workspace workspace) {
            this.workspace = workspace;
        }

        @Override
        public ToolSpec spec() {
            return SPEC;
        }

        @Override
        public ToolResult call(JsonNode input, ToolContext context) {
            Optional<WorkspacePath> folder = input.hasNonNull("folder") ? Optional.of(path(input, "folder"))
                    : Optional.empty();
            Workspace.Listing listing = workspace.list(context.caller().tenant().value(), Workspace.requireRunId(context.runId()), folder,
                    ToolJson.integer(input, "limit", 200));
            ObjectNode out = ToolJson.object();
            ArrayNode files = out.putArray("files");
            for (Workspace.Entry entry : listing.entries()) {
                files.addObject().put("path", entry.path()).put("size", entry.size())
                        .put("lastModified", entry.lastModified().toString());
            }
            out.put("truncated", listing.truncated());
            return ToolResult.ok(out.toString());
        }
    }

    static final class DeleteFile implements Tool {
        private static final ToolSpec SPEC = new ToolSpec("delete_file",
                "Delete a file of the run's workspace. It cannot be undone.", ToolJson.parse("""
                        {"type": "object", "properties": {"path": %s},
                         "required": ["path"], "additionalProperties": false}""".formatted(PATH_SCHEMA)));
        private final Workspace workspace;

        DeleteFile(Workspace workspace) {
            this.workspace = workspace;
        }

        @Override
        public ToolSpec spec() {
            return SPEC;
        }

        @Override
        public boolean dangerous() {
            return true;
        }

        @Override
        public ToolResult call(JsonNode input, ToolContext context) {
            WorkspacePath path = path(input, "path");
            boolean existed = workspace.delete(context.caller().tenant().value(), Workspace.requireRunId(context.runId()), path);
            return ToolResult.ok(existed ? "Deleted " + path + "." : "There was no file " + path + " (nothing "
                    + "deleted).");
        }
    }
}
