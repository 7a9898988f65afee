package dev.skyloom.core.agent.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorkspaceToolsTest {
    private final InMemoryWorkspace workspace = new InMemoryWorkspace();
    private final List<Tool> tools = WorkspaceTools.all(workspace);
    private final ToolInvoker invoker = ToolInvoker.create();

    private ToolResult call(String tool, String json) {
        return invoker.invoke(tools, tool, ToolJson.parse(json), Contexts.agentStep());
    }

    @Test
    void writeThenRead_returnsTheText_underTheRunsPrefix() {
        ToolResult written = call("write_file", "{\"path\": \"notes/plan.md\", \"content\": \"# Plan\\nstep 1\"}");
        ToolResult read = call("read_file", "{\"path\": \"notes/plan.md\"}");

        assertThat(written.error()).isFalse();
        assertThat(read.content()).isEqualTo("# Plan\nstep 1");
        assertThat(workspace.files).containsOnlyKeys("tenants/acme/runs/run_1/workspace/notes/plan.md");
    }

    @Test
    void list_showsFilesUnderAFolder() {
        call("write_file", "{\"path\": \"a/one.md\", \"content\": \"1\"}");
        call("write_file", "{\"path\": \"b/two.md\", \"content\": \"22\"}");

        ToolResult all = call("list_files", "{}");
        ToolResult underA = call("list_files", "{\"folder\": \"a\"}");

        assertThat(all.content()).contains("a/one.md", "b/two.md");
        assertThat(underA.content()).contains("a/one.md").doesNotContain("b/two.md");
    }

    @Test
    void read_missingFile_isAnError_pointingToListFiles() {
        ToolResult read = call("read_file", "{\"path\": \"nope.md\"}");

        assertThat(read.error()).isTrue();
        assertThat(read.content()).contains("list_files");
    }

    @Test
    void read_binaryFile_isAnError() {
        workspace.write("acme", "run_1", WorkspacePath.of("img.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', (byte) 0xff},
                "image/png");

        assertThat(call("read_file", "{\"path\": \"img.png\"}").content()).contains("not UTF-8 text");
    }

    @Test
    void read_largeFile_isTruncated_withoutSplittingACharacter() {
        String big = "\u00e9".repeat(WorkspaceTools.MAX_READ_BYTES);
        workspace.write("acme", "run_1", WorkspacePath.of("big.txt"), big.getBytes(StandardCharsets.UTF_8), "text/plain");

        ToolResult read = new WorkspaceTools.ReadFile(workspace).call(ToolJson.parse("{\"path\": \"big.txt\"}"),
                Contexts.agentStep());

        assertThat(read.error()).isFalse();
        assertThat(read.content()).contains("[truncated: the first " + WorkspaceTools.MAX_READ_BYTES);
    }

    @Test
    void delete_isDangerous_andARetryIsHarmless() {
        call("write_file", "{\"path\": \"x.md\", \"content\": \"1\"}");

        ToolResult first = call("delete_file", "{\"path\": \"x.md\"}");
        ToolResult retry = call("delete_file", "{\"path\": \"x.md\"}");

        assertThat(tools.stream().filter(Tool::dangerous).map(Tool::name)).containsExactly("delete_file");
        assertThat(first.content()).isEqualTo("Deleted x.md.");
        assertThat(retry.error()).isFalse();
        assertThat(retry.content()).contains("no file");
    }
}
