package dev.skyloom.infra;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyloom.manifest.BucketSpec;
import dev.skyloom.manifest.IndexSpec;
import dev.skyloom.manifest.SkyloomResources;
import dev.skyloom.manifest.TableSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Capture;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** The Data construct: the manifest's tables and buckets, hardened as the issue demands. */
class DataTest {
    private final Template data = SynthesizedApp.get().data;

    @Test
    void everyManifestTable_isOnDemand_withPitr_deletionProtection_kmsEncryption_ttlAndIndexes() {
        for (TableSpec spec : SkyloomResources.manifest().tables()) {
            Map<String, Object> expected = new java.util.LinkedHashMap<>();
            expected.put("TableName", SynthesizedApp.PREFIX + spec.name());
            expected.put("KeySchema", keySchema(spec.partitionKey().name(),
                    spec.sortKey() == null ? null : spec.sortKey().name()));
            expected.put("BillingMode", "PAY_PER_REQUEST");
            expected.put("PointInTimeRecoverySpecification", Map.of("PointInTimeRecoveryEnabled", true));
            expected.put("DeletionProtectionEnabled", true);
            expected.put("SSESpecification", Map.of("SSEEnabled", true, "SSEType", "KMS",
                    "KMSMasterKeyId", Match.objectLike(Map.of("Fn::GetAtt", List.of(dataKeyId(), "Arn")))));
            if (spec.ttlAttribute() != null) {
                expected.put("TimeToLiveSpecification", Map.of("AttributeName", spec.ttlAttribute(), "Enabled", true));
            }
            if (spec.globalSecondaryIndexes().isEmpty()) {
                expected.put("GlobalSecondaryIndexes", Match.absent());
            } else {
                List<Object> indexes = new ArrayList<>();
                for (IndexSpec index : spec.globalSecondaryIndexes()) {
                    indexes.add(Match.objectLike(Map.of("IndexName", index.name(),
                            "KeySchema", keySchema(index.partitionKey().name(),
                                    index.sortKey() == null ? null : index.sortKey().name()),
                            "Projection", Map.of("ProjectionType", index.projection().name()))));
                }
                expected.put("GlobalSecondaryIndexes", Match.arrayWith(indexes));
            }
            data.hasResourceProperties("AWS::DynamoDB::Table", Match.objectLike(expected));
            data.hasResource("AWS::DynamoDB::Table", Match.objectLike(Map.of(
                    "Properties", Match.objectLike(Map.of("TableName", SynthesizedApp.PREFIX + spec.name())),
                    "DeletionPolicy", "Retain", "UpdateReplacePolicy", "Retain")));
        }
        data.resourceCountIs("AWS::DynamoDB::Table", SkyloomResources.manifest().tables().size());
    }

    @Test
    void tableAttributes_declareExactlyTheKeyAttributesOfTheManifest() {
        for (TableSpec spec : SkyloomResources.manifest().tables()) {
            Capture attributes = new Capture();
            data.hasResourceProperties("AWS::DynamoDB::Table", Match.objectLike(Map.of(
                    "TableName", SynthesizedApp.PREFIX + spec.name(), "AttributeDefinitions", attributes)));
            List<Map<String, Object>> declared = spec.keyAttributes().entrySet().stream()
                    .map(e -> Map.<String, Object>of("AttributeName", e.getKey(), "AttributeType", e.getValue().code()))
                    .toList();
            assertThat(attributes.asArray()).containsExactlyInAnyOrderElementsOf(declared);
        }
    }

    @Test
    void everyManifestBucket_isPrivate_tlsOnly_versioned_kmsEncrypted_logged_andFollowsItsLifecycle() {
        String accessLogs = data.findResources("AWS::S3::Bucket").entrySet().stream()
                .filter(e -> Templates.render(Templates.properties(e.getValue()).get("BucketName"), data)
                        .startsWith(SynthesizedApp.PREFIX + "access-logs-"))
                .map(Map.Entry::getKey).findFirst().orElseThrow();
        for (BucketSpec spec : SkyloomResources.manifest().buckets()) {
            Capture name = new Capture();
            List<Object> lifecycle = new ArrayList<>();
            lifecycle.add(Match.objectLike(Map.of(
                    "AbortIncompleteMultipartUpload", Map.of("DaysAfterInitiation", 7),
                    "NoncurrentVersionExpiration", Map.of("NoncurrentDays", spec.noncurrentVersionExpireDays()),
                    "ExpirationInDays", spec.expireAfterDays() > 0 ? spec.expireAfterDays() : Match.absent(),
                    "Status", "Enabled")));
            data.hasResourceProperties("AWS::S3::Bucket", Match.objectLike(Map.of(
                    "BucketName", name,
                    "BucketEncryption", Map.of("ServerSideEncryptionConfiguration", List.of(Match.objectLike(Map.of(
                            "BucketKeyEnabled", true,
                            "ServerSideEncryptionByDefault", Map.of("SSEAlgorithm", "aws:kms",
                                    "KMSMasterKeyID", Map.of("Fn::GetAtt", List.of(dataKeyId(), "Arn"))))))),
                    "PublicAccessBlockConfiguration", Map.of("BlockPublicAcls", true, "BlockPublicPolicy", true,
                            "IgnorePublicAcls", true, "RestrictPublicBuckets", true),
                    "VersioningConfiguration", Map.of("Status", "Enabled"),
                    "LoggingConfiguration", Map.of("DestinationBucketName", Map.of("Ref", accessLogs),
                            "LogFilePrefix", spec.name() + "/"),
                    "LifecycleConfiguration", Map.of("Rules", lifecycle))));
            assertThat(Templates.render(name.asObject(), data))
                    .isEqualTo(SynthesizedApp.PREFIX + spec.name() + "-{AWS::AccountId}-{AWS::Region}");
        }
    }

    @Test
    void everyBucket_deniesRequestsWithoutTls() {
        int buckets = data.findResources("AWS::S3::Bucket").size();
        data.resourcePropertiesCountIs("AWS::S3::BucketPolicy", Match.objectLike(Map.of(
                "PolicyDocument", Match.objectLike(Map.of("Statement", Match.arrayWith(List.of(Match.objectLike(Map.of(
                        "Effect", "Deny", "Action", "s3:*",
                        "Condition", Map.of("Bool", Map.of("aws:SecureTransport", "false")))))))))), buckets);
    }

    @Test
    void dataKey_rotates_andItsPolicyNamesEveryActionInsteadOfKmsStar() {
        Capture actions = new Capture();
        data.hasResourceProperties("AWS::KMS::Key", Match.objectLike(Map.of(
                "EnableKeyRotation", true,
                "KeyPolicy", Map.of("Statement", List.of(Match.objectLike(Map.of(
                        "Effect", "Allow", "Action", actions))), "Version", "2012-10-17"))));
        assertThat(actions.asArray()).contains("kms:Decrypt", "kms:Encrypt", "kms:PutKeyPolicy")
                .doesNotContain("kms:*");
        data.hasResourceProperties("AWS::KMS::Alias", Map.of("AliasName", "alias/" + SynthesizedApp.PREFIX + "data",
                "TargetKeyId", Match.anyValue()));
    }

    private String dataKeyId() {
        return data.findResources("AWS::KMS::Key").keySet().iterator().next();
    }

    private static List<Map<String, String>> keySchema(String hash, String range) {
        return range == null ? List.of(Map.of("AttributeName", hash, "KeyType", "HASH"))
                : List.of(Map.of("AttributeName", hash, "KeyType", "HASH"), Map.of("AttributeName", range, "KeyType", "RANGE"));
    }
}
