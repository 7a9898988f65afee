package dev.skyloom.local.cloud.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FunctionStoreTest {
    @TempDir
    Path dir;

    private static byte[] zip(Map<String, String> entries) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(bytes)) {
            for (var e : entries.entrySet()) {
                out.putNextEntry(new ZipEntry(e.getKey()));
                out.write(e.getValue().getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    @Test
    void storeZip_extractsOnce_andNamesTheDirectoryByDigest() throws Exception {
        FunctionStore store = new FunctionStore(dir, new ObjectMapper());
        byte[] zip = zip(Map.of("a/B.class", "x", "lib/dep.jar", "y"));

        FunctionStore.StoredCode first = store.storeZip("fn", zip);
        FunctionStore.StoredCode second = store.storeZip("fn", zip);

        assertThat(first.dir()).isEqualTo(second.dir());
        assertThat(first.dir().resolve("a/B.class")).hasContent("x");
        assertThat(FunctionInstance.classpathOf(first.dir())).containsExactly(first.dir(),
                first.dir().resolve("lib/dep.jar"));
        assertThat(first.sha256Base64()).hasSize(44);
    }

    @Test
    void storeZip_shouldRefuse_whenAnEntryEscapesThePackage() throws Exception {
        FunctionStore store = new FunctionStore(dir, new ObjectMapper());

        assertThatThrownBy(() -> store.storeZip("fn", zip(Map.of("../../evil.sh", "boom"))))
                .isInstanceOf(LambdaException.class).hasMessageContaining("leaves the package directory");
        assertThat(dir.getParent().resolve("evil.sh")).doesNotExist();
    }

    @Test
    void storeZip_shouldRefuse_whenNotAZip() {
        FunctionStore store = new FunctionStore(dir, new ObjectMapper());

        assertThatThrownBy(() -> store.storeZip("fn", "not a zip".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(LambdaException.class).hasMessageContaining("Could not unzip uploaded file");
    }

    @Test
    void save_thenLoadAll_roundTripsConfigurations() {
        FunctionStore store = new FunctionStore(dir, new ObjectMapper());
        FunctionConfig config = new FunctionConfig("fn", "java21", "a.B::c", "arn:aws:iam::000000000000:role/r",
                "d", 3, 128, Map.of("K", "V"), FunctionConfig.CodeKind.ZIP, "/code", "sha", 10, "now", "rev", 2);

        store.save(config);

        assertThat(new FunctionStore(dir, new ObjectMapper()).loadAll()).containsExactly(config);
        assertThat(Files.exists(dir.resolve("functions/fn.json"))).isTrue();
    }
}
