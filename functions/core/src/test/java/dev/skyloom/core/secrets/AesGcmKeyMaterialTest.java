package dev.skyloom.core.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class AesGcmKeyMaterialTest {

    @Test
    void keyBytes_usesA32ByteBase64KeyAsIs_andHashesOtherLongSecrets() {
        byte[] raw = new byte[32];
        Arrays.fill(raw, (byte) 7);
        String generated = "Zq8xN3vLp0aRt6YwKc2HbJ9mEu4sDf1gQi5oTn7Ve";

        assertThat(AesGcmSecretCipher.keyBytes(Base64.getEncoder().encodeToString(raw))).isEqualTo(raw);
        assertThat(AesGcmSecretCipher.keyBytes(generated)).hasSize(32)
                .isEqualTo(AesGcmSecretCipher.keyBytes(generated + "\n"));
        assertThatThrownBy(() -> AesGcmSecretCipher.keyBytes("too-short-to-be-a-key"))
                .hasMessageContaining("at least 32 characters");
    }
}
