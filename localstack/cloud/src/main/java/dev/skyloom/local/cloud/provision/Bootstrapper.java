package dev.skyloom.local.cloud.provision;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skyloom.local.cloud.lambda.InvocationResult;
import dev.skyloom.local.cloud.lambda.LocalLambda;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Runs the platform's bootstrap function once per start, as a CloudFormation custom resource does on AWS: it creates
 * the default tenant, its admin user and the platform admin API key. A new key is returned only when one is minted
 * (first start, or the key file is missing); it goes to {@code admin.key} with mode 0600 and is never logged.
 */
public final class Bootstrapper {
    private final LocalLambda lambda;
    private final ObjectMapper json = new ObjectMapper();

    public Bootstrapper(LocalLambda lambda) {
        this.lambda = lambda;
    }

    /** The outcome: where the key is, and whether it was minted by this start. */
    public record Outcome(String tenantId, Path keyFile, boolean minted) {
    }

    public Outcome run(String function, Path keyFile) {
        boolean keyFileMissing = !Files.isRegularFile(keyFile);
        byte[] request = json.createObjectNode().put("rotateAdminKey", keyFileMissing).toString()
                .getBytes(StandardCharsets.UTF_8);
        InvocationResult result = lambda.invoke(function, request, false);
        String payload = new String(result.payload(), StandardCharsets.UTF_8);
        if (result.failed()) {
            throw new IllegalStateException("the bootstrap function failed: " + payload);
        }
        JsonNode response;
        try {
            response = json.readTree(payload);
        } catch (IOException e) {
            throw new IllegalStateException("the bootstrap function returned no JSON object");
        }
        String key = response.path("adminKey").asText(null);
        if (key != null) {
            writeSecretFile(keyFile, key + "\n");
        } else if (keyFileMissing) {
            throw new IllegalStateException("the bootstrap function minted no admin key although " + keyFile
                    + " is missing");
        }
        return new Outcome(response.path("tenantId").asText(), keyFile, key != null);
    }

    private static void writeSecretFile(Path file, String content) {
        try {
            Path temp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.deleteIfExists(temp);
            try {
                Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(temp);
            }
            Files.writeString(temp, content, StandardCharsets.UTF_8);
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
