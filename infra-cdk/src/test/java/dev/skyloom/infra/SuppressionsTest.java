package dev.skyloom.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skyloom.infra.constructs.Suppressions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Template;

/** Every cdk-nag suppression in the templates names its rule and gives a written reason. */
class SuppressionsTest {

    @Test
    void everySuppression_namesARule_andGivesAReason() {
        SynthesizedApp app = SynthesizedApp.get();
        List<Map<?, ?>> suppressions = new ArrayList<>();
        for (Template template : List.of(app.data, app.platform, app.console)) {
            template.toJSON().entrySet().stream().filter(e -> e.getKey().equals("Resources"))
                    .forEach(e -> ((Map<?, ?>) e.getValue()).values().forEach(resource -> {
                        Object metadata = ((Map<?, ?>) resource).get("Metadata");
                        if (metadata instanceof Map<?, ?> m && m.get("cdk_nag") instanceof Map<?, ?> nag) {
                            for (Object rule : (List<?>) nag.get("rules_to_suppress")) {
                                suppressions.add((Map<?, ?>) rule);
                            }
                        }
                    }));
        }
        assertThat(suppressions).isNotEmpty();
        for (Map<?, ?> suppression : suppressions) {
            assertThat(String.valueOf(suppression.get("id"))).matches("(AwsSolutions|Serverless)-[A-Za-z0-9]+"
                    + "|CdkNagValidationFailure");
            assertThat(String.valueOf(suppression.get("reason"))).hasSizeGreaterThanOrEqualTo(20);
        }
    }

    @Test
    void suppress_shouldRefuse_whenTheReasonIsMissing() {
        Stack stack = new Stack(new App(), "S");

        assertThatThrownBy(() -> Suppressions.suppress(stack, "AwsSolutions-IAM5", "because"))
                .hasMessage("the suppression of AwsSolutions-IAM5 needs a written reason (20+ characters)");
    }
}
