package dev.skyloom.core.identity;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A user of a tenant; {@code passwordHash} is empty for users who sign in otherwise (the bootstrap admin).
 *
 * @param sessionsNotBefore refresh tokens issued before this instant no longer work (set by a password change)
 */
public record User(TenantId tenant, String userId, String email, String displayName, List<String> roles,
                   Optional<String> passwordHash, Instant createdAt, Optional<Instant> sessionsNotBefore) {
    public static final List<String> ROLES = List.of("tenant-admin", "editor", "viewer");

    public User {
        roles = List.copyOf(roles);
        sessionsNotBefore = sessionsNotBefore == null ? Optional.empty() : sessionsNotBefore;
    }

    public User(TenantId tenant, String userId, String email, String displayName, List<String> roles,
                Optional<String> passwordHash, Instant createdAt) {
        this(tenant, userId, email, displayName, roles, passwordHash, createdAt, Optional.empty());
    }

    /** The scopes one role grants. */
    public static Set<String> scopesOf(String role) {
        return new User(TenantId.DEFAULT, "-", "-", null, List.of(role), Optional.empty(), Instant.EPOCH).scopes();
    }

    /** The scopes a user's roles grant. */
    public Set<String> scopes() {
        Set<String> scopes = new TreeSet<>();
        for (String role : roles) {
            switch (role) {
                case "tenant-admin", "platform-admin" -> scopes.add("*");
                case "editor" -> scopes.addAll(List.of("*:read", "projects:*", "tasks:*", "agents:*", "skills:*",
                        "pipelines:*"));
                case "viewer" -> scopes.add("*:read");
                default -> {
                }
            }
        }
        return scopes;
    }

    @Override
    public String toString() {
        return "User[tenant=" + tenant + ", userId=" + userId + ", roles=" + roles + "]";
    }
}
