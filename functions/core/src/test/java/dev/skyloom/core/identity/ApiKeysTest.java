package dev.skyloom.core.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ApiKeysTest {

    @Test
    void mint_producesAParsableTokenWhoseSecretVerifiesAgainstTheStoredHash() {
        ApiKeys.Minted minted = ApiKeys.mint();

        ApiKeys.Presented presented = ApiKeys.parse(minted.token()).orElseThrow();

        assertThat(minted.token()).matches("sky_[0-9a-f]{16}_[A-Za-z0-9_-]{43}");
        assertThat(presented.keyId()).isEqualTo(minted.keyId());
        assertThat(ApiKeys.verify(presented, minted.secretHash())).isTrue();
        assertThat(minted.secretHash()).doesNotContain(presented.secret()).hasSize(64);
    }

    @Test
    void verify_shouldFail_whenTheSecretDiffersByOneCharacter() {
        ApiKeys.Minted minted = ApiKeys.mint();
        ApiKeys.Presented presented = ApiKeys.parse(minted.token()).orElseThrow();
        char last = presented.secret().charAt(42);
        String tampered = presented.secret().substring(0, 42) + (last == 'A' ? 'B' : 'A');

        assertThat(ApiKeys.verify(new ApiKeys.Presented(presented.keyId(), tampered), minted.secretHash())).isFalse();
    }

    @Test
    void parse_rejectsAnythingNotShapedLikeAKey() {
        assertThat(ApiKeys.parse(null)).isEmpty();
        assertThat(ApiKeys.parse("")).isEmpty();
        assertThat(ApiKeys.parse("Bearer sky_x")).isEmpty();
        assertThat(ApiKeys.parse("sky_0123456789abcdef_short")).isEmpty();
        assertThat(ApiKeys.parse("eyJhbGciOiJIUzI1NiJ9.e30.sig")).isEmpty();
    }

    @Test
    void mint_isUnique_andToStringNeverShowsTheToken() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            ApiKeys.Minted minted = ApiKeys.mint();
            assertThat(ids.add(minted.keyId())).isTrue();
            assertThat(minted.toString()).doesNotContain(minted.token());
        }
    }
}
