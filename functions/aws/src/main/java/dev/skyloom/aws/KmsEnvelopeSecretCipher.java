package dev.skyloom.aws;

import dev.skyloom.core.secrets.SecretCipher;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.kms.model.DecryptResponse;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyResponse;

/**
 * {@link SecretCipher} with KMS envelope encryption: every value gets its own AES-256 data key from
 * {@code GenerateDataKey}, is sealed with AES-256-GCM (fresh 96-bit nonce, the secret's context as associated data)
 * and stored with the data key as KMS encrypted it; the plaintext data key lives only in memory for the one call
 * and is then zeroed. Opening asks KMS to {@code Decrypt} the data key. The context is also the KMS encryption
 * context ({@code skyloom-secret}), so KMS refuses to unwrap a data key for another tenant or secret, and CloudTrail
 * names the secret of every decryption.
 *
 * <p>The stored form fits {@link SecretCipher.Sealed}: {@code keyId} is {@code kms:<key id or ARN>}, {@code nonce} the
 * GCM nonce, and {@code ciphertext} is {@code [2-byte length][encrypted data key][GCM ciphertext and tag]}.
 */
public final class KmsEnvelopeSecretCipher implements SecretCipher {
    public static final String KEY_ID_PREFIX = "kms:";
    static final String CONTEXT_KEY = "skyloom-secret";
    private static final SecureRandom RANDOM = new SecureRandom();
    private final KmsClient kms;
    private final String keyId;

    /** @param keyId the KMS key (id, ARN or alias) new values are sealed under */
    public KmsEnvelopeSecretCipher(KmsClient kms, String keyId) {
        this.kms = Objects.requireNonNull(kms);
        this.keyId = Objects.requireNonNull(keyId);
    }

    @Override
    public Sealed seal(byte[] plaintext, String context) {
        GenerateDataKeyResponse dataKey = kms.generateDataKey(b -> b.keyId(keyId).keySpec(DataKeySpec.AES_256)
                .encryptionContext(Map.of(CONTEXT_KEY, context)));
        byte[] key = dataKey.plaintext().asByteArray();
        byte[] nonce = new byte[12];
        RANDOM.nextBytes(nonce);
        try {
            byte[] sealed = gcm(Cipher.ENCRYPT_MODE, key, nonce, context, plaintext);
            byte[] wrapped = dataKey.ciphertextBlob().asByteArray();
            if (wrapped.length > 0xFFFF) {
                throw new IllegalStateException("KMS returned an encrypted data key of " + wrapped.length + " bytes");
            }
            ByteBuffer out = ByteBuffer.allocate(2 + wrapped.length + sealed.length);
            out.putShort((short) wrapped.length).put(wrapped).put(sealed);
            return new Sealed(KEY_ID_PREFIX + keyId, nonce, out.array());
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    @Override
    public byte[] open(Sealed sealed, String context) {
        if (!sealed.keyId().startsWith(KEY_ID_PREFIX)) {
            throw new IllegalStateException("secret was sealed with key " + sealed.keyId()
                    + ", not with KMS; re-create it (or rotate its value) to seal it under " + keyId);
        }
        ByteBuffer in = ByteBuffer.wrap(sealed.ciphertext());
        if (in.remaining() < 2) {
            throw new IllegalStateException("secret does not decrypt: the sealed value is truncated");
        }
        int length = Short.toUnsignedInt(in.getShort());
        if (in.remaining() < length) {
            throw new IllegalStateException("secret does not decrypt: the sealed value is truncated");
        }
        byte[] wrapped = new byte[length];
        in.get(wrapped);
        byte[] body = new byte[in.remaining()];
        in.get(body);
        DecryptResponse dataKey = kms.decrypt(b -> b.keyId(sealed.keyId().substring(KEY_ID_PREFIX.length()))
                .ciphertextBlob(SdkBytes.fromByteArray(wrapped)).encryptionContext(Map.of(CONTEXT_KEY, context)));
        byte[] key = dataKey.plaintext().asByteArray();
        try {
            return gcm(Cipher.DECRYPT_MODE, key, sealed.nonce(), context, body);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    private static byte[] gcm(int mode, byte[] key, byte[] nonce, String context, byte[] input) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
            cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            return cipher.doFinal(input);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(mode == Cipher.ENCRYPT_MODE ? "AES-GCM encryption failed"
                    : "secret does not decrypt: wrong context, or tampered", e);
        }
    }

    @Override
    public String toString() {
        return "KmsEnvelopeSecretCipher[keyId=" + keyId + "]";
    }
}
