package dev.skyloom.infra.constructs;

import dev.skyloom.manifest.BucketSpec;
import dev.skyloom.manifest.IndexSpec;
import dev.skyloom.manifest.Key;
import dev.skyloom.manifest.Naming;
import dev.skyloom.manifest.ResourceManifest;
import dev.skyloom.manifest.TableSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.dynamodb.Attribute;
import software.amazon.awscdk.services.dynamodb.AttributeType;
import software.amazon.awscdk.services.dynamodb.BillingMode;
import software.amazon.awscdk.services.dynamodb.GlobalSecondaryIndexProps;
import software.amazon.awscdk.services.dynamodb.PointInTimeRecoverySpecification;
import software.amazon.awscdk.services.dynamodb.ProjectionType;
import software.amazon.awscdk.services.dynamodb.Table;
import software.amazon.awscdk.services.dynamodb.TableEncryption;
import software.amazon.awscdk.services.s3.BlockPublicAccess;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.s3.BucketEncryption;
import software.amazon.awscdk.services.s3.LifecycleRule;
import software.amazon.awscdk.services.s3.ObjectOwnership;
import software.constructs.Construct;

/**
 * The manifest's state: every {@link TableSpec} as an on-demand DynamoDB table (point-in-time recovery, deletion
 * protection, encrypted with the customer-managed data key, TTL and indexes as declared) and every
 * {@link BucketSpec} as a private, TLS-only, versioned, KMS-encrypted S3 bucket with server access logs and the
 * declared lifecycle. Stateful resources are retained when the stack is deleted.
 */
public final class Data extends Construct {
    private final software.amazon.awscdk.services.kms.Key dataKey;
    private final Bucket accessLogs;
    private final Map<String, Table> tables = new LinkedHashMap<>();
    private final Map<String, Bucket> buckets = new LinkedHashMap<>();

    public Data(Construct scope, String id, DataProps props) {
        super(scope, id);
        Naming naming = props.naming();
        dataKey = Keys.create(this, "DataKey", "alias/" + naming.physical("data"),
                "Skyloom " + naming.prefix() + "* tables and buckets", props.removalPolicy());

        accessLogs = Bucket.Builder.create(this, "AccessLogs")
                .bucketName(globalBucketName(naming, "access-logs"))
                // the S3 log delivery service writes here: server access logs need SSE-S3, not SSE-KMS
                .encryption(BucketEncryption.S3_MANAGED)
                .blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
                .objectOwnership(ObjectOwnership.BUCKET_OWNER_ENFORCED)
                .enforceSsl(true)
                .minimumTlsVersion(1.2)
                .versioned(true)
                .lifecycleRules(List.of(LifecycleRule.builder().id("expire-logs")
                        .expiration(Duration.days(props.accessLogRetentionDays()))
                        .noncurrentVersionExpiration(Duration.days(1)).build()))
                .removalPolicy(props.removalPolicy())
                .build();

        for (TableSpec spec : props.manifest().tables()) {
            tables.put(spec.name(), table(naming, spec, props.removalPolicy()));
        }
        for (BucketSpec spec : props.manifest().buckets()) {
            buckets.put(spec.name(), bucket(naming, spec, props.removalPolicy()));
        }
    }

    /**
     * S3 bucket names are global: the stage prefix is followed by the account and region, so two accounts can
     * deploy the same stage. {@code skyloom-<stage>-<name>-<account>-<region>}.
     */
    public static String globalBucketName(Naming naming, String logicalName) {
        return naming.physical(logicalName) + "-" + Aws.ACCOUNT_ID + "-" + Aws.REGION;
    }

    private Table table(Naming naming, TableSpec spec, RemovalPolicy removal) {
        Table.Builder builder = Table.Builder.create(this, "Table-" + spec.name())
                .tableName(naming.physical(spec.name()))
                .partitionKey(attribute(spec.partitionKey()))
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .pointInTimeRecoverySpecification(PointInTimeRecoverySpecification.builder()
                        .pointInTimeRecoveryEnabled(true).build())
                .deletionProtection(true)
                .encryption(TableEncryption.CUSTOMER_MANAGED)
                .encryptionKey(dataKey)
                .removalPolicy(removal);
        if (spec.sortKey() != null) {
            builder.sortKey(attribute(spec.sortKey()));
        }
        if (spec.ttlAttribute() != null) {
            builder.timeToLiveAttribute(spec.ttlAttribute());
        }
        Table table = builder.build();
        for (IndexSpec index : spec.globalSecondaryIndexes()) {
            GlobalSecondaryIndexProps.Builder gsi = GlobalSecondaryIndexProps.builder()
                    .indexName(index.name())
                    .partitionKey(attribute(index.partitionKey()))
                    .projectionType(index.projection() == IndexSpec.Projection.ALL
                            ? ProjectionType.ALL : ProjectionType.KEYS_ONLY);
            if (index.sortKey() != null) {
                gsi.sortKey(attribute(index.sortKey()));
            }
            table.addGlobalSecondaryIndex(gsi.build());
        }
        return table;
    }

    private static Attribute attribute(Key key) {
        AttributeType type = switch (key.type()) {
            case STRING -> AttributeType.STRING;
            case NUMBER -> AttributeType.NUMBER;
            case BINARY -> AttributeType.BINARY;
        };
        return Attribute.builder().name(key.name()).type(type).build();
    }

    private Bucket bucket(Naming naming, BucketSpec spec, RemovalPolicy removal) {
        List<LifecycleRule> rules = new ArrayList<>();
        LifecycleRule.Builder rule = LifecycleRule.builder().id("lifecycle")
                .abortIncompleteMultipartUploadAfter(Duration.days(7))
                .noncurrentVersionExpiration(Duration.days(spec.noncurrentVersionExpireDays()));
        if (spec.expireAfterDays() > 0) {
            rule.expiration(Duration.days(spec.expireAfterDays()));
        }
        rules.add(rule.build());
        return Bucket.Builder.create(this, "Bucket-" + spec.name())
                .bucketName(globalBucketName(naming, spec.name()))
                .encryption(BucketEncryption.KMS)
                .encryptionKey(dataKey)
                .bucketKeyEnabled(true)
                .blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
                .objectOwnership(ObjectOwnership.BUCKET_OWNER_ENFORCED)
                .enforceSsl(true)
                .minimumTlsVersion(1.2)
                .versioned(true)
                .serverAccessLogsBucket(accessLogs)
                .serverAccessLogsPrefix(spec.name() + "/")
                .lifecycleRules(rules)
                .removalPolicy(removal)
                .build();
    }

    public software.amazon.awscdk.services.kms.Key dataKey() {
        return dataKey;
    }

    public Bucket accessLogs() {
        return accessLogs;
    }

    /** Tables by logical name, in manifest order. */
    public Map<String, Table> tables() {
        return Collections.unmodifiableMap(tables);
    }

    /** Buckets by logical name, in manifest order. */
    public Map<String, Bucket> buckets() {
        return Collections.unmodifiableMap(buckets);
    }

    /** Properties of {@link Data}. */
    public record DataProps(ResourceManifest manifest, Naming naming, RemovalPolicy removalPolicy,
                            int accessLogRetentionDays) {
        public DataProps {
            Objects.requireNonNull(manifest, "manifest");
            Objects.requireNonNull(naming, "naming");
            Objects.requireNonNull(removalPolicy, "removalPolicy");
        }

        public static Builder builder() {
            return new Builder();
        }

        /** Builds {@link DataProps}; stateful resources are retained and access logs kept 90 days by default. */
        public static final class Builder {
            private ResourceManifest manifest;
            private Naming naming;
            private RemovalPolicy removalPolicy = RemovalPolicy.RETAIN;
            private int accessLogRetentionDays = 90;

            public Builder manifest(ResourceManifest manifest) {
                this.manifest = manifest;
                return this;
            }

            public Builder naming(Naming naming) {
                this.naming = naming;
                return this;
            }

            public Builder removalPolicy(RemovalPolicy removalPolicy) {
                this.removalPolicy = removalPolicy;
                return this;
            }

            public Builder accessLogRetentionDays(int days) {
                this.accessLogRetentionDays = days;
                return this;
            }

            public DataProps build() {
                return new DataProps(manifest, naming, removalPolicy, accessLogRetentionDays);
            }
        }
    }
}
