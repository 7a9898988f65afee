package dev.skyloom.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skyloom.core.secrets.AesGcmSecretCipher;
import dev.skyloom.core.secrets.SecretCipher;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * {@link KmsEnvelopeSecretCipher} with the real SDK {@link KmsClient} against a real KMS emulator: moto in server
 * mode ({@code moto_server}), started by the test on a free port and stopped after it.
 */
class KmsEnvelopeSecretCipherIT {
    private static final String CONTEXT = "skyloom-secret:acme:openai";
    private static Process moto;
    private static KmsClient kms;
    private static String keyId;

    @BeforeAll
    static void startMoto() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path log = Files.createTempFile("moto-kms", ".log");
        try {
            moto = new ProcessBuilder("moto_server", "-H", "127.0.0.1", "-p", Integer.toString(port))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            Assumptions.abort("moto_server is not installed (pip install 'moto[server]'): " + e.getMessage());
        }
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (!listening(port)) {
            if (!moto.isAlive() || Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("moto_server did not start on port " + port + ": "
                        + Files.readString(log));
            }
            Thread.sleep(50);
        }
        kms = KmsClient.builder().endpointOverride(URI.create("http://127.0.0.1:" + port))
                .region(Region.US_EAST_1).httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .overrideConfiguration(ClientOverrideConfiguration.builder().apiCallTimeout(Duration.ofSeconds(10))
                        .apiCallAttemptTimeout(Duration.ofSeconds(5)).build())
                .build();
        keyId = kms.createKey(b -> b.description("skyloom secrets")).keyMetadata().keyId();
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @AfterAll
    static void stopMoto() throws Exception {
        if (kms != null) {
            kms.close();
        }
        if (moto != null) {
            moto.destroy();
            if (!moto.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                moto.destroyForcibly();
            }
        }
    }

    @Test
    void seal_thenOpen_roundTrips_withAFreshDataKeyPerValue() {
        KmsEnvelopeSecretCipher cipher = new KmsEnvelopeSecretCipher(kms, keyId);
        byte[] value = "sk-live-0123456789abcdef".getBytes(StandardCharsets.UTF_8);

        SecretCipher.Sealed first = cipher.seal(value, CONTEXT);
        SecretCipher.Sealed second = cipher.seal(value, CONTEXT);

        assertThat(cipher.open(first, CONTEXT)).isEqualTo(value);
        assertThat(first.keyId()).isEqualTo("kms:" + keyId);
        assertThat(new String(first.ciphertext(), StandardCharsets.ISO_8859_1)).doesNotContain("sk-live");
        assertThat(wrappedKey(first)).isNotEqualTo(wrappedKey(second));
        assertThat(first.ciphertext()).isNotEqualTo(second.ciphertext());
    }

    @Test
    void theStoredDataKey_unwrapsOnlyThroughKms_andOnlyForItsSecret() {
        SecretCipher.Sealed sealed = new KmsEnvelopeSecretCipher(kms, keyId).seal(new byte[] {1, 2, 3}, CONTEXT);
        byte[] wrapped = wrappedKey(sealed);

        byte[] dataKey = kms.decrypt(b -> b.ciphertextBlob(SdkBytes.fromByteArray(wrapped))
                .encryptionContext(Map.of(KmsEnvelopeSecretCipher.CONTEXT_KEY, CONTEXT))).plaintext().asByteArray();

        assertThat(dataKey).hasSize(32);
        assertThatThrownBy(() -> kms.decrypt(b -> b.ciphertextBlob(SdkBytes.fromByteArray(wrapped))
                .encryptionContext(Map.of(KmsEnvelopeSecretCipher.CONTEXT_KEY, "skyloom-secret:other:openai"))))
                .isInstanceOf(software.amazon.awssdk.services.kms.model.KmsException.class);
    }

    @Test
    void open_withAnotherContext_orTamperedBytes_orALocalKeysValue_fails() {
        KmsEnvelopeSecretCipher cipher = new KmsEnvelopeSecretCipher(kms, keyId);
        SecretCipher.Sealed sealed = cipher.seal("v".getBytes(StandardCharsets.UTF_8), CONTEXT);
        byte[] tampered = sealed.ciphertext().clone();
        tampered[tampered.length - 1] ^= 1;
        SecretCipher.Sealed local = AesGcmSecretCipher.fromBase64(Base64.getEncoder().encodeToString(new byte[32]))
                .seal("v".getBytes(StandardCharsets.UTF_8), CONTEXT);

        assertThatThrownBy(() -> cipher.open(sealed, "skyloom-secret:other:openai")).isInstanceOf(RuntimeException.class);
        assertThatThrownBy(() -> cipher.open(new SecretCipher.Sealed(sealed.keyId(), sealed.nonce(), tampered),
                CONTEXT)).hasMessageContaining("does not decrypt");
        assertThatThrownBy(() -> cipher.open(local, CONTEXT)).hasMessageContaining("not with KMS");
        assertThatThrownBy(() -> cipher.open(new SecretCipher.Sealed(sealed.keyId(), sealed.nonce(), new byte[1]),
                CONTEXT)).hasMessageContaining("truncated");
    }

    private static byte[] wrappedKey(SecretCipher.Sealed sealed) {
        int length = ((sealed.ciphertext()[0] & 0xFF) << 8) | (sealed.ciphertext()[1] & 0xFF);
        return Arrays.copyOfRange(sealed.ciphertext(), 2, 2 + length);
    }
}
