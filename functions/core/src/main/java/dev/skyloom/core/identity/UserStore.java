package dev.skyloom.core.identity;

import dev.skyloom.core.api.Page;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Storage of users and refresh tokens. */
public interface UserStore {

    /** Creates the user; false when the tenant has a user with that id or e-mail already. */
    boolean create(User user);

    Optional<User> find(TenantId tenant, String userId);

    /** The users with this e-mail, in any tenant (login by e-mail). */
    List<User> findByEmail(String email);

    Page<User> list(TenantId tenant, Optional<Map<String, String>> cursor, int limit);

    boolean delete(TenantId tenant, String userId);

    /** Replaces display name and roles; false when the user does not exist. */
    boolean update(TenantId tenant, String userId, String displayName, List<String> roles);

    /**
     * Replaces the password hash, conditioned on the hash still being {@code expectedHash} (a concurrent change
     * wins once), and sets {@code sessionsNotBefore}; false when the condition failed.
     */
    boolean changePassword(TenantId tenant, String userId, String expectedHash, String newHash,
                           Instant sessionsNotBefore);

    /** A stored refresh token: only the SHA-256 of its secret. */
    record RefreshToken(String tokenId, String secretHash, TenantId tenant, String userId, Instant expiresAt) {
    }

    void createRefreshToken(RefreshToken token);

    /** Marks the token used and answers it; empty when it does not exist or was used already (one use only). */
    Optional<RefreshToken> consumeRefreshToken(String tokenId, Instant now);
}
