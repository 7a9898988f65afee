package dev.skyloom.core.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class PrincipalTest {
    private static final TenantId ACME = new TenantId("acme");

    @Test
    void boundByProjectRoles_peopleAreBound_adminsAndProgramKeysAreNot() {
        Set<String> editor = Set.of("*:read", "projects:*", "tasks:*");

        assertThat(new Principal(ACME, "user:usr_1", "usr_1", editor, false).boundByProjectRoles()).isTrue();
        assertThat(new Principal(ACME, "jwt:abc-sub", "abc-sub", editor, false).boundByProjectRoles()).isTrue();
        assertThat(new Principal(ACME, "0123456789abcdef", "usr_1", editor, false).boundByProjectRoles()).isTrue();
        assertThat(new Principal(ACME, "user:usr_1", "usr_1", Set.of("*"), false).boundByProjectRoles()).isFalse();
        assertThat(new Principal(ACME, "0123456789abcdef", "admin", editor, false).boundByProjectRoles()).isFalse();
        assertThat(new Principal(TenantId.DEFAULT, "k0", "admin", Set.of("*"), true).boundByProjectRoles())
                .isFalse();
        assertThat(new Principal(ACME, "0123456789abcdef", "usr_1", editor, false, java.util.OptionalInt.empty(),
                false).boundByProjectRoles()).as("a key that records no binding").isFalse();
        assertThat(new Principal(ACME, "0123456789abcdef", "admin", Set.of("*"), false,
                java.util.OptionalInt.empty(), true).boundByProjectRoles()).as("never with *").isFalse();
    }
}
