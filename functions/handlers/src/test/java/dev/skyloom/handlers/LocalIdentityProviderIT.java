package dev.skyloom.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.skyloom.local.cloud.LocalCloud;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * External (Cognito-shaped) access tokens, locally: the local cloud's identity provider signs them, serves its JWKS
 * on the edge, and the API function trusts it through its configuration ({@code SKYLOOM_JWKS_URL}, ...). A token from
 * it authenticates on :8080; a forged, expired, wrong-client or wrong-issuer one is a 401.
 */
class LocalIdentityProviderIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dataDir;

    @Test
    void aTokenOfTheLocalIssuer_authenticates_andForgedExpiredOrForeignOnesAre401() throws Exception {
        try (LocalCloud cloud = PlatformIT.start(dataDir)) {
            ApiClient api = new ApiClient(cloud.apiEndpoint().orElseThrow());
            api.newTenant(Files.readString(dataDir.resolve("admin.key")).trim(), "acme");
            URI idp = cloud.edgeEndpoint().resolve("/_skyloom/idp/");

            JsonNode discovery = get(idp.resolve(".well-known/openid-configuration"));
            String issuer = discovery.path("issuer").asText();
            assertThat(discovery.path("jwks_uri").asText()).isEqualTo(issuer + "/jwks.json");
            assertThat(get(URI.create(discovery.path("jwks_uri").asText())).path("keys").get(0).path("kty").asText())
                    .isEqualTo("RSA");

            HttpResponse<String> issued = HTTP.send(HttpRequest.newBuilder(idp.resolve("token"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"sub\":\"dev-ada\",\"tenant\":\"acme\","
                            + "\"scope\":\"projects:read projects:write\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(issued.statusCode()).as(issued.body()).isEqualTo(200);
            String token = ApiClient.JSON.readTree(issued.body()).path("access_token").asText();

            ApiClient.Response me = api.get("/api/v1/me", token);
            assertThat(me.status()).as(me.toString()).isEqualTo(200);
            assertThat(me.json().path("tenantId").asText()).isEqualTo("acme");
            assertThat(me.json().path("userId").asText()).isEqualTo("dev-ada");
            assertThat(me.json().path("keyId").asText()).isEqualTo("jwt:dev-ada");
            assertThat(api.post("/api/v1/projects", token, "{\"name\":\"From the IdP\"}").status()).isEqualTo(201);
            assertThat(api.post("/api/v1/agents", token, "{\"name\":\"A\",\"model\":{\"provider\":\"scripted\","
                    + "\"modelId\":\"echo\"}}").status()).isEqualTo(403);

            PrivateKey idpKey = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(
                    Base64.getDecoder().decode(Files.readString(dataDir.resolve("keys/idp-rs256.pk8")).strip())));
            String kid = SignedJWT.parse(token).getHeader().getKeyID();
            Instant now = Instant.now();
            JWTClaimsSet.Builder valid = new JWTClaimsSet.Builder().issuer(issuer).subject("dev-ada")
                    .claim("client_id", "skyloom-local").claim("token_use", "access").claim("custom:tenant", "acme")
                    .claim("scope", "projects:read").expirationTime(Date.from(now.plusSeconds(300)));
            assertThat(api.get("/api/v1/me", sign(valid.build(), idpKey, kid)).status())
                    .as("a well-formed token signed by the IdP").isEqualTo(200);

            PrivateKey forger = KeyPairGenerator.getInstance("RSA").generateKeyPair().getPrivate();
            assertUnauthenticated(api, sign(valid.build(), forger, kid), "forged");
            assertUnauthenticated(api, sign(new JWTClaimsSet.Builder(valid.build())
                    .expirationTime(Date.from(now.minusSeconds(60))).build(), idpKey, kid), "expired");
            assertUnauthenticated(api, sign(new JWTClaimsSet.Builder(valid.build())
                    .claim("client_id", "another-app").build(), idpKey, kid), "wrong client");
            assertUnauthenticated(api, sign(new JWTClaimsSet.Builder(valid.build())
                    .issuer("https://evil.example.com").build(), idpKey, kid), "wrong issuer");
            assertUnauthenticated(api, sign(new JWTClaimsSet.Builder(valid.build())
                    .claim("token_use", "id").build(), idpKey, kid), "an id token");
        }
    }

    private static void assertUnauthenticated(ApiClient api, String token, String what) {
        ApiClient.Response response = api.get("/api/v1/me", token);
        assertThat(response.status()).as(what + ": " + response).isEqualTo(401);
        assertThat(response.json().path("error").path("code").asText()).isEqualTo("UNAUTHENTICATED");
    }

    private static String sign(JWTClaimsSet claims, PrivateKey key, String kid) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(kid).build(), claims);
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    private static JsonNode get(URI uri) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(uri + ": " + response.body()).isEqualTo(200);
        return ApiClient.JSON.readTree(response.body());
    }
}
