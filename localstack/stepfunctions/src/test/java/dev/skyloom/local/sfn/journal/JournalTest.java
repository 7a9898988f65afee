package dev.skyloom.local.sfn.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {
    private static List<String> open(Path dir, FsyncPolicy policy, List<Journal> out) {
        List<String> seen = new ArrayList<>();
        out.add(Journal.open(dir, policy, r -> seen.add(new String(r, StandardCharsets.UTF_8))));
        return seen;
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void append_thenReopen_shouldReplayRecordsInOrder(@TempDir Path dir) {
        List<Journal> j = new ArrayList<>();
        assertThat(open(dir, FsyncPolicy.BATCH, j)).isEmpty();
        j.get(0).append(b("one"));
        j.get(0).append(b("two"));
        j.get(0).append(b("three"), 3);
        j.get(0).close();
        assertThat(open(dir, FsyncPolicy.BATCH, j)).containsExactly("one", "two", "thr");
        j.get(1).close();
    }

    @Test
    void tornTail_shouldBeDroppedAndAppendsContinueAfterTheLastGoodRecord(@TempDir Path dir) throws IOException {
        // GIVEN a log whose last record was cut short by a crash
        List<Journal> j = new ArrayList<>();
        open(dir, FsyncPolicy.NEVER, j);
        j.get(0).append(b("kept"));
        j.get(0).close();
        Path log;
        try (Stream<Path> s = Files.list(dir)) {
            log = s.filter(p -> p.getFileName().toString().startsWith("journal-")).findFirst().orElseThrow();
        }
        try (FileChannel c = FileChannel.open(log, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ByteBuffer torn = ByteBuffer.allocate(10).putInt(100).putInt(12345).put((byte) 1).put((byte) 2).flip();
            c.write(torn);
        }
        // WHEN it is reopened THEN only the complete record is replayed, and new records follow it
        assertThat(open(dir, FsyncPolicy.NEVER, j)).containsExactly("kept");
        j.get(1).append(b("next"));
        j.get(1).close();
        assertThat(open(dir, FsyncPolicy.NEVER, j)).containsExactly("kept", "next");
        j.get(2).close();
    }

    @Test
    void compact_shouldReplaceTheLogBySnapshotRecords(@TempDir Path dir) throws IOException {
        List<Journal> j = new ArrayList<>();
        open(dir, FsyncPolicy.ALWAYS, j);
        for (int i = 0; i < 100; i++) {
            j.get(0).append(b("r" + i));
        }
        j.get(0).compact(List.of(b("state")));
        j.get(0).append(b("after"));
        j.get(0).close();
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList())
                    .containsExactlyInAnyOrder("snapshot-000000000001.bin", "journal-000000000001.log", "LOCK");
        }
        assertThat(open(dir, FsyncPolicy.ALWAYS, j)).containsExactly("state", "after");
        j.get(1).close();
    }

    @Test
    void open_whileAnotherJournalHoldsTheDirectory_shouldRefuse(@TempDir Path dir) {
        List<Journal> j = new ArrayList<>();
        open(dir, FsyncPolicy.NEVER, j);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> open(dir, FsyncPolicy.NEVER, j))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("in use");
        j.get(0).close();
        open(dir, FsyncPolicy.NEVER, j);
        j.get(j.size() - 1).close();
    }

    @Test
    void largeRecords_shouldSpanRegionsOfTheMapping(@TempDir Path dir) {
        List<Journal> j = new ArrayList<>();
        open(dir, FsyncPolicy.BATCH, j);
        byte[] big = new byte[5 * 1024 * 1024];
        java.util.Arrays.fill(big, (byte) 'x');
        for (int i = 0; i < 30; i++) {
            j.get(0).append(big);
        }
        j.get(0).close();
        List<String> seen = open(dir, FsyncPolicy.BATCH, j);
        assertThat(seen).hasSize(30).allMatch(s -> s.length() == big.length);
        j.get(1).close();
    }
}
