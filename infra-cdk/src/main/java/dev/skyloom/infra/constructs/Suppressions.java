package dev.skyloom.infra.constructs;

import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import java.util.List;
import java.util.Objects;
import software.constructs.IConstruct;

/**
 * cdk-nag suppressions, each naming its rule and a written reason. Suppressions sit in the construct that causes
 * the finding, so the reason is next to the code it excuses.
 */
public final class Suppressions {
    private Suppressions() {
    }

    /** Suppresses {@code rule} on {@code construct} and its children. */
    public static void suppress(IConstruct construct, String rule, String reason) {
        suppress(construct, rule, reason, List.of());
    }

    /** Suppresses {@code rule} for the named findings only ({@code Resource::...}, {@code Action::...}). */
    public static void suppress(IConstruct construct, String rule, String reason, List<?> appliesTo) {
        Objects.requireNonNull(rule, "rule");
        if (reason == null || reason.length() < 20) {
            throw new IllegalArgumentException("the suppression of " + rule + " needs a written reason (20+ characters)");
        }
        NagPackSuppression.Builder suppression = NagPackSuppression.builder().id(rule).reason(reason);
        if (!appliesTo.isEmpty()) {
            suppression.appliesTo(List.copyOf(appliesTo));
        }
        NagSuppressions.addResourceSuppressions(construct, List.of(suppression.build()), true);
    }
}
