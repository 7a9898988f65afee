package dev.skyloom.core.secrets;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;

/**
 * A stored secret: metadata, the agents it is granted to, and the sealed value (never shown: {@link #view()} is
 * what the API answers).
 */
public record Secret(String description, List<String> grantedTo, String keyId, String nonce, String ciphertext,
                     String rotatedAt) {

    public Secret {
        grantedTo = grantedTo == null ? List.of() : List.copyOf(grantedTo);
    }

    /** What the API shows: everything but the sealed value. */
    @JsonIgnore
    public View view() {
        return new View(description, grantedTo, rotatedAt);
    }

    public record View(String description, List<String> grantedTo, String rotatedAt) {
    }

    /** The body of {@code POST /secrets}. */
    public record Input(String name, String value, String description) {
        @Override
        public String toString() {
            return "Secret.Input[name=" + name + ", value=<redacted>]";
        }
    }

    /** The body of {@code PUT /secrets/{name}/value}. */
    public record Rotation(String value) {
        @Override
        public String toString() {
            return "Secret.Rotation[value=<redacted>]";
        }
    }

    @Override
    public String toString() {
        return "Secret[grantedTo=" + grantedTo + ", keyId=" + keyId + "]";
    }
}
