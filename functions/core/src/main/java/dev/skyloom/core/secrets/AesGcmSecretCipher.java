package dev.skyloom.core.secrets;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/** AES-256-GCM with a local 256-bit key, a fresh 96-bit nonce per value and a 128-bit tag. */
public final class AesGcmSecretCipher implements SecretCipher {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final SecretKeySpec key;
    private final String keyId;

    private AesGcmSecretCipher(byte[] key) {
        if (key.length != 32) {
            throw new IllegalArgumentException("the secrets key must be 32 bytes (256 bits), was " + key.length);
        }
        this.key = new SecretKeySpec(key, "AES");
        try {
            this.keyId = "local:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key), 0, 4);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /**
     * From key material: the base64 form of a 32-byte key (as the local cloud and {@code openssl rand -base64 32}
     * make), used as is; or any other text of at least 32 characters (such as a generated Secrets Manager secret),
     * hashed with SHA-256 into the key.
     */
    public static AesGcmSecretCipher fromBase64(String keyMaterial) {
        return new AesGcmSecretCipher(keyBytes(keyMaterial));
    }

    /** The 32 key bytes of key material (see {@link #fromBase64}); refuses material too short to be a key. */
    public static byte[] keyBytes(String keyMaterial) {
        String text = keyMaterial.strip();
        try {
            byte[] decoded = Base64.getDecoder().decode(text);
            if (decoded.length == 32) {
                return decoded;
            }
        } catch (IllegalArgumentException notBase64) {
            // fall through: not the base64 of a key, so treat it as a passphrase-like secret
        }
        if (text.length() < 32) {
            throw new IllegalArgumentException("the secrets key must be the base64 of 32 bytes or a random text of "
                    + "at least 32 characters; create one with openssl rand -base64 32");
        }
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    @Override
    public Sealed seal(byte[] plaintext, String context) {
        byte[] nonce = new byte[12];
        RANDOM.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
            cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            return new Sealed(keyId, nonce, cipher.doFinal(plaintext));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
    }

    @Override
    public byte[] open(Sealed sealed, String context) {
        if (!sealed.keyId().equals(keyId)) {
            throw new IllegalStateException("secret was sealed with key " + sealed.keyId() + ", this is " + keyId);
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, sealed.nonce()));
            cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            return cipher.doFinal(sealed.ciphertext());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("secret does not decrypt: wrong key or context, or tampered", e);
        }
    }
}
