package dev.skyloom.core.secrets;

/**
 * Encrypts secret values at rest. {@code context} (tenant and secret name) is bound to the ciphertext as associated
 * data, so a ciphertext copied to another secret or tenant does not decrypt. Locally AES-256-GCM with one key
 * ({@link AesGcmSecretCipher}); on AWS a KMS envelope adapter implements the same port.
 */
public interface SecretCipher {

    /** A ciphertext and what is needed to decrypt it; {@code keyId} names the key (for rotation). */
    record Sealed(String keyId, byte[] nonce, byte[] ciphertext) {
        @Override
        public String toString() {
            return "Sealed[keyId=" + keyId + ", " + ciphertext.length + " bytes]";
        }
    }

    Sealed seal(byte[] plaintext, String context);

    byte[] open(Sealed sealed, String context);
}
