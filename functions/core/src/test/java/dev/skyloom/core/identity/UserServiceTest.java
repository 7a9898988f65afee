package dev.skyloom.core.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.skyloom.core.api.ApiError;
import dev.skyloom.core.api.Page;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UserServiceTest {
    private static final String PASSWORD = "correct horse battery staple";

    /** An in-memory {@link UserStore} for unit tests. */
    static final class FakeUsers implements UserStore {
        final Map<String, User> users = new HashMap<>();
        final Map<String, RefreshToken> refresh = new HashMap<>();
        final Map<String, Boolean> used = new HashMap<>();

        @Override
        public boolean create(User user) {
            if (users.values().stream().anyMatch(u -> u.tenant().equals(user.tenant())
                    && u.email().equals(user.email()))) {
                return false;
            }
            users.put(user.tenant() + "/" + user.userId(), user);
            return true;
        }

        @Override
        public Optional<User> find(TenantId tenant, String userId) {
            return Optional.ofNullable(users.get(tenant + "/" + userId));
        }

        @Override
        public List<User> findByEmail(String email) {
            return users.values().stream().filter(u -> u.email().equals(email)).toList();
        }

        @Override
        public Page<User> list(TenantId tenant, Optional<Map<String, String>> cursor, int limit) {
            return new Page<>(users.values().stream().filter(u -> u.tenant().equals(tenant)).toList(),
                    Optional.empty());
        }

        @Override
        public boolean delete(TenantId tenant, String userId) {
            return users.remove(tenant + "/" + userId) != null;
        }

        @Override
        public boolean update(TenantId tenant, String userId, String displayName, List<String> roles) {
            User u = users.get(tenant + "/" + userId);
            if (u == null) {
                return false;
            }
            users.put(tenant + "/" + userId, new User(tenant, userId, u.email(), displayName, roles, u.passwordHash(),
                    u.createdAt(), u.sessionsNotBefore()));
            return true;
        }

        @Override
        public boolean changePassword(TenantId tenant, String userId, String expectedHash, String newHash,
                                      Instant sessionsNotBefore) {
            User u = users.get(tenant + "/" + userId);
            if (u == null || !u.passwordHash().equals(Optional.of(expectedHash))) {
                return false;
            }
            users.put(tenant + "/" + userId, new User(tenant, userId, u.email(), u.displayName(), u.roles(),
                    Optional.of(newHash), u.createdAt(), Optional.of(sessionsNotBefore)));
            return true;
        }

        @Override
        public void createRefreshToken(RefreshToken token) {
            refresh.put(token.tokenId(), token);
        }

        @Override
        public Optional<RefreshToken> consumeRefreshToken(String tokenId, Instant now) {
            if (!refresh.containsKey(tokenId) || used.putIfAbsent(tokenId, true) != null) {
                return Optional.empty();
            }
            return Optional.of(refresh.get(tokenId));
        }
    }

    private final FakeUsers store = new FakeUsers();
    private final Map<String, Long> attempts = new HashMap<>();
    private final Clock clock = Clock.fixed(Instant.parse("2026-11-21T10:00:00Z"), ZoneOffset.UTC);
    private final UserService users = new UserService(store, () -> new Tokens(new byte[32], clock), clock,
            (bucket, window, expires) -> attempts.merge(bucket, 1L, Long::sum));
    private final Principal admin = new Principal(new TenantId("acme"), "k", "admin", Set.of("*"), false);

    private static int status(Runnable call) {
        return catchThrowableOfType(ApiError.class, call::run).status();
    }

    @Test
    void login_thenRefreshOnce_andTheOldRefreshTokenIsDead() {
        users.create(admin, new UserService.NewUser("Ada@Example.com", "Ada", PASSWORD, List.of("editor")));

        UserService.Session session = users.login(new UserService.Login("ada@example.com", PASSWORD, null));
        UserService.Session next = users.refresh(new UserService.Refresh(session.refreshToken()));

        assertThat(next.user().email()).isEqualTo("ada@example.com");
        assertThat(status(() -> users.refresh(new UserService.Refresh(session.refreshToken())))).isEqualTo(401);
        assertThat(status(() -> users.refresh(new UserService.Refresh("skr_0000000000000000_" + "A".repeat(43)))))
                .isEqualTo(401);
        assertThat(session.toString()).doesNotContain(session.refreshToken()).doesNotContain(session.accessToken());
    }

    @Test
    void login_wrongPasswordOrUnknownUser_is401_andGuessingIsThrottled() {
        users.create(admin, new UserService.NewUser("ada@example.com", null, PASSWORD, List.of("viewer")));

        assertThat(status(() -> users.login(new UserService.Login("ada@example.com", "wrong", null)))).isEqualTo(401);
        assertThat(status(() -> users.login(new UserService.Login("nobody@example.com", "x", null)))).isEqualTo(401);
        for (int i = 0; i < 9; i++) {
            status(() -> users.login(new UserService.Login("ada@example.com", "wrong", null)));
        }
        ApiError throttled = catchThrowableOfType(ApiError.class,
                () -> users.login(new UserService.Login("ada@example.com", PASSWORD, null)));
        assertThat(throttled.status()).isEqualTo(429);
        assertThat(throttled.headers()).containsKey("Retry-After");
    }

    @Test
    void create_duplicateEmailWeakPasswordOrUnknownRole_isRejected_andThePasswordIsStoredHashed() {
        User ada = users.create(admin, new UserService.NewUser("ada@example.com", null, PASSWORD, List.of("viewer")));

        assertThat(ada.passwordHash().orElseThrow()).startsWith("$argon2id$").doesNotContain(PASSWORD);
        assertThat(status(() -> users.create(admin, new UserService.NewUser("ADA@example.com", null, PASSWORD,
                List.of("viewer"))))).isEqualTo(409);
        ApiError weak = catchThrowableOfType(ApiError.class, () -> users.create(admin,
                new UserService.NewUser("not-an-email", null, "short", List.of("root"))));
        assertThat(weak.details()).extracting(ApiError.Detail::field).contains("email", "password", "roles[0]");
        assertThat(status(() -> users.delete(admin, "usr_missing"))).isEqualTo(404);
    }

    @Test
    void changePassword_withTheCurrentPassword_revokesEveryRefreshTokenIssuedBefore() {
        User ada = users.create(admin, new UserService.NewUser("ada@example.com", null, PASSWORD, List.of("editor")));
        Principal asAda = new Principal(new TenantId("acme"), "user:" + ada.userId(), ada.userId(),
                ada.scopes(), false);
        UserService.Session before = users.login(new UserService.Login("ada@example.com", PASSWORD, null));

        assertThat(status(() -> users.changePassword(asAda, new UserService.PasswordChange("wrong password!",
                "a brand new password")))).isEqualTo(403);
        ApiError weak = catchThrowableOfType(ApiError.class, () -> users.changePassword(asAda,
                new UserService.PasswordChange(PASSWORD, "short")));
        assertThat(weak.details()).extracting(ApiError.Detail::field).containsExactly("newPassword");
        Clock later = Clock.offset(clock, java.time.Duration.ofSeconds(5));
        UserService afterwards = new UserService(store, () -> new Tokens(new byte[32], later), later,
                (bucket, window, expires) -> 1L);
        afterwards.changePassword(asAda, new UserService.PasswordChange(PASSWORD, "a brand new password"));

        ApiError revoked = catchThrowableOfType(ApiError.class,
                () -> afterwards.refresh(new UserService.Refresh(before.refreshToken())));
        assertThat(revoked.status()).isEqualTo(401);
        assertThat(revoked.getMessage()).contains("password was changed");
        assertThat(status(() -> afterwards.login(new UserService.Login("ada@example.com", PASSWORD, null))))
                .isEqualTo(401);
        UserService.Session fresh = afterwards.login(new UserService.Login("ada@example.com", "a brand new password",
                null));
        assertThat(afterwards.refresh(new UserService.Refresh(fresh.refreshToken())).user().userId())
                .isEqualTo(ada.userId());
        assertThat(status(() -> users.changePassword(admin, new UserService.PasswordChange(PASSWORD,
                "a brand new password")))).isEqualTo(409);
    }

    @Test
    void update_changesNameAndRoles_butNotOwnRoles_norBeyondTheCallersScopes() {
        User ada = users.create(admin, new UserService.NewUser("ada@example.com", "Ada", PASSWORD, List.of("viewer")));

        User updated = users.update(admin, ada.userId(), new UserService.UserUpdate("Ada L.", List.of("editor")));

        assertThat(updated.displayName()).isEqualTo("Ada L.");
        assertThat(users.get(admin, ada.userId()).roles()).containsExactly("editor");
        assertThat(status(() -> users.update(admin, "usr_missing", new UserService.UserUpdate(null,
                List.of("viewer"))))).isEqualTo(404);
        ApiError bad = catchThrowableOfType(ApiError.class, () -> users.update(admin, ada.userId(),
                new UserService.UserUpdate(null, List.of("root"))));
        assertThat(bad.details()).extracting(ApiError.Detail::field).containsExactly("roles[0]");
        Principal userAdmin = new Principal(new TenantId("acme"), "k2", "usr_self", Set.of("users:*", "*:read"),
                false);
        assertThat(status(() -> users.update(userAdmin, ada.userId(), new UserService.UserUpdate(null,
                List.of("tenant-admin"))))).isEqualTo(403);
        assertThat(status(() -> users.create(userAdmin, new UserService.NewUser("eve@example.com", null, PASSWORD,
                List.of("tenant-admin"))))).isEqualTo(403);
        Principal asAda = new Principal(new TenantId("acme"), "user:" + ada.userId(), ada.userId(), Set.of("*"),
                false);
        assertThat(status(() -> users.update(asAda, ada.userId(), new UserService.UserUpdate("Ada",
                List.of("tenant-admin"))))).isEqualTo(409);
    }
}
