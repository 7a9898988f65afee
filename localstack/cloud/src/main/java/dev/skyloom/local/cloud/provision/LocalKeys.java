package dev.skyloom.local.cloud.provision;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The generated keys of the local deployment ({@code EnvValue.GeneratedKey}): base64 of 32 random bytes, created
 * once in {@code <data-dir>/keys/<name>.key} with mode 0600 and read back on every start, so secrets encrypted
 * before a restart can still be decrypted. Never logged.
 */
public final class LocalKeys {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dir;

    public LocalKeys(Path dir) {
        this.dir = dir;
    }

    public synchronized String value(String name) {
        Path file = dir.resolve(name + ".key");
        try {
            if (!Files.exists(file)) {
                Files.createDirectories(dir);
                byte[] key = new byte[32];
                RANDOM.nextBytes(key);
                Path temp = dir.resolve(name + ".key.tmp");
                Files.deleteIfExists(temp);
                try {
                    Files.createFile(temp, PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString("rw-------")));
                } catch (UnsupportedOperationException e) {
                    Files.createFile(temp);
                }
                Files.writeString(temp, Base64.getEncoder().encodeToString(key) + "\n", StandardCharsets.US_ASCII);
                try {
                    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, file);
                } catch (FileAlreadyExistsException e) {
                    Files.deleteIfExists(temp);
                }
            }
            return Files.readString(file, StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create or read the generated key " + file, e);
        }
    }
}
