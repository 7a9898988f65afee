package dev.skyloom.infra.constructs;

import java.util.List;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.iam.AccountRootPrincipal;
import software.amazon.awscdk.services.iam.Effect;
import software.amazon.awscdk.services.iam.PolicyDocument;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.kms.Key;
import software.constructs.Construct;

/**
 * Customer-managed KMS keys with rotation and an explicit key policy. CDK's default policy gives the account
 * {@code kms:*}; this one names each administrative and cryptographic action instead, which still lets IAM policies
 * in the account grant use of the key (the account root is the principal) without any wildcard action.
 */
public final class Keys {
    /** What the account may delegate through IAM: key administration and the cryptographic operations. */
    static final List<String> ACCOUNT_ACTIONS = List.of(
            "kms:CancelKeyDeletion", "kms:CreateAlias", "kms:CreateGrant", "kms:Decrypt", "kms:DeleteAlias",
            "kms:DescribeKey", "kms:DisableKey", "kms:DisableKeyRotation", "kms:EnableKey", "kms:EnableKeyRotation",
            "kms:Encrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:GetKeyPolicy",
            "kms:GetKeyRotationStatus", "kms:ListAliases", "kms:ListGrants", "kms:ListKeyPolicies",
            "kms:ListKeyRotations", "kms:ListResourceTags", "kms:PutKeyPolicy", "kms:ReEncryptFrom",
            "kms:ReEncryptTo", "kms:RetireGrant", "kms:RevokeGrant", "kms:RotateKeyOnDemand",
            "kms:ScheduleKeyDeletion", "kms:TagResource", "kms:UntagResource", "kms:UpdateAlias",
            "kms:UpdateKeyDescription");

    private Keys() {
    }

    /** A rotating symmetric key whose policy delegates to the account's IAM policies. */
    public static Key create(Construct scope, String id, String alias, String description, RemovalPolicy removal) {
        PolicyDocument policy = PolicyDocument.Builder.create().statements(List.of(
                PolicyStatement.Builder.create().sid("AccountAdministersAndDelegatesThroughIam")
                        .effect(Effect.ALLOW).principals(List.of(new AccountRootPrincipal()))
                        .actions(ACCOUNT_ACTIONS).resources(List.of("*")).build())).build();
        return Key.Builder.create(scope, id)
                .alias(alias)
                .description(description)
                .enableKeyRotation(true)
                .pendingWindow(Duration.days(30))
                .policy(policy)
                .removalPolicy(removal)
                .build();
    }
}
