package dev.skyloom.local.cloud.provision;

import dev.skyloom.local.cloud.lambda.LambdaException;
import dev.skyloom.local.cloud.lambda.LocalLambda;
import dev.skyloom.manifest.BucketSpec;
import dev.skyloom.manifest.DefinitionSubstitutions;
import dev.skyloom.manifest.EnvValue;
import dev.skyloom.manifest.FunctionSpec;
import dev.skyloom.manifest.IndexSpec;
import dev.skyloom.manifest.Key;
import dev.skyloom.manifest.Naming;
import dev.skyloom.manifest.QueueSpec;
import dev.skyloom.manifest.ResourceKind;
import dev.skyloom.manifest.ResourceManifest;
import dev.skyloom.manifest.StateMachineSpec;
import dev.skyloom.manifest.TableSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateGlobalSecondaryIndexAction;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndexDescription;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Creates the resources of a {@link ResourceManifest} in the local cloud through the real SDK clients, the way a
 * deployment creates them on AWS. Idempotent: what exists is kept (indexes missing from a table are added, functions
 * are updated to the manifest's handler, memory, timeout and environment).
 */
public final class ResourceProvisioner {
    private static final Logger LOG = LoggerFactory.getLogger(ResourceProvisioner.class);

    private final DynamoDbClient dynamoDb;
    private final SqsClient sqs;
    private final S3Client s3;
    private final LocalLambda lambda;
    private final Naming naming;
    private final LocalKeys keys;
    private Map<String, String> extraEnvironment = Map.of();

    public ResourceProvisioner(DynamoDbClient dynamoDb, SqsClient sqs, S3Client s3, LocalLambda lambda, Naming naming,
                               LocalKeys keys) {
        this.dynamoDb = dynamoDb;
        this.sqs = sqs;
        this.s3 = s3;
        this.lambda = lambda;
        this.naming = naming;
        this.keys = keys;
    }

    /** What was provisioned: physical names, queue URLs and state machine ARNs by logical name. */
    public record Provisioned(Map<String, String> tables, Map<String, String> queueUrls, Map<String, String> buckets,
                              Map<String, String> functions, Map<String, String> stateMachines) {
    }

    /** Creates or updates a state machine; returns its ARN. */
    public interface StateMachineDeployer {
        String deploy(String name, String definition, String roleArn);

        String arnOf(String name);
    }

    public Provisioned provision(ResourceManifest manifest, Path functionsCode, List<StateMachineSpec> stateMachineSpecs,
                                 String eventBus, StateMachineDeployer deployer) {
        Map<String, String> tables = new LinkedHashMap<>();
        for (TableSpec table : manifest.tables()) {
            tables.put(table.name(), table(table));
        }
        Map<String, String> queues = new LinkedHashMap<>();
        for (QueueSpec queue : manifest.queues()) {
            queues.put(queue.name(), queue(queue));
        }
        Map<String, String> buckets = new LinkedHashMap<>();
        for (BucketSpec bucket : manifest.buckets()) {
            buckets.put(bucket.name(), bucket(bucket));
        }
        Map<String, String> functions = new LinkedHashMap<>();
        for (FunctionSpec function : manifest.functions()) {
            functions.put(function.name(), function(function, functionsCode, tables, queues, buckets));
        }
        Map<String, String> values = new HashMap<>();
        tables.forEach((logical, name) -> values.put(DefinitionSubstitutions.key(ResourceKind.TABLE, logical), name));
        queues.forEach((logical, url) -> values.put(DefinitionSubstitutions.key(ResourceKind.QUEUE, logical), url));
        buckets.forEach((logical, name) -> values.put(DefinitionSubstitutions.key(ResourceKind.BUCKET, logical), name));
        functions.forEach((logical, name) -> values.put(DefinitionSubstitutions.key(ResourceKind.FUNCTION, logical),
                lambda.functionArn(name)));
        stateMachineSpecs.forEach(spec -> values.put(DefinitionSubstitutions.stateMachineArn(spec.name()),
                deployer.arnOf(naming.physical(spec.name()))));
        values.put(DefinitionSubstitutions.EVENT_BUS_NAME, eventBus);
        Map<String, String> stateMachines = new LinkedHashMap<>();
        for (StateMachineSpec spec : stateMachineSpecs) {
            String name = naming.physical(spec.name());
            String definition;
            try {
                definition = DefinitionSubstitutions.substitute(spec.definition(), values);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("state machine " + spec.name() + ": " + e.getMessage(), e);
            }
            stateMachines.put(spec.name(), deployer.deploy(name, definition,
                    "arn:aws:iam::000000000000:role/" + name));
            LOG.info("state machine deployed name={}", name);
        }
        return new Provisioned(tables, queues, buckets, functions, stateMachines);
    }

    private String table(TableSpec spec) {
        String name = naming.physical(spec.name());
        TableDescription existing = describe(name);
        if (existing == null) {
            List<AttributeDefinition> attributes = spec.keyAttributes().entrySet().stream()
                    .map(e -> AttributeDefinition.builder().attributeName(e.getKey())
                            .attributeType(ScalarAttributeType.fromValue(e.getValue().code())).build())
                    .toList();
            dynamoDb.createTable(b -> {
                b.tableName(name).billingMode(BillingMode.PAY_PER_REQUEST).attributeDefinitions(attributes)
                        .keySchema(keySchema(spec.partitionKey(), spec.sortKey()));
                if (!spec.globalSecondaryIndexes().isEmpty()) {
                    b.globalSecondaryIndexes(spec.globalSecondaryIndexes().stream().map(this::index).toList());
                }
            });
            LOG.info("table created name={}", name);
        } else {
            Set<String> present = existing.globalSecondaryIndexes().stream()
                    .map(GlobalSecondaryIndexDescription::indexName).collect(Collectors.toSet());
            for (IndexSpec index : spec.globalSecondaryIndexes()) {
                if (!present.contains(index.name())) {
                    List<AttributeDefinition> attributes = spec.keyAttributes().entrySet().stream()
                            .map(e -> AttributeDefinition.builder().attributeName(e.getKey())
                                    .attributeType(ScalarAttributeType.fromValue(e.getValue().code())).build())
                            .toList();
                    dynamoDb.updateTable(b -> b.tableName(name).attributeDefinitions(attributes)
                            .globalSecondaryIndexUpdates(u -> u.create(CreateGlobalSecondaryIndexAction.builder()
                                    .indexName(index.name()).keySchema(keySchema(index.partitionKey(),
                                            index.sortKey())).projection(projection(index)).build())));
                    LOG.info("table index added table={} index={}", name, index.name());
                }
            }
        }
        if (spec.ttlAttribute() != null) {
            String status = dynamoDb.describeTimeToLive(b -> b.tableName(name)).timeToLiveDescription()
                    .timeToLiveStatusAsString();
            if (!"ENABLED".equals(status)) {
                dynamoDb.updateTimeToLive(b -> b.tableName(name).timeToLiveSpecification(t -> t
                        .attributeName(spec.ttlAttribute()).enabled(true)));
            }
        }
        return name;
    }

    private TableDescription describe(String name) {
        try {
            return dynamoDb.describeTable(b -> b.tableName(name)).table();
        } catch (ResourceNotFoundException e) {
            return null;
        }
    }

    private GlobalSecondaryIndex index(IndexSpec index) {
        return GlobalSecondaryIndex.builder().indexName(index.name())
                .keySchema(keySchema(index.partitionKey(), index.sortKey())).projection(projection(index)).build();
    }

    private static Projection projection(IndexSpec index) {
        return Projection.builder().projectionType(index.projection() == IndexSpec.Projection.ALL
                ? ProjectionType.ALL : ProjectionType.KEYS_ONLY).build();
    }

    private static List<KeySchemaElement> keySchema(Key partition, Key sort) {
        List<KeySchemaElement> schema = new ArrayList<>();
        schema.add(KeySchemaElement.builder().attributeName(partition.name()).keyType(KeyType.HASH).build());
        if (sort != null) {
            schema.add(KeySchemaElement.builder().attributeName(sort.name()).keyType(KeyType.RANGE).build());
        }
        return schema;
    }

    private String queue(QueueSpec spec) {
        String dlqUrl = sqs.createQueue(b -> b.queueName(naming.physical(spec.deadLetterQueueName()))
                .attributes(Map.of(QueueAttributeName.MESSAGE_RETENTION_PERIOD, "1209600"))).queueUrl();
        String dlqArn = sqs.getQueueAttributes(b -> b.queueUrl(dlqUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
        Map<QueueAttributeName, String> attributes = new HashMap<>();
        attributes.put(QueueAttributeName.VISIBILITY_TIMEOUT, Integer.toString(spec.visibilityTimeoutSeconds()));
        attributes.put(QueueAttributeName.MESSAGE_RETENTION_PERIOD, Integer.toString(spec.messageRetentionSeconds()));
        attributes.put(QueueAttributeName.REDRIVE_POLICY, "{\"deadLetterTargetArn\":\"" + dlqArn
                + "\",\"maxReceiveCount\":\"" + spec.maxReceiveCount() + "\"}");
        String name = naming.physical(spec.name());
        String url;
        try {
            url = sqs.createQueue(b -> b.queueName(name).attributes(attributes)).queueUrl();
        } catch (software.amazon.awssdk.services.sqs.model.QueueNameExistsException e) {
            // exists with other attributes (the manifest changed): bring it in line
            url = sqs.getQueueUrl(b -> b.queueName(name)).queueUrl();
            String existingUrl = url;
            sqs.setQueueAttributes(b -> b.queueUrl(existingUrl).attributes(attributes));
        }
        return url;
    }

    private String bucket(BucketSpec spec) {
        String name = naming.physical(spec.name());
        try {
            s3.headBucket(b -> b.bucket(name));
        } catch (NoSuchBucketException e) {
            s3.createBucket(b -> b.bucket(name));
            LOG.info("bucket created name={}", name);
        }
        try {
            s3.putBucketVersioning(b -> b.bucket(name).versioningConfiguration(v -> v
                    .status(BucketVersioningStatus.ENABLED)));
        } catch (RuntimeException e) {
            LOG.debug("bucket versioning not supported by the local S3 emulator bucket={} reason={}", name,
                    e.toString());
        }
        return name;
    }

    /**
     * Variables the local cloud gives every function on top of the manifest's (the manifest wins on a clash): the
     * local identity provider's, which a deployment on AWS sets from its own user pool.
     */
    public ResourceProvisioner withExtraEnvironment(Map<String, String> extra) {
        this.extraEnvironment = Map.copyOf(extra);
        return this;
    }

    private String function(FunctionSpec spec, Path code, Map<String, String> tables, Map<String, String> queues,
                            Map<String, String> buckets) {
        String name = naming.physical(spec.name());
        Map<String, String> environment = new LinkedHashMap<>(extraEnvironment);
        spec.environment().forEach((key, value) -> environment.put(key, switch (value) {
            case EnvValue.Literal literal -> literal.value();
            case EnvValue.GeneratedKey generated -> keys.value(generated.name());
            case EnvValue.Ref ref -> switch (ref.kind()) {
                case TABLE -> tables.get(ref.name());
                case QUEUE -> queues.get(ref.name());
                case BUCKET -> buckets.get(ref.name());
                case FUNCTION -> naming.physical(ref.name());
            };
        }));
        String role = "arn:aws:iam::000000000000:role/" + name;
        try {
            lambda.updateCode(name, null, LocalLambda.HOT_RELOAD_BUCKET, code.toString());
            lambda.updateConfiguration(name, spec.handler(), "java21", role, spec.description(),
                    spec.timeoutSeconds(), spec.memoryMb(), environment);
        } catch (LambdaException e) {
            if (e.status() != 404) {
                throw e;
            }
            lambda.create(new LocalLambda.CreateRequest(name, "java21", spec.handler(), role, spec.description(),
                    spec.timeoutSeconds(), spec.memoryMb(), environment, null, LocalLambda.HOT_RELOAD_BUCKET,
                    code.toString()));
        }
        lambda.putConcurrency(name, spec.reservedConcurrency() > 0 ? spec.reservedConcurrency() : null);
        return name;
    }
}
