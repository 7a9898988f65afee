package dev.skyloom.core.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.skyloom.core.api.ApiError;
import dev.skyloom.core.api.Json;
import dev.skyloom.core.identity.Principal;
import dev.skyloom.core.identity.TenantId;
import dev.skyloom.core.resources.Agent;
import dev.skyloom.core.resources.AgentService;
import dev.skyloom.core.resources.Stored;
import dev.skyloom.core.resources.TestDocumentStores;
import dev.skyloom.core.store.DocumentStore;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SecretServiceTest {
    private static final String VALUE = "sk-live-4f9a8b7c6d5e";
    private final DocumentStore store = TestDocumentStores.inMemory();
    private final AesGcmSecretCipher cipher = AesGcmSecretCipher.fromBase64(
            Base64.getEncoder().encodeToString(new byte[32]));
    private final AgentService agents = new AgentService(store, Clock.systemUTC());
    private final SecretService secrets = new SecretService(store, Clock.systemUTC(), () -> cipher, agents);
    private final Principal alice = new Principal(new TenantId("alice"), "k", "alice", Set.of("*"), false);

    @Test
    void create_storesOnlyCiphertext_andTheViewHasNoValue() {
        Stored<Secret> stored = secrets.create(alice, new Secret.Input("openai", VALUE, "LLM key"));

        assertThat(Json.write(stored.doc())).doesNotContain(VALUE)
                .doesNotContain(Base64.getEncoder().encodeToString(VALUE.getBytes(StandardCharsets.UTF_8)));
        assertThat(Json.write(stored.doc().view())).doesNotContain("ciphertext").doesNotContain("nonce");
        assertThat(new Secret.Input("x", VALUE, null).toString()).doesNotContain(VALUE);
    }

    @Test
    void reveal_onlyForAGrantedAgent_andRotationChangesTheValue() {
        secrets.create(alice, new Secret.Input("openai", VALUE, null));
        String agent = agents.create(alice, new Agent("A", null, null, null,
                new Agent.Model("scripted", "echo", null, null), null, null, null, null, null, null)).id();

        assertThat(catchThrowableOfType(ApiError.class, () -> secrets.reveal(alice.tenant(), "openai", agent))
                .status()).isEqualTo(403);
        secrets.grant(alice, "openai", agent, OptionalLong.empty());
        assertThat(secrets.reveal(alice.tenant(), "openai", agent)).isEqualTo(VALUE);
        secrets.rotate(alice, "openai", new Secret.Rotation("new-value"), OptionalLong.empty());
        assertThat(secrets.reveal(alice.tenant(), "openai", agent)).isEqualTo("new-value");
        assertThat(catchThrowableOfType(ApiError.class, () -> secrets.grant(alice, "openai", "agt_missing",
                OptionalLong.empty())).status()).isEqualTo(404);
    }

    @Test
    void open_inAnotherContext_fails() {
        SecretCipher.Sealed sealed = cipher.seal(VALUE.getBytes(StandardCharsets.UTF_8), "tenant-a:openai");

        assertThat(new String(cipher.open(sealed, "tenant-a:openai"), StandardCharsets.UTF_8)).isEqualTo(VALUE);
        assertThatThrownBy(() -> cipher.open(sealed, "tenant-b:openai")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> AesGcmSecretCipher.fromBase64("c2hvcnQ=")).hasMessageContaining("32 bytes");
    }
}
