package dev.skyloom.core.secrets;

import dev.skyloom.core.api.ApiError;
import dev.skyloom.core.api.Page;
import dev.skyloom.core.identity.Principal;
import dev.skyloom.core.identity.TenantId;
import dev.skyloom.core.resources.AgentService;
import dev.skyloom.core.resources.Check;
import dev.skyloom.core.resources.Documents;
import dev.skyloom.core.resources.Stored;
import dev.skyloom.core.store.DocumentStore;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * Secrets of a tenant, keyed by name: values sealed with the {@link SecretCipher} before they are stored, never
 * returned by the API; granted to agents, which alone may read a value ({@link #reveal}).
 */
public final class SecretService {
    static final String COLLECTION = "SECRET";
    private static final int MAX_VALUE_BYTES = 32 * 1024;
    private final Documents<Secret> documents;
    private final Supplier<SecretCipher> cipher;
    private final AgentService agents;
    private final Clock clock;

    /** {@code cipher} throws (503) when the deployment has no secrets key. */
    public SecretService(DocumentStore store, Clock clock, Supplier<SecretCipher> cipher, AgentService agents) {
        this.documents = new Documents<>(store, clock, "Secret", Secret.class);
        this.cipher = cipher;
        this.agents = agents;
        this.clock = clock;
    }

    private static String context(TenantId tenant, String name) {
        return "skyloom-secret:" + tenant.value() + ":" + name;
    }

    public Stored<Secret> create(Principal caller, Secret.Input input) {
        new Check().required("name", input.name())
                .matches("name", input.name(), Check.SLUG, "1-64 characters of a-z, 0-9, '_' and '-'")
                .text("description", input.description(), false, 1000)
                .orThrow();
        checkValue(input.value());
        Secret sealed = seal(caller.tenant(), input.name(), input.value(), input.description(), List.of());
        return documents.create(caller.tenant(), COLLECTION, input.name(), sealed);
    }

    public Stored<Secret> get(Principal caller, String name) {
        return documents.get(caller.tenant(), COLLECTION, name);
    }

    public Page<Stored<Secret>> list(Principal caller, Optional<Map<String, String>> cursor, int limit) {
        return documents.list(caller.tenant(), COLLECTION, cursor, limit);
    }

    public Stored<Secret> rotate(Principal caller, String name, Secret.Rotation rotation, OptionalLong ifMatch) {
        checkValue(rotation.value());
        return documents.update(caller.tenant(), COLLECTION, name, ifMatch, current -> seal(caller.tenant(), name,
                rotation.value(), current.description(), current.grantedTo()));
    }

    public void delete(Principal caller, String name, OptionalLong ifMatch) {
        documents.delete(caller.tenant(), COLLECTION, name, ifMatch);
    }

    public Stored<Secret> grant(Principal caller, String name, String agentId, OptionalLong ifMatch) {
        documents.get(caller.tenant(), COLLECTION, name);
        if (!agents.exists(caller, agentId)) {
            throw ApiError.notFound("Agent " + (agentId.length() > 64 ? agentId.substring(0, 64) : agentId));
        }
        return documents.update(caller.tenant(), COLLECTION, name, ifMatch, current -> {
            List<String> granted = new ArrayList<>(current.grantedTo());
            if (!granted.contains(agentId)) {
                granted.add(agentId);
            }
            return new Secret(current.description(), granted, current.keyId(), current.nonce(),
                    current.ciphertext(), current.rotatedAt());
        });
    }

    public Stored<Secret> revoke(Principal caller, String name, String agentId, OptionalLong ifMatch) {
        return documents.update(caller.tenant(), COLLECTION, name, ifMatch, current -> {
            List<String> granted = new ArrayList<>(current.grantedTo());
            if (!granted.remove(agentId)) {
                throw ApiError.notFound("Grant of secret " + name + " to that agent");
            }
            return new Secret(current.description(), granted, current.keyId(), current.nonce(),
                    current.ciphertext(), current.rotatedAt());
        });
    }

    /** The value, for the agent runtime: only for an agent the secret is granted to. */
    public String reveal(TenantId tenant, String name, String agentId) {
        Secret secret = documents.get(tenant, COLLECTION, name).doc();
        if (!secret.grantedTo().contains(agentId)) {
            throw ApiError.forbidden("Secret " + name + " is not granted to agent " + agentId);
        }
        byte[] plain = cipher.get().open(new SecretCipher.Sealed(secret.keyId(),
                Base64.getDecoder().decode(secret.nonce()), Base64.getDecoder().decode(secret.ciphertext())),
                context(tenant, name));
        return new String(plain, StandardCharsets.UTF_8);
    }

    private Secret seal(TenantId tenant, String name, String value, String description, List<String> grants) {
        SecretCipher.Sealed sealed = cipher.get().seal(value.getBytes(StandardCharsets.UTF_8), context(tenant, name));
        return new Secret(description, grants, sealed.keyId(), Base64.getEncoder().encodeToString(sealed.nonce()),
                Base64.getEncoder().encodeToString(sealed.ciphertext()), clock.instant().toString());
    }

    private static void checkValue(String value) {
        if (value == null || value.isEmpty()) {
            throw ApiError.invalidField("value", "is required: a non-empty string");
        }
        if (value.getBytes(StandardCharsets.UTF_8).length > MAX_VALUE_BYTES) {
            throw ApiError.invalidField("value", "must be at most " + MAX_VALUE_BYTES + " bytes");
        }
    }
}
