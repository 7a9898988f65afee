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

    /** From the base64 form of a 32-byte key (e.g. {@code openssl rand -base64 32}). */
    public static AesGcmSecretCipher fromBase64(String base64Key) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(base64Key.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the secrets key is not base64; create one with openssl rand -base64 32");
        }
        return new AesGcmSecretCipher(key);
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
