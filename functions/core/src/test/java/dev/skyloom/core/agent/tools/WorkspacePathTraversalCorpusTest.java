package dev.skyloom.core.agent.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Path traversal: every path of the corpus is refused by {@link WorkspacePath} and, through the tools, never reaches
 * the workspace; plain relative paths are accepted unchanged.
 */
class WorkspacePathTraversalCorpusTest {

    static List<String> traversalCorpus() {
        List<String> corpus = new ArrayList<>(List.of(
                // dot segments
                "..", ".", "../etc/passwd", "../../../../etc/shadow", "a/../../b", "a/..", "a/./b", "./a", "a/.",
                "...", "a/.../b", "foo/../../../../root",
                // absolute and UNC-like
                "/etc/passwd", "/", "//server/share/x", "/runs/other/workspace/secret",
                // backslashes (Windows separators)
                "..\\..\\windows\\win.ini", "a\\b", "\\\\server\\share",
                // NUL and control characters
                "a\u0000b", "notes.md\u0000.png", "a\nb", "a\rb", "a\tb", "a\u007fb", "a\u0085b",
                // percent-encoded forms, single and double
                "%2e%2e%2fetc%2fpasswd", "%2e%2e/x", "..%2fx", ".%2e/x", "%2e./x", "%252e%252e%252f",
                "a/%00", "%c0%ae%c0%ae/x", "..%c0%afx", "..%5c..%5cx",
                // overlong UTF-8 as decoded by lenient decoders (replacement character, Latin-1 bytes)
                "\uFFFD\uFFFD/x", "\u00c0\u00ae\u00c0\u00ae/x", "..\u00c0\u00af",
                // unicode lookalikes of '.' and '/'
                "\uFF0E\uFF0E\uFF0Fetc", "\uFF0E\uFF0E/x", "\u2024\u2024/x", "..\u2215x", "..\u2044x",
                "\u3002\u3002/x", "..\u29F8x", "\uFE52\uFE52/x",
                // invisible and bidi characters, compatibility forms
                "a\u200B/../b", "a/\u202Egnp.exe", "\uFEFFa", "\uFF21\uFF22.txt", "\uFB01le.txt",
                // a lone surrogate (malformed UTF-16)
                "a\uD800b",
                // drive letters, schemes, home
                "C:/Windows/system32", "C:\\x", "file:///etc/passwd", "s3://bucket/key", "~/x", "~root/.ssh/id_rsa",
                // empty segments and trailing separators, spaces
                "", "a//b", "a/", " ", "a/ b", "b /a",
                // shell and glob metacharacters
                "a?b", "a*b", "a|b", "a<b", "a\"b", "$HOME/x", "a;b", "`id`"));
        corpus.add("x".repeat(1025));
        corpus.add("a/".repeat(32) + "a");
        corpus.add("x".repeat(256));
        corpus.add("\u00e9".repeat(128));
        return corpus;
    }

    static Stream<String> positives() {
        return Stream.of("notes/plan.md", "a.txt", "src/main/java/Foo.java", "r\u00e9sum\u00e9.md",
                "\u65e5\u672c\u8a9e/\u30d5\u30a1\u30a4\u30eb.txt", "..a", "a..b", "report (final) v2.md",
                "data_2026-11-21.csv", "x".repeat(255), "a/b/c/d", "a+b=c,d@e[1].txt");
    }

    @Test
    void corpus_isLargeEnough() {
        assertThat(traversalCorpus()).hasSizeGreaterThanOrEqualTo(30);
    }

    @Test
    void everyCorpusPath_isRefused_byWorkspacePath() {
        List<String> accepted = traversalCorpus().stream()
                .filter(raw -> WorkspacePath.problem(raw).isEmpty()).toList();

        assertThat(accepted).as("paths of the traversal corpus that were accepted").isEmpty();
    }

    @ParameterizedTest
    @MethodSource("traversalCorpus")
    void corpusPath_throughEveryFileTool_isAnErrorAndTouchesNothing(String raw) {
        // GIVEN a workspace with one file, and the four tools behind the invoker
        InMemoryWorkspace workspace = new InMemoryWorkspace();
        workspace.write("acme", "run_1", WorkspacePath.of("keep.md"), new byte[] {1}, "text/plain");
        List<Tool> tools = WorkspaceTools.all(workspace);
        ToolInvoker invoker = ToolInvoker.create();

        for (String tool : List.of("read_file", "write_file", "delete_file")) {
            JsonNode input = ToolJson.object().put("path", raw).put("content", "x");
            if (!tool.equals("write_file")) {
                ((com.fasterxml.jackson.databind.node.ObjectNode) input).remove("content");
            }
            // WHEN the model asks for the path
            ToolResult result = invoker.invoke(tools, tool, input, Contexts.agentStep());
            // THEN it is an error, and the workspace is unchanged
            assertThat(result.error()).as(tool + " " + raw).isTrue();
        }
        ToolResult list = invoker.invoke(tools, "list_files", ToolJson.object().put("folder", raw),
                Contexts.agentStep());
        assertThat(list.error()).as("list_files " + raw).isTrue();
        assertThat(workspace.files).containsOnlyKeys("tenants/acme/runs/run_1/workspace/keep.md");
    }

    @ParameterizedTest
    @MethodSource("positives")
    void plainRelativePath_isAccepted_unchanged(String raw) {
        assertThat(WorkspacePath.problem(raw)).isEmpty();
        assertThat(WorkspacePath.of(raw).value()).isEqualTo(raw);
    }

    @Test
    void refusal_saysWhatIsWrong_andWhatIsValid() {
        assertThat(WorkspacePath.problem("../x")).hasValueSatisfying(p -> assertThat(p).contains("'..'"));
        assertThat(WorkspacePath.problem("a%2fb")).hasValueSatisfying(p -> assertThat(p).contains("percent"));
        assertThat(WorkspacePath.problem("/etc")).hasValueSatisfying(p -> assertThat(p).contains("relative"));
        assertThatThrownBy(() -> WorkspacePath.of("a\\b")).hasMessageContaining("backslash");
    }
}
