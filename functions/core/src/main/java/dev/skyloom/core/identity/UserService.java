package dev.skyloom.core.identity;

import dev.skyloom.core.api.ApiError;
import dev.skyloom.core.api.Page;
import dev.skyloom.core.resources.Check;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Users with passwords (Argon2id), login and refresh. Login answers a short-lived access token (JWT) and a refresh
 * token {@code skr_<id>_<secret>} stored as a SHA-256 hash; a refresh token works once and is replaced by a new one.
 */
public final class UserService {
    public static final Duration REFRESH_LIFETIME = Duration.ofDays(30);
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s]{1,190}\\.[^@\\s]{1,63}");
    private static final Pattern REFRESH = Pattern.compile("skr_([0-9a-f]{16})_([A-Za-z0-9_-]{43})");
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Login attempts per e-mail address and minute, successful or not. */
    public static final int LOGIN_ATTEMPTS_PER_MINUTE = 10;
    private final UserStore store;
    private final Supplier<Tokens> tokens;
    private final Clock clock;
    private final dev.skyloom.core.ratelimit.RateCounter attempts;

    /**
     * @param tokens   throws (503) when the deployment cannot sign tokens
     * @param attempts counts login attempts per e-mail (guessing passwords is throttled)
     */
    public UserService(UserStore store, Supplier<Tokens> tokens, Clock clock,
                       dev.skyloom.core.ratelimit.RateCounter attempts) {
        this.store = store;
        this.tokens = tokens;
        this.clock = clock;
        this.attempts = attempts;
    }

    /** The body of {@code POST /users}. */
    public record NewUser(String email, String displayName, String password, List<String> roles) {
        @Override
        public String toString() {
            return "NewUser[email=" + email + ", password=<redacted>]";
        }
    }

    /** The body of {@code PUT /users/{userId}}: the display name (absent: none) and the roles. */
    public record UserUpdate(String displayName, List<String> roles) {
    }

    /** The body of {@code POST /me/password}. */
    public record PasswordChange(String currentPassword, String newPassword) {
        @Override
        public String toString() {
            return "PasswordChange[<redacted>]";
        }
    }

    /** The body of {@code POST /auth/login}. */
    public record Login(String email, String password, String tenantId) {
        @Override
        public String toString() {
            return "Login[email=" + email + ", password=<redacted>]";
        }
    }

    /** The body of {@code POST /auth/refresh}. */
    public record Refresh(String refreshToken) {
        @Override
        public String toString() {
            return "Refresh[refreshToken=<redacted>]";
        }
    }

    /** What login and refresh answer. */
    public record Session(String accessToken, long expiresIn, String refreshToken, User user) {
        @Override
        public String toString() {
            return "Session[user=" + user.userId() + ", tokens=<redacted>]";
        }
    }

    public User create(Principal caller, NewUser input) {
        Check check = new Check().required("email", input.email()).matches("email", input.email(), EMAIL,
                        "an e-mail address such as ada@example.com")
                .text("displayName", input.displayName(), false, 100)
                .required("password", input.password())
                .required("roles", input.roles());
        checkPassword(check, "password", input.password());
        checkRoles(check, input.roles());
        check.orThrow();
        requireGrantable(caller, input.roles());
        String email = input.email().toLowerCase(java.util.Locale.ROOT);
        User user = new User(caller.tenant(), "usr_" + HexFormat.of().formatHex(random(8)), email,
                input.displayName(), input.roles(), Optional.of(Passwords.hash(input.password())), clock.instant());
        if (!store.create(user)) {
            throw ApiError.conflict("Tenant " + caller.tenant() + " has a user with e-mail " + email + " already");
        }
        return user;
    }

    private static void checkPassword(Check check, String field, String password) {
        if (password != null && (password.length() < 12 || password.length() > 256)) {
            check.problem(field, "must be 12 to 256 characters");
        }
    }

    private static void checkRoles(Check check, List<String> roles) {
        if (roles != null) {
            if (roles.isEmpty()) {
                check.problem("roles", "must name at least one role: " + String.join(", ", User.ROLES));
            }
            for (int i = 0; i < roles.size(); i++) {
                check.oneOf("roles[" + i + "]", roles.get(i), User.ROLES);
            }
        }
    }

    /** A caller may give a user only roles whose scopes it holds itself (no escalation through users:write). */
    private static void requireGrantable(Principal caller, List<String> roles) {
        for (String role : roles) {
            for (String scope : User.scopesOf(role)) {
                if (!Scopes.canGrant(caller.scopes(), scope)) {
                    throw ApiError.forbidden("You cannot give the role " + role + ": it grants " + scope
                            + ", which you lack");
                }
            }
        }
    }

    /**
     * Replaces a user's display name and roles. A caller cannot change its own roles (a tenant would lose its last
     * admin that way) nor give roles beyond its own scopes. Access tokens already issued keep their scopes until
     * they expire (at most {@link Tokens#ACCESS_LIFETIME}); a refresh picks the new roles up.
     */
    public User update(Principal caller, String userId, UserUpdate input) {
        Check check = new Check().text("displayName", input.displayName(), false, 100).required("roles",
                input.roles());
        checkRoles(check, input.roles());
        check.orThrow();
        User current = get(caller, userId);
        if (userId.equals(caller.userId()) && !java.util.Set.copyOf(current.roles())
                .equals(java.util.Set.copyOf(input.roles()))) {
            throw ApiError.conflict("You cannot change your own roles; ask another tenant admin");
        }
        requireGrantable(caller, input.roles());
        if (!store.update(caller.tenant(), userId, input.displayName(), input.roles())) {
            throw ApiError.notFound("User " + userId);
        }
        return new User(current.tenant(), userId, current.email(), input.displayName(), input.roles(),
                current.passwordHash(), current.createdAt(), current.sessionsNotBefore());
    }

    /**
     * Changes the caller's own password after checking the current one (attempts are throttled with the login
     * attempts of the e-mail address). Every refresh token issued before the change stops working; access tokens
     * already issued expire on their own within {@link Tokens#ACCESS_LIFETIME}.
     */
    public void changePassword(Principal caller, PasswordChange change) {
        Check check = new Check().required("currentPassword", change.currentPassword())
                .text("currentPassword", change.currentPassword(), true, 256)
                .required("newPassword", change.newPassword());
        checkPassword(check, "newPassword", change.newPassword());
        check.orThrow();
        User user = store.find(caller.tenant(), caller.userId()).filter(u -> u.passwordHash().isPresent())
                .orElseThrow(() -> ApiError.conflict("This credential does not belong to a user with a password"));
        throttle(user.email(), "password attempts");
        if (!Passwords.verify(change.currentPassword(), user.passwordHash().get())) {
            throw ApiError.forbidden("The current password is wrong");
        }
        if (!store.changePassword(caller.tenant(), user.userId(), user.passwordHash().get(),
                Passwords.hash(change.newPassword()), clock.instant())) {
            throw ApiError.conflict("The password was changed concurrently; log in again");
        }
    }

    private void throttle(String email, String what) {
        Instant now = clock.instant();
        long window = now.getEpochSecond() - Math.floorMod(now.getEpochSecond(), 60);
        if (attempts.increment("LOGIN#" + email, window, Instant.ofEpochSecond(window).plus(Duration.ofMinutes(10)))
                > LOGIN_ATTEMPTS_PER_MINUTE) {
            long retryAfter = Math.max(1, window + 60 - now.getEpochSecond());
            throw ApiError.tooManyRequests("Too many " + what + " for this e-mail; retry after " + retryAfter
                    + " s", retryAfter);
        }
    }

    public User get(Principal caller, String userId) {
        return store.find(caller.tenant(), userId).orElseThrow(() -> ApiError.notFound("User "
                + (userId.length() > 64 ? userId.substring(0, 64) : userId)));
    }

    public Page<User> list(Principal caller, Optional<Map<String, String>> cursor, int limit) {
        return store.list(caller.tenant(), cursor, limit);
    }

    public void delete(Principal caller, String userId) {
        get(caller, userId);
        if (userId.equals(caller.userId())) {
            throw ApiError.conflict("You cannot delete yourself");
        }
        if (!store.delete(caller.tenant(), userId)) {
            throw ApiError.notFound("User " + (userId.length() > 64 ? userId.substring(0, 64) : userId));
        }
    }

    public Session login(Login login) {
        new Check().required("email", login.email()).text("email", login.email(), true, 320)
                .required("password", login.password()).text("password", login.password(), true, 256).orThrow();
        String email = login.email().toLowerCase(java.util.Locale.ROOT);
        throttle(email, "login attempts");
        List<User> candidates = store.findByEmail(email).stream()
                .filter(u -> login.tenantId() == null || u.tenant().value().equals(login.tenantId())).toList();
        if (candidates.size() > 1) {
            throw ApiError.invalidField("tenantId", "is required: this e-mail belongs to users of several tenants");
        }
        Optional<User> user = candidates.stream().findFirst().filter(u -> u.passwordHash().isPresent());
        if (user.isEmpty()) {
            Passwords.verifyNothing(login.password());
            throw ApiError.unauthorized("Wrong e-mail or password");
        }
        if (!Passwords.verify(login.password(), user.get().passwordHash().get())) {
            throw ApiError.unauthorized("Wrong e-mail or password");
        }
        return session(user.get());
    }

    public Session refresh(Refresh refresh) {
        new Check().required("refreshToken", refresh.refreshToken()).orThrow();
        Matcher m = REFRESH.matcher(refresh.refreshToken());
        if (!m.matches()) {
            throw ApiError.unauthorized("The refresh token is not valid");
        }
        Instant now = clock.instant();
        UserStore.RefreshToken stored = store.consumeRefreshToken(m.group(1), now)
                .filter(t -> MessageDigest.isEqual(HexFormat.of().parseHex(t.secretHash()),
                        HexFormat.of().parseHex(sha256(m.group(2)))))
                .filter(t -> t.expiresAt().isAfter(now))
                .orElseThrow(() -> ApiError.unauthorized("The refresh token is not valid, expired or used already; "
                        + "log in again"));
        User user = store.find(stored.tenant(), stored.userId())
                .orElseThrow(() -> ApiError.unauthorized("The user of this refresh token no longer exists"));
        Instant issuedAt = stored.expiresAt().minus(REFRESH_LIFETIME);
        if (user.sessionsNotBefore().filter(issuedAt::isBefore).isPresent()) {
            throw ApiError.unauthorized("The password was changed after this refresh token was issued; log in again");
        }
        return session(user);
    }

    private Session session(User user) {
        Tokens signer = tokens.get();
        String tokenId = HexFormat.of().formatHex(random(8));
        String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(random(32));
        store.createRefreshToken(new UserStore.RefreshToken(tokenId, sha256(secret), user.tenant(), user.userId(),
                clock.instant().plus(REFRESH_LIFETIME)));
        return new Session(signer.issue(user), Tokens.ACCESS_LIFETIME.toSeconds(), "skr_" + tokenId + "_" + secret,
                user);
    }

    private static byte[] random(int n) {
        byte[] bytes = new byte[n];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
