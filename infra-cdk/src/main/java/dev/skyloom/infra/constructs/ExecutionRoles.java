package dev.skyloom.infra.constructs;

import dev.skyloom.manifest.RoleSpec;
import io.github.cdklabs.cdknag.RegexAppliesTo;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.iam.PolicyDocument;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.constructs.Construct;

/**
 * Every {@link RoleSpec} of the manifest as the IAM role {@code skyloom-<stage>-<name>} that state machines created at
 * run time (pipelines) run as. Only Step Functions acting for this account ({@code aws:SourceAccount}) and for the
 * role's family of state machines ({@code aws:SourceArn} like {@code stateMachine:skyloom-<stage>-pipeline-*}) may
 * assume it. Its inline policy holds exactly the role's grants, plus what every Skyloom state machine may do: put
 * X-Ray traces and deliver execution logs (actions AWS offers no resource-level permission for).
 */
public final class ExecutionRoles extends Construct {
    /** X-Ray tracing of executions: no resource-level permissions (Resource *). */
    static final List<String> TRACING = List.of("xray:GetSamplingRules", "xray:GetSamplingTargets",
            "xray:PutTelemetryRecords", "xray:PutTraceSegments");
    /** CloudWatch Logs delivery of execution history: no resource-level permissions (Resource *). */
    static final List<String> LOG_DELIVERY = List.of("logs:CreateLogDelivery", "logs:DeleteLogDelivery",
            "logs:DescribeLogGroups", "logs:DescribeResourcePolicies", "logs:GetLogDelivery",
            "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:UpdateLogDelivery");

    private final Map<String, Role> roles = new LinkedHashMap<>();

    public ExecutionRoles(Construct scope, String id, DeployedResources resources) {
        super(scope, id);
        Objects.requireNonNull(resources, "resources");
        Stack stack = Stack.of(this);
        for (RoleSpec spec : resources.manifest().roles()) {
            String name = resources.naming().physical(spec.name());
            PolicyDocument policy = new PolicyDocument();
            for (PolicyStatement statement : AccessPolicies.forGrants(this, spec.grants(), resources)) {
                policy.addStatements(statement);
            }
            policy.addStatements(AccessPolicies.allow(TRACING, List.of("*")));
            policy.addStatements(AccessPolicies.allow(LOG_DELIVERY, List.of("*")));
            String machines = resources.stateMachineFamilyArn(this, spec.stateMachinePrefix());
            Role role = Role.Builder.create(this, "Role-" + spec.name())
                    .roleName(name)
                    .description(spec.description() + " (state machines " + resources.naming().physical(
                            spec.stateMachines()) + "); the manifest's grants, nothing else")
                    .assumedBy(new ServicePrincipal("states.amazonaws.com").withConditions(Map.of(
                            "StringEquals", Map.of("aws:SourceAccount", stack.getAccount()),
                            "ArnLike", Map.of("aws:SourceArn", machines))))
                    .inlinePolicies(Map.of("manifest-grants", policy))
                    .build();
            Suppressions.suppress(role, "AwsSolutions-IAM5",
                    "X-Ray and CloudWatch Logs delivery actions support no resource-level permissions (Resource *); "
                            + "child workflows' executions ('execution:<name>:*') are created per run.",
                    List.<Object>of("Resource::*",
                            RegexAppliesTo.builder().regex("/^Resource::.*:execution:[^:*]+:\\*$/g").build()));
            roles.put(spec.name(), role);
        }
    }

    /** The roles by logical name. */
    public Map<String, Role> roles() {
        return Collections.unmodifiableMap(roles);
    }
}
