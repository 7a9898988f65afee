package dev.skyloom.core.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ScopesTest {
    @Test
    void allows_exactWildcardResourceAndActionGrants() {
        assertThat(Scopes.allows(List.of("*"), "projects:write")).isTrue();
        assertThat(Scopes.allows(List.of("projects:write"), "projects:write")).isTrue();
        assertThat(Scopes.allows(List.of("projects:*"), "projects:delete")).isTrue();
        assertThat(Scopes.allows(List.of("*:read"), "agents:read")).isTrue();
        assertThat(Scopes.allows(List.of("projects:read"), "projects:write")).isFalse();
        assertThat(Scopes.allows(List.of("agents:*"), "projects:read")).isFalse();
        assertThat(Scopes.allows(List.of(), "projects:read")).isFalse();
    }

    @Test
    void valid_acceptsResourceActionForms_only() {
        assertThat(List.of("*", "projects:read", "agents:*", "*:read", "api-keys:create"))
                .allMatch(s -> Scopes.VALID.matcher(s).matches());
        assertThat(List.of("", "projects", "projects:", ":read", "Projects:read", "a:b:c"))
                .noneMatch(s -> Scopes.VALID.matcher(s).matches());
    }
}
