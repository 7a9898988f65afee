package dev.skyloom.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyloom.local.cloud.LocalCloud;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Users with passwords: login, JWT access tokens on every route, one-use refresh tokens. */
class LoginIT {
    @TempDir
    Path dataDir;

    @Test
    void user_logsIn_usesTheAccessToken_andRefreshesOnce() throws Exception {
        String password = "correct horse battery staple";
        try (CapturedOutput output = new CapturedOutput(); LocalCloud cloud = PlatformIT.start(dataDir)) {
            ApiClient api = new ApiClient(cloud.apiEndpoint().orElseThrow());
            String admin = api.newTenant(Files.readString(dataDir.resolve("admin.key")).trim(), "acme");
            ApiClient.Response user = api.post("/api/v1/users", admin, "{\"email\":\"Ada@Example.com\","
                    + "\"displayName\":\"Ada\",\"password\":\"" + password + "\",\"roles\":[\"editor\"]}");
            assertThat(user.status()).as(user.toString()).isEqualTo(201);
            assertThat(user.raw().body()).doesNotContain(password).doesNotContain("argon2");
            assertThat(api.post("/api/v1/users", admin, "{\"email\":\"ada@example.com\",\"password\":\"" + password
                    + "\",\"roles\":[\"viewer\"]}").status()).isEqualTo(409);
            ApiClient.Response weak = api.post("/api/v1/users", admin,
                    "{\"email\":\"bob@example.com\",\"password\":\"short\",\"roles\":[\"root\"]}");
            assertThat(weak.status()).isEqualTo(400);
            assertThat(weak.json().path("error").path("details").findValuesAsText("field"))
                    .contains("password", "roles[0]");

            ApiClient.Response login = api.post("/api/v1/auth/login", null,
                    "{\"email\":\"ada@example.com\",\"password\":\"" + password + "\"}");
            assertThat(login.status()).as(login.toString()).isEqualTo(200);
            String access = login.json().path("accessToken").asText();
            String refresh = login.json().path("refreshToken").asText();
            assertThat(access.split("\\.")).hasSize(3);

            ApiClient.Response me = api.get("/api/v1/me", access);
            assertThat(me.json().path("tenantId").asText()).isEqualTo("acme");
            assertThat(me.json().path("userId").asText()).isEqualTo(user.json().path("id").asText());
            assertThat(api.post("/api/v1/projects", access, "{\"name\":\"By Ada\"}").status()).isEqualTo(201);
            assertThat(api.post("/api/v1/api-keys", access, "{\"name\":\"k\",\"scopes\":[\"*\"]}").status())
                    .isEqualTo(403);
            assertThat(api.get("/api/v1/me", access.substring(0, access.length() - 3) + "abc").status())
                    .isEqualTo(401);

            ApiClient.Response wrong = api.post("/api/v1/auth/login", null,
                    "{\"email\":\"ada@example.com\",\"password\":\"wrong password!!\"}");
            assertThat(wrong.status()).isEqualTo(401);
            assertThat(api.post("/api/v1/auth/login", null,
                    "{\"email\":\"nobody@example.com\",\"password\":\"whatever-it-is\"}").status()).isEqualTo(401);

            ApiClient.Response refreshed = api.post("/api/v1/auth/refresh", null,
                    "{\"refreshToken\":\"" + refresh + "\"}");
            assertThat(refreshed.status()).as(refreshed.toString()).isEqualTo(200);
            assertThat(refreshed.json().path("refreshToken").asText()).isNotEqualTo(refresh);
            assertThat(api.get("/api/v1/projects", refreshed.json().path("accessToken").asText()).status())
                    .isEqualTo(200);
            assertThat(api.post("/api/v1/auth/refresh", null, "{\"refreshToken\":\"" + refresh + "\"}").status())
                    .isEqualTo(401);
            // the limit counts per clock minute: 21 guesses in under a minute span at most two windows, so one of
            // them sees at least 11 (> 10) whatever second the loop starts at
            List<Integer> guesses = new ArrayList<>();
            for (int i = 0; i < 21; i++) {
                guesses.add(api.post("/api/v1/auth/login", null,
                        "{\"email\":\"victim@example.com\",\"password\":\"guess number " + i + "\"}").status());
            }
            assertThat(guesses).contains(429).allMatch(status -> status == 401 || status == 429);
            assertThat(output.text()).doesNotContain(password).doesNotContain(refresh.substring(21));
        }
    }

    @Test
    void admin_updatesAUser_andAPasswordChange_revokesTheUsersRefreshTokens() throws Exception {
        String password = "correct horse battery staple";
        String newPassword = "a completely new passphrase";
        try (CapturedOutput output = new CapturedOutput(); LocalCloud cloud = PlatformIT.start(dataDir)) {
            ApiClient api = new ApiClient(cloud.apiEndpoint().orElseThrow());
            String admin = api.newTenant(Files.readString(dataDir.resolve("admin.key")).trim(), "acme");
            String userId = api.post("/api/v1/users", admin, "{\"email\":\"ada@example.com\",\"displayName\":"
                    + "\"Ada\",\"password\":\"" + password + "\",\"roles\":[\"viewer\"]}").json().path("id").asText();

            ApiClient.Response updated = api.send("PUT", "/api/v1/users/" + userId, admin,
                    "{\"displayName\":\"Ada Lovelace\",\"roles\":[\"editor\"]}");
            assertThat(updated.status()).as(updated.toString()).isEqualTo(200);
            assertThat(updated.json().path("displayName").asText()).isEqualTo("Ada Lovelace");
            assertThat(api.get("/api/v1/users/" + userId, admin).json().path("roles").get(0).asText())
                    .isEqualTo("editor");
            assertThat(api.send("PUT", "/api/v1/users/" + userId, admin, "{\"roles\":[\"root\"]}").status())
                    .isEqualTo(400);

            ApiClient.Response login = api.post("/api/v1/auth/login", null,
                    "{\"email\":\"ada@example.com\",\"password\":\"" + password + "\"}");
            String access = login.json().path("accessToken").asText();
            String refresh = login.json().path("refreshToken").asText();
            assertThat(api.post("/api/v1/projects", access, "{\"name\":\"as editor\"}").status()).isEqualTo(201);
            // an editor cannot change users, nor their own roles
            assertThat(api.send("PUT", "/api/v1/users/" + userId, access, "{\"roles\":[\"tenant-admin\"]}")
                    .status()).isEqualTo(403);

            ApiClient.Response wrong = api.post("/api/v1/me/password", access,
                    "{\"currentPassword\":\"not my password\",\"newPassword\":\"" + newPassword + "\"}");
            assertThat(wrong.status()).as(wrong.toString()).isEqualTo(403);
            ApiClient.Response changed = api.post("/api/v1/me/password", access,
                    "{\"currentPassword\":\"" + password + "\",\"newPassword\":\"" + newPassword + "\"}");
            assertThat(changed.status()).as(changed.toString()).isEqualTo(204);

            ApiClient.Response revoked = api.post("/api/v1/auth/refresh", null, "{\"refreshToken\":\"" + refresh
                    + "\"}");
            assertThat(revoked.status()).isEqualTo(401);
            assertThat(revoked.json().path("error").path("message").asText()).contains("password was changed");
            assertThat(api.post("/api/v1/auth/login", null, "{\"email\":\"ada@example.com\",\"password\":\""
                    + password + "\"}").status()).isEqualTo(401);
            ApiClient.Response again = api.post("/api/v1/auth/login", null, "{\"email\":\"ada@example.com\","
                    + "\"password\":\"" + newPassword + "\"}");
            assertThat(again.status()).isEqualTo(200);
            assertThat(api.post("/api/v1/auth/refresh", null, "{\"refreshToken\":\""
                    + again.json().path("refreshToken").asText() + "\"}").status()).isEqualTo(200);
            assertThat(api.post("/api/v1/me/password", admin, "{\"currentPassword\":\"whatever it is\","
                    + "\"newPassword\":\"" + newPassword + "\"}").status()).isEqualTo(409);
            assertThat(output.text()).doesNotContain(password).doesNotContain(newPassword);
        }
    }
}
