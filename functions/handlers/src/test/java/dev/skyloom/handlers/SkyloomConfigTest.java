package dev.skyloom.handlers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SkyloomConfigTest {

    @Test
    void fromEnv_onAws_usesTheDefaultCredentialChainAndNoEndpoint() {
        SkyloomConfig config = SkyloomConfig.fromEnv(Map.of("AWS_REGION", "eu-west-1",
                "AWS_ACCESS_KEY_ID", "ASIA...", "SKYLOOM_TABLE_MAIN", "skyloom-prod-main"));

        assertThat(config.region()).isEqualTo("eu-west-1");
        assertThat(config.endpoint()).isEmpty();
        assertThat(config.credentials()).isEmpty();
        assertThat(config.mainTable()).contains("skyloom-prod-main");
    }

    @Test
    void fromEnv_inTheLocalCloud_pointsClientsAtTheEdge() {
        SkyloomConfig config = SkyloomConfig.fromEnv(Map.of("AWS_REGION", "us-east-1",
                "AWS_ENDPOINT_URL", "http://localhost:4566", "AWS_ACCESS_KEY_ID", "test",
                "AWS_SECRET_ACCESS_KEY", "secret-value"));

        assertThat(config.endpoint()).contains(URI.create("http://localhost:4566"));
        assertThat(config.credentials()).isPresent();
        assertThat(config.credentials().get().toString()).doesNotContain("secret-value");
    }

    @Test
    void fromEnv_shouldFail_namingEveryProblem() {
        assertThatThrownBy(() -> SkyloomConfig.fromEnv(Map.of("AWS_ENDPOINT_URL", "not a url")))
                .hasMessageContaining("AWS_REGION is not set")
                .hasMessageContaining("AWS_ENDPOINT_URL 'not a url' is not an absolute URL");
    }

    @Test
    void require_namesTheMissingVariable() {
        assertThatThrownBy(() -> SkyloomConfig.require(Optional.empty(), "SKYLOOM_TABLE_MAIN"))
                .hasMessageContaining("SKYLOOM_TABLE_MAIN is not set");
    }

    @Test
    void fromEnv_secretsKey_mustBe32BytesOfBase64_andIsNeverPrinted() {
        String key = "c2t5bG9vbS10ZXN0LW9ubHktc2VjcmV0cy1rZXkhISE=";
        SkyloomConfig config = SkyloomConfig.fromEnv(Map.of("AWS_REGION", "us-east-1",
                SkyloomConfig.ENV_SECRETS_KEY, key));

        assertThat(config.secretsKey()).contains(key);
        assertThat(config.toString()).doesNotContain(key);
        assertThatThrownBy(() -> SkyloomConfig.fromEnv(Map.of("AWS_REGION", "us-east-1",
                SkyloomConfig.ENV_SECRETS_KEY, "c2hvcnQ="))).hasMessageContaining("32 bytes");
        assertThatThrownBy(() -> SkyloomConfig.fromEnv(Map.of("AWS_REGION", "us-east-1",
                SkyloomConfig.ENV_SECRETS_KEY, "not base64!"))).hasMessageContaining("not base64");
    }

    @Test
    void fromEnv_kmsKeyId_selectsKmsForSecrets_andIsOptional() {
        String arn = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

        SkyloomConfig withKms = SkyloomConfig.fromEnv(Map.of("AWS_REGION", "eu-west-1",
                SkyloomConfig.ENV_KMS_KEY_ID, " " + arn + " "));
        SkyloomConfig without = SkyloomConfig.fromEnv(Map.of("AWS_REGION", "eu-west-1",
                SkyloomConfig.ENV_KMS_KEY_ID, ""));

        assertThat(withKms.kmsKeyId()).contains(arn);
        assertThat(without.kmsKeyId()).isEmpty();
    }
}
