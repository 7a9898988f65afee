package dev.skyloom.local.cloud.provision;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.local.cloud.events.LocalEventBridge;
import dev.skyloom.local.cloud.lambda.LambdaException;
import dev.skyloom.local.cloud.lambda.LocalLambda;
import dev.skyloom.manifest.BucketSpec;
import dev.skyloom.manifest.DefinitionSubstitutions;
import dev.skyloom.manifest.EnvValue;
import dev.skyloom.manifest.EventBusSpec;
import dev.skyloom.manifest.FunctionSpec;
import dev.skyloom.manifest.IndexSpec;
import dev.skyloom.manifest.Key;
import dev.skyloom.manifest.Naming;
import dev.skyloom.manifest.QueueSpec;
import dev.skyloom.manifest.ResourceKind;
import dev.skyloom.manifest.ResourceManifest;
import dev.skyloom.manifest.RuleSpec;
import dev.skyloom.manifest.ScheduleGroupSpec;
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
 * deployment creates them on AWS, and its event buses and rules through the local EventBridge. Idempotent: what exists
 * is kept (indexes missing from a table are added, functions are updated to the manifest's handler, memory, timeout
 * and environment, rules to their pattern and targets).
 *
 * <p>Schedule groups are only recorded: the local cloud has no EventBridge Scheduler API, and the manifest declares
 * no schedule (the platform creates pulses at run time).
 */
public final class ResourceProvisioner {
    private static final Logger LOG = LoggerFactory.getLogger(ResourceProvisioner.class);

    private final DynamoDbClient dynamoDb;
    private final SqsClient sqs;
    private final S3Client s3;
    private final LocalLambda lambda;
    private final LocalEventBridge eventBridge;
    private final Naming naming;
    private final LocalKeys keys;
    private Map<EnvValue.IdentityValue.Field, String> identity = Map.of();

    private static final ObjectMapper JSON = new ObjectMapper();

    public ResourceProvisioner(DynamoDbClient dynamoDb, SqsClient sqs, S3Client s3, LocalLambda lambda,
                               LocalEventBridge eventBridge, Naming naming, LocalKeys keys) {
        this.dynamoDb = dynamoDb;
        this.sqs = sqs;
        this.s3 = s3;
        this.lambda = lambda;
        this.eventBridge = eventBridge;
        this.naming = naming;
        this.keys = keys;
    }

    /**
     * What was provisioned, by logical name: physical names of tables, buckets, functions and event buses, queue URLs,
     * state machine and rule ARNs, and the physical names of the schedule groups (recorded, not created).
     */
    public record Provisioned(Map<String, String> tables, Map<String, String> queueUrls, Map<String, String> buckets,
                              Map<String, String> functions, Map<String, String> stateMachines,
                              Map<String, String> eventBuses, Map<String, String> rules,
                              Map<String, String> scheduleGroups) {
    }

    /** Creates or updates a state machine; returns its ARN. */
    public interface StateMachineDeployer {
        String deploy(String name, String definition, String roleArn);

        String arnOf(String name);
    }

    public Provisioned provision(ResourceManifest manifest, Path functionsCode, List<StateMachineSpec> stateMachineSpecs,
                                 StateMachineDeployer deployer) {
        manifest.requireOutsideFamilies(stateMachineSpecs);
        manifest.missingStateMachines(stateMachineSpecs).forEach((name, where) -> LOG.warn(
                "state machine has no definition name={} referredToBy=\"{}\" (its ARN is used anyway)", name, where));
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
        Map<String, String> buses = new LinkedHashMap<>();
        for (EventBusSpec bus : manifest.eventBuses()) {
            String name = naming.physical(bus.name());
            eventBridge.ensureEventBus(name);
            buses.put(bus.name(), name);
        }
        Map<String, String> stateMachineArns = new LinkedHashMap<>();
        stateMachineSpecs.forEach(spec -> stateMachineArns.put(spec.name(), deployer.arnOf(naming.physical(spec.name()))));
        manifest.missingStateMachines(stateMachineSpecs).keySet().forEach(name -> stateMachineArns.put(name,
                deployer.arnOf(naming.physical(name))));
        // execution roles (pipelines'): no IAM locally, so nothing is created; the ARN is the same shape as on AWS
        // and the local Step Functions engine accepts any role
        Map<String, String> roles = new LinkedHashMap<>();
        manifest.roles().forEach(role -> roles.put(role.name(),
                "arn:aws:iam::000000000000:role/" + naming.physical(role.name())));
        Map<ResourceKind, Map<String, String>> values = Map.of(ResourceKind.TABLE, tables, ResourceKind.QUEUE, queues,
                ResourceKind.BUCKET, buckets, ResourceKind.EVENT_BUS, buses,
                ResourceKind.STATE_MACHINE, stateMachineArns, ResourceKind.ROLE, roles);
        Map<String, String> functions = new LinkedHashMap<>();
        for (FunctionSpec function : manifest.functions()) {
            functions.put(function.name(), function(function, functionsCode, values));
        }
        Map<String, String> substitutions = new HashMap<>();
        tables.forEach((logical, name) -> substitutions.put(DefinitionSubstitutions.key(ResourceKind.TABLE, logical),
                name));
        queues.forEach((logical, url) -> substitutions.put(DefinitionSubstitutions.key(ResourceKind.QUEUE, logical),
                url));
        buckets.forEach((logical, name) -> substitutions.put(DefinitionSubstitutions.key(ResourceKind.BUCKET, logical),
                name));
        functions.forEach((logical, name) -> substitutions.put(DefinitionSubstitutions.key(ResourceKind.FUNCTION,
                logical), lambda.functionArn(name)));
        stateMachineSpecs.forEach(spec -> substitutions.put(DefinitionSubstitutions.stateMachineArn(spec.name()),
                stateMachineArns.get(spec.name())));
        buses.forEach((logical, name) -> substitutions.put(DefinitionSubstitutions.key(ResourceKind.EVENT_BUS,
                logical), name));
        Map<String, String> stateMachines = new LinkedHashMap<>();
        for (StateMachineSpec spec : stateMachineSpecs) {
            String name = naming.physical(spec.name());
            String definition;
            try {
                definition = DefinitionSubstitutions.substitute(spec.definition(), substitutions);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("state machine " + spec.name() + ": " + e.getMessage(), e);
            }
            stateMachines.put(spec.name(), deployer.deploy(name, definition,
                    "arn:aws:iam::000000000000:role/" + name));
            LOG.info("state machine deployed name={}", name);
        }
        Map<String, String> rules = new LinkedHashMap<>();
        for (RuleSpec rule : manifest.rules()) {
            rules.put(rule.name(), rule(rule, manifest.queue(rule.deadLetterQueue()).deadLetterQueueName(), buses, queues,
                    functions, stateMachineArns));
        }
        Map<String, String> scheduleGroups = new LinkedHashMap<>();
        for (ScheduleGroupSpec group : manifest.scheduleGroups()) {
            scheduleGroups.put(group.name(), naming.physical(group.name()));
            LOG.debug("schedule group recorded (no local Scheduler API) name={}", naming.physical(group.name()));
        }
        return new Provisioned(tables, queues, buckets, functions, stateMachines, buses, rules, scheduleGroups);
    }

    /** Creates or updates a rule and its targets; targets no longer in the manifest are removed. */
    private String rule(RuleSpec spec, String deadLetterQueue, Map<String, String> buses, Map<String, String> queueUrls,
                        Map<String, String> functions, Map<String, String> stateMachines) {
        String bus = buses.get(spec.bus());
        String name = naming.physical(spec.name());
        String arn = eventBridge.putRule(bus, name, spec.eventPattern(), null, "ENABLED", spec.description());
        String deadLetterArn = queueArn(sqs.getQueueUrl(b -> b.queueName(naming.physical(deadLetterQueue))).queueUrl());
        ArrayNode targets = JSON.createArrayNode();
        for (RuleSpec.Target target : spec.targets()) {
            String targetArn = switch (target.kind()) {
                case QUEUE -> queueArn(queueUrls.get(target.name()));
                case FUNCTION -> lambda.functionArn(functions.get(target.name()));
                case STATE_MACHINE -> stateMachines.get(target.name());
                default -> throw new IllegalStateException("unsupported rule target " + target);
            };
            ObjectNode node = targets.addObject().put("Id", target.id()).put("Arn", targetArn);
            node.putObject("DeadLetterConfig").put("Arn", deadLetterArn);
        }
        eventBridge.putTargets(bus, name, targets);
        ArrayNode stale = JSON.createArrayNode();
        for (JsonNode existing : eventBridge.listTargets(bus, name)) {
            String id = existing.path("Id").asText();
            if (spec.targets().stream().noneMatch(t -> t.id().equals(id))) {
                stale.add(id);
            }
        }
        if (!stale.isEmpty()) {
            eventBridge.removeTargets(bus, name, stale);
        }
        LOG.info("rule provisioned name={} bus={} targets={}", name, bus, spec.targets().size());
        return arn;
    }

    private String queueArn(String url) {
        return sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
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
     * The identity provider's values for {@link EnvValue.IdentityValue} variables: locally the local cloud's
     * development issuer (on AWS the CDK app takes them from the Cognito user pool).
     */
    public ResourceProvisioner withIdentity(Map<EnvValue.IdentityValue.Field, String> values) {
        this.identity = Map.copyOf(values);
        return this;
    }

    private String function(FunctionSpec spec, Path code, Map<ResourceKind, Map<String, String>> resources) {
        String name = naming.physical(spec.name());
        Map<String, String> environment = new LinkedHashMap<>();
        spec.environment().forEach((key, value) -> environment.put(key, switch (value) {
            case EnvValue.Literal literal -> literal.value();
            case EnvValue.GeneratedKey generated -> keys.value(generated.name());
            case EnvValue.IdentityValue id -> {
                String resolved = identity.get(id.field());
                if (resolved == null) {
                    throw new IllegalStateException("function " + spec.name() + " needs the identity provider's "
                            + id.field() + " for " + key + ", and the local cloud has no identity provider set");
                }
                yield resolved;
            }
            case EnvValue.Ref ref -> switch (ref.kind()) {
                case FUNCTION -> naming.physical(ref.name());
                case MODEL -> throw new IllegalStateException("models are not environment values");
                default -> resources.get(ref.kind()).get(ref.name());
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
