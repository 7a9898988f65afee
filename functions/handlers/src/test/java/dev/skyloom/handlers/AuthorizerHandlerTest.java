package dev.skyloom.handlers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skyloom.core.api.Page;
import dev.skyloom.core.identity.ApiKeys;
import dev.skyloom.core.identity.IdentityService;
import dev.skyloom.core.identity.IdentityStore;
import dev.skyloom.core.identity.StoredApiKey;
import dev.skyloom.core.identity.Tenant;
import dev.skyloom.core.identity.TenantId;
import dev.skyloom.core.identity.Tokens;
import dev.skyloom.core.identity.User;
import dev.skyloom.manifest.SkyloomResources;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The API Gateway authorizer, with the real {@link IdentityService}, {@link ApiKeys} and {@link Tokens} over an
 * in-memory {@link IdentityStore}: no network, no table.
 */
class AuthorizerHandlerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final String METHOD_ARN = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/api/v1/projects";
    private static final TenantId ACME = new TenantId("acme");

    /** The identity port, in memory. */
    static final class InMemoryIdentityStore implements IdentityStore {
        final Map<String, StoredApiKey> keys = new HashMap<>();

        @Override
        public Optional<StoredApiKey> findApiKey(String keyId) {
            return Optional.ofNullable(keys.get(keyId));
        }

        @Override
        public void touchApiKey(String keyId, Instant now, Instant ifBefore) {
        }

        @Override
        public void createApiKey(StoredApiKey key) {
            keys.put(key.keyId(), key);
        }

        @Override
        public Page<StoredApiKey> listApiKeys(TenantId tenant, Optional<Map<String, String>> cursor, int limit) {
            return new Page<>(List.of(), Optional.empty());
        }

        @Override
        public boolean revokeApiKey(TenantId tenant, String keyId, Instant now) {
            return false;
        }

        @Override
        public boolean createTenant(Tenant tenant, StoredApiKey adminKey) {
            return false;
        }

        @Override
        public Optional<Tenant> findTenant(TenantId tenant) {
            return Optional.empty();
        }
    }

    private final InMemoryIdentityStore store = new InMemoryIdentityStore();
    private final Tokens tokens = new Tokens(new byte[32], CLOCK);
    private final IdentityService identity = new IdentityService(store, CLOCK, () -> Optional.of(tokens),
            Optional.empty());
    private final AuthorizerHandler handler = new AuthorizerHandler(() -> identity);

    private String mintKey(List<String> scopes, Optional<Instant> revokedAt) {
        ApiKeys.Minted minted = ApiKeys.mint();
        store.createApiKey(new StoredApiKey(minted.keyId(), ACME, null, "ci", minted.secretHash(), scopes, false,
                NOW.minusSeconds(3600), Optional.empty(), revokedAt, Optional.empty()));
        return minted.token();
    }

    private JsonNode authorize(Map<String, String> headers) throws Exception {
        String event = JSON.writeValueAsString(Map.of("type", "REQUEST", "methodArn", METHOD_ARN,
                "headers", headers, "requestContext", Map.of("requestId", "req-1")));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), out, null);
        return JSON.readTree(out.toByteArray());
    }

    @Test
    void handleRequest_shouldAllowTheWholeStage_withThePrincipalAsContext_whenTheApiKeyIsValid() throws Exception {
        String token = mintKey(List.of("projects:read", "agents:*"), Optional.empty());

        JsonNode response = authorize(Map.of("Authorization", "Bearer " + token));

        String keyId = ApiKeys.parse(token).orElseThrow().keyId();
        assertThat(response.path("principalId").asText()).isEqualTo("key:" + keyId);
        JsonNode statement = response.at("/policyDocument/Statement/0");
        assertThat(statement.path("Effect").asText()).isEqualTo("Allow");
        assertThat(statement.path("Action").asText()).isEqualTo("execute-api:Invoke");
        assertThat(statement.path("Resource").asText())
                .isEqualTo("arn:aws:execute-api:us-east-1:123456789012:abc123/prod/*");
        assertThat(response.path("context").path("tenant").asText()).isEqualTo("acme");
        assertThat(response.path("context").path("keyId").asText()).isEqualTo(keyId);
        assertThat(response.path("context").path("scopes").asText()).isEqualTo("agents:* projects:read");
        assertThat(response.path("context").path("platformAdmin").asBoolean()).isFalse();
        assertThat(response.toString()).doesNotContain(token);
    }

    @Test
    void handleRequest_shouldAllow_whenTheAccessTokenIsValid_withALowerCaseHeader() throws Exception {
        String token = tokens.issue(new User(ACME, "u-1", "ada@example.com", "Ada", List.of("viewer"),
                Optional.empty(), NOW));

        JsonNode response = authorize(Map.of("authorization", "Bearer " + token));

        assertThat(response.path("principalId").asText()).isEqualTo("user:u-1");
        assertThat(response.path("context").path("tenant").asText()).isEqualTo("acme");
        assertThat(response.path("context").path("userId").asText()).isEqualTo("u-1");
        assertThat(response.path("context").path("scopes").asText()).isEqualTo("*:read");
    }

    @Test
    void handleRequest_shouldFailUnauthorized_withoutLoggingTheToken_whenTheKeyIsRevoked() {
        String token = mintKey(List.of("*"), Optional.of(NOW.minusSeconds(60)));

        try (CapturedOutput output = new CapturedOutput()) {
            assertThatThrownBy(() -> authorize(Map.of("Authorization", "Bearer " + token)))
                    .isInstanceOf(AuthorizerHandler.UnauthorizedException.class)
                    .hasMessage("Unauthorized");
            assertThat(output.text()).contains("authorizer refused requestId=req-1", "revoked")
                    .doesNotContain(token).doesNotContain(token.substring(token.lastIndexOf('_') + 1));
        }
    }

    @Test
    void handleRequest_shouldFailUnauthorized_whenTheHeaderIsMissingOrForged() {
        String token = mintKey(List.of("*"), Optional.empty());
        String forged = token.substring(0, token.length() - 2) + (token.endsWith("AA") ? "BB" : "AA");

        for (Map<String, String> headers : List.of(Map.<String, String>of(), Map.of("Authorization", "Basic abc"),
                Map.of("Authorization", "Bearer " + forged), Map.of("Authorization", "Bearer a.b.c"))) {
            assertThatThrownBy(() -> authorize(headers)).as(headers.toString()).hasMessage("Unauthorized");
        }
    }

    @Test
    void stageArn_shouldReject_whenTheMethodArnIsNotAnExecuteApiArn() {
        assertThatThrownBy(() -> AuthorizerHandler.stageArn("nonsense"))
                .hasMessageContaining("is not an execute-api method ARN");
    }

    @Test
    void publicRoutes_ofTheManifest_areExactlyTheRoutesThatTakeNoCredential() {
        var router = ApiRoutes.router(null);
        TreeSet<String> open = new TreeSet<>();
        router.routes().stream().filter(r -> r.isPublic()).forEach(r -> open.add(r.method() + " " + r.template()));

        assertThat(open).containsExactlyInAnyOrderElementsOf(SkyloomResources.PUBLIC_API_ROUTES);
    }
}
