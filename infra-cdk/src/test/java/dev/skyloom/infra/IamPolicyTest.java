package dev.skyloom.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Template;

/**
 * Least privilege, checked on the synthesized templates: no statement anywhere allows a {@code *} action
 * ({@code *}, {@code service:*} or any pattern), and an identity policy uses resource {@code *} only for actions
 * whose service offers no resource-level permission.
 */
class IamPolicyTest {
    /**
     * Actions that AWS documents without resource-level permissions (the Service Authorization Reference lists
     * no resource type for them), so {@code Resource: *} is the only valid form.
     */
    static final Set<String> NO_RESOURCE_LEVEL_PERMISSIONS = Set.of(
            "xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets",
            "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
            "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies",
            "logs:DescribeLogGroups");

    private final SynthesizedApp app = SynthesizedApp.get();

    @Test
    void noStatement_allowsAWildcardAction() {
        List<String> offenders = new ArrayList<>();
        for (Template template : List.of(app.data, app.platform, app.console)) {
            List<Templates.Statement> statements = new ArrayList<>(Templates.identityStatements(template));
            statements.addAll(Templates.resourcePolicyStatements(template));
            for (Templates.Statement statement : statements) {
                if (statement.allows()) {
                    statement.actions().stream().filter(action -> action.contains("*"))
                            .forEach(action -> offenders.add(statement.owner() + " allows " + action));
                }
            }
        }
        assertThat(offenders).isEmpty();
    }

    @Test
    void identityPolicies_useResourceStar_onlyForActionsWithoutResourceLevelPermissions() {
        List<String> offenders = new ArrayList<>();
        int checked = 0;
        for (Template template : List.of(app.data, app.platform, app.console)) {
            for (Templates.Statement statement : Templates.identityStatements(template)) {
                checked++;
                if (statement.allows() && statement.resources().contains("*")) {
                    statement.actions().stream().filter(action -> !NO_RESOURCE_LEVEL_PERMISSIONS.contains(action))
                            .forEach(action -> offenders.add(statement.owner() + " allows " + action + " on *"));
                }
            }
        }
        assertThat(checked).as("identity statements inspected").isGreaterThan(10);
        assertThat(offenders).isEmpty();
    }

    @Test
    void theCheck_catchesAWildcard_whenOneIsPresent() {
        Template bad = Template.fromString("""
                {"Resources": {"P": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "p", "Roles": ["r"],
                  "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": ["s3:Get*", "dynamodb:GetItem"],
                                                    "Resource": "*"}]}}}}}
                """);

        List<Templates.Statement> statements = Templates.identityStatements(bad);

        assertThat(statements).hasSize(1);
        assertThat(statements.get(0).actions()).contains("s3:Get*");
        assertThat(statements.get(0).resources()).containsExactly("*");
    }
}
