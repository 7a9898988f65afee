package dev.skyloom.local.cloud.lambda;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Durable storage of function configurations and code under the data directory. A configuration is written to a
 * temporary file and moved into place atomically, so a crash never leaves half a function behind.
 */
final class FunctionStore {
    /** Lambda's limit on the unzipped size of a deployment package. */
    static final long MAX_UNZIPPED_BYTES = 250L * 1024 * 1024;

    private final ObjectMapper json;
    private final Path functionsDir;
    private final Path codeDir;
    private final Path envDir;

    FunctionStore(Path dir, ObjectMapper json) {
        this.json = json;
        this.functionsDir = dir.resolve("functions");
        this.codeDir = dir.resolve("code");
        this.envDir = dir.resolve("env");
        try {
            Files.createDirectories(functionsDir);
            Files.createDirectories(codeDir);
            Files.createDirectories(envDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the Lambda data directory " + dir, e);
        }
    }

    List<FunctionConfig> loadAll() {
        List<FunctionConfig> configs = new ArrayList<>();
        try (Stream<Path> files = Files.list(functionsDir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                configs.add(json.readValue(file.toFile(), FunctionConfig.class));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read stored functions in " + functionsDir, e);
        }
        return configs;
    }

    void save(FunctionConfig config) {
        Path target = functionsDir.resolve(config.functionName() + ".json");
        try {
            Path temp = Files.createTempFile(functionsDir, config.functionName(), ".tmp");
            json.writeValue(temp.toFile(), config);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store function " + config.functionName(), e);
        }
    }

    void delete(String functionName) {
        try {
            Files.deleteIfExists(functionsDir.resolve(functionName + ".json"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete function " + functionName, e);
        }
    }

    /** The extracted package and its digest. */
    record StoredCode(Path dir, String sha256Base64, long size) {
    }

    /**
     * Extracts a deployment package (a .jar, or a .zip with classes at the root and libraries under lib/) into a
     * directory named by its digest; the same package is extracted once.
     */
    StoredCode storeZip(String functionName, byte[] zip) {
        String digestHex;
        String digestBase64;
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(zip);
            digestHex = HexFormat.of().formatHex(digest);
            digestBase64 = java.util.Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        Path target = codeDir.resolve(functionName).resolve(digestHex);
        if (Files.isDirectory(target)) {
            return new StoredCode(target, digestBase64, zip.length);
        }
        Path staging = codeDir.resolve(functionName).resolve(digestHex + ".staging");
        try {
            deleteRecursively(staging);
            Files.createDirectories(staging);
            long total = 0;
            int entries = 0;
            try (ZipInputStream in = new ZipInputStream(new java.io.ByteArrayInputStream(zip))) {
                ZipEntry entry;
                while ((entry = in.getNextEntry()) != null) {
                    entries++;
                    Path out = staging.resolve(entry.getName()).normalize();
                    if (!out.startsWith(staging)) {
                        throw LambdaException.invalid("Could not unzip uploaded file: entry '" + entry.getName()
                                + "' leaves the package directory");
                    }
                    if (entry.isDirectory()) {
                        Files.createDirectories(out);
                        continue;
                    }
                    Files.createDirectories(out.getParent());
                    total += copyLimited(in, out, MAX_UNZIPPED_BYTES - total);
                }
            }
            if (entries == 0) {
                throw LambdaException.invalid("Could not unzip uploaded file. Please check your file, then try to "
                        + "upload again.");
            }
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            deleteQuietly(staging);
            throw LambdaException.invalid("Could not unzip uploaded file. Please check your file, then try to upload "
                    + "again. (" + e.getMessage() + ")");
        } catch (RuntimeException e) {
            deleteQuietly(staging);
            throw e;
        }
        return new StoredCode(target, digestBase64, zip.length);
    }

    private static long copyLimited(InputStream in, Path out, long remaining) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long written = 0;
        try (var os = Files.newOutputStream(out)) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                written += n;
                if (written > remaining) {
                    throw LambdaException.invalid("Unzipped size must be smaller than " + MAX_UNZIPPED_BYTES
                            + " bytes");
                }
                os.write(buffer, 0, n);
            }
        }
        return written;
    }

    /**
     * Writes the environment resource of a function revision (see
     * {@link dev.skyloom.manifest.LocalLambdaContract#ENVIRONMENT_RESOURCE}) and returns the class-path root holding it.
     */
    Path writeEnvironment(String functionName, String revisionId, java.util.Properties environment) {
        Path root = envDir.resolve(functionName).resolve(revisionId);
        Path file = root.resolve(dev.skyloom.manifest.LocalLambdaContract.ENVIRONMENT_RESOURCE);
        try {
            Files.createDirectories(file.getParent());
            try (var out = Files.newOutputStream(file)) {
                environment.store(out, "environment of Lambda function " + functionName);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the environment of function " + functionName, e);
        }
        return root;
    }

    void deleteCode(String functionName) {
        deleteQuietly(codeDir.resolve(functionName));
        deleteQuietly(envDir.resolve(functionName));
    }

    private static void deleteQuietly(Path path) {
        try {
            deleteRecursively(path);
        } catch (IOException ignored) {
            // best effort: leftovers are overwritten or ignored on the next start
        }
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
