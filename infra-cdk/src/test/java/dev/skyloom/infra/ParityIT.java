package dev.skyloom.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skyloom.local.cloud.LocalCloud;
import dev.skyloom.local.cloud.LocalCloudConfig;
import dev.skyloom.manifest.DefinitionSubstitutions;
import dev.skyloom.manifest.Naming;
import dev.skyloom.manifest.SkyloomResources;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awscdk.App;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.FunctionConfiguration;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.StateMachineListItem;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Parity: the synthesized CDK app and the local cloud hold the same resources. The local cloud runs in-process and
 * creates the manifest's resources; the real SDK v2 clients describe them through its edge. The CDK side is the
 * template of stage {@code parity}, synthesized from the same manifest and the real {@code statemachines/} folder.
 * Names differ only by the {@link Naming} prefix ({@code skyloom-} locally, {@code skyloom-parity-} on AWS).
 *
 * <p>Both sides deploy the state machines of {@code statemachines/} plus a probe definition
 * ({@code src/test/resources/parity/parity-probe.asl.json}) that uses every kind of placeholder, so the state machine
 * comparison always has a definition to compare.
 */
class ParityIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Naming LOCAL = Naming.LOCAL;
    private static final Naming CLOUD = Naming.forStage("parity");
    /** Resources the local cloud keeps for itself (its asynchronous Lambda invocations), not the platform's. */
    private static final String LOCAL_INTERNAL = "skyloom-local-";

    @TempDir
    static Path dataDir;

    private static LocalCloud cloud;
    private static Template data;
    private static Template platform;
    private static DynamoDbClient dynamoDb;
    private static SqsClient sqs;
    private static S3Client s3;
    private static LambdaClient lambda;
    private static SfnClient sfn;
    private static EventBridgeClient events;

    /** The probe definition both sides deploy besides those of {@code statemachines/}. */
    static final String PROBE = "parity-probe";

    @TempDir
    static Path stateMachineDir;

    @BeforeAll
    static void synthesizeAndStart() throws Exception {
        Path jar = SynthesizedApp.functionsJar();
        Path stateMachines = stateMachinesWithProbe();
        App app = SynthesizedApp.newApp();
        SkyloomDeployment deployment = SkyloomDeployment.create(app,
                new DeploymentConfig("parity", jar, stateMachines, null), SkyloomResources.manifest(), null);
        app.synth();
        data = Template.fromStack(deployment.data());
        platform = Template.fromStack(deployment.platform());

        cloud = new LocalCloud(LocalCloudConfig.ephemeral(dataDir, jar).withStateMachines(stateMachines)).start();
        URI edge = cloud.edgeEndpoint();
        var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));
        var config = ClientOverrideConfiguration.builder().retryStrategy(AwsRetryStrategy.doNotRetry())
                .apiCallTimeout(Duration.ofSeconds(30)).build();
        dynamoDb = DynamoDbClient.builder().endpointOverride(edge).region(Region.US_EAST_1)
                .credentialsProvider(credentials).overrideConfiguration(config).build();
        sqs = SqsClient.builder().endpointOverride(edge).region(Region.US_EAST_1)
                .credentialsProvider(credentials).overrideConfiguration(config).build();
        s3 = S3Client.builder().endpointOverride(edge).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(credentials).overrideConfiguration(config).build();
        lambda = LambdaClient.builder().endpointOverride(edge).region(Region.US_EAST_1)
                .credentialsProvider(credentials).overrideConfiguration(config).build();
        sfn = SfnClient.builder().endpointOverride(edge).region(Region.US_EAST_1)
                .credentialsProvider(credentials).overrideConfiguration(config).build();
        events = EventBridgeClient.builder().endpointOverride(edge).region(Region.US_EAST_1)
                .credentialsProvider(credentials).overrideConfiguration(config).build();
    }

    private static Path stateMachinesWithProbe() throws Exception {
        Path real = SynthesizedApp.root().resolve("statemachines");
        if (Files.isDirectory(real)) {
            try (var files = Files.list(real)) {
                for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".asl.json")).toList()) {
                    Files.copy(file, stateMachineDir.resolve(file.getFileName()));
                }
            }
        }
        try (var probe = ParityIT.class.getResourceAsStream("/parity/" + PROBE + ".asl.json")) {
            Files.copy(java.util.Objects.requireNonNull(probe, "test resource parity/" + PROBE + ".asl.json"),
                    stateMachineDir.resolve(PROBE + ".asl.json"));
        }
        return stateMachineDir;
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable client : new AutoCloseable[] {dynamoDb, sqs, s3, lambda, sfn, events}) {
            try {
                if (client != null) {
                    client.close();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        if (cloud != null) {
            cloud.close();
        }
    }

    // ---- tables ------------------------------------------------------------------------------------------------

    /** A key element: attribute, HASH or RANGE, and the attribute's type. */
    record KeyPart(String attribute, String keyType, String attributeType) {
    }

    /** What must agree about a table. */
    record TableShape(List<KeyPart> key, Map<String, List<KeyPart>> indexes, Map<String, String> projections,
                      String ttlAttribute) {
    }

    @Test
    void tables_haveTheSameKeySchemas_indexes_andTtl() {
        Map<String, TableShape> local = new TreeMap<>();
        for (String name : dynamoDb.listTables().tableNames()) {
            if (!name.startsWith(LOCAL.prefix()) || name.startsWith(LOCAL_INTERNAL)) {
                continue;
            }
            TableDescription table = dynamoDb.describeTable(b -> b.tableName(name)).table();
            Map<String, String> types = new TreeMap<>();
            for (AttributeDefinition attribute : table.attributeDefinitions()) {
                types.put(attribute.attributeName(), attribute.attributeTypeAsString());
            }
            Map<String, List<KeyPart>> indexes = new TreeMap<>();
            Map<String, String> projections = new TreeMap<>();
            table.globalSecondaryIndexes().forEach(index -> {
                indexes.put(index.indexName(), keyParts(index.keySchema(), types));
                projections.put(index.indexName(), index.projection().projectionTypeAsString());
            });
            var ttl = dynamoDb.describeTimeToLive(b -> b.tableName(name)).timeToLiveDescription();
            local.put(logical(LOCAL, name), new TableShape(keyParts(table.keySchema(), types), indexes, projections,
                    "ENABLED".equals(ttl.timeToLiveStatusAsString()) ? ttl.attributeName() : null));
        }

        Map<String, TableShape> synthesized = new TreeMap<>();
        data.findResources("AWS::DynamoDB::Table").values().forEach(resource -> {
            Map<String, Object> properties = Templates.properties(resource);
            Map<String, String> types = new TreeMap<>();
            for (Map<String, Object> attribute : maps(properties.get("AttributeDefinitions"))) {
                types.put((String) attribute.get("AttributeName"), (String) attribute.get("AttributeType"));
            }
            Map<String, List<KeyPart>> indexes = new TreeMap<>();
            Map<String, String> projections = new TreeMap<>();
            for (Map<String, Object> index : maps(properties.get("GlobalSecondaryIndexes"))) {
                indexes.put((String) index.get("IndexName"), templateKeyParts(index.get("KeySchema"), types));
                projections.put((String) index.get("IndexName"),
                        (String) ((Map<?, ?>) index.get("Projection")).get("ProjectionType"));
            }
            Map<?, ?> ttl = (Map<?, ?>) properties.get("TimeToLiveSpecification");
            synthesized.put(logical(CLOUD, (String) properties.get("TableName")), new TableShape(
                    templateKeyParts(properties.get("KeySchema"), types), indexes, projections,
                    ttl != null && Boolean.TRUE.equals(ttl.get("Enabled")) ? (String) ttl.get("AttributeName") : null));
        });

        assertThat(local).as("tables of the local cloud").isNotEmpty();
        assertThat(synthesized).as("tables of the CDK app vs the local cloud").isEqualTo(local);
    }

    private static List<KeyPart> keyParts(List<KeySchemaElement> schema, Map<String, String> types) {
        return schema.stream().map(k -> new KeyPart(k.attributeName(), k.keyTypeAsString(), types.get(k.attributeName())))
                .toList();
    }

    private static List<KeyPart> templateKeyParts(Object schema, Map<String, String> types) {
        return maps(schema).stream().map(k -> new KeyPart((String) k.get("AttributeName"), (String) k.get("KeyType"),
                types.get((String) k.get("AttributeName")))).toList();
    }

    // ---- queues ------------------------------------------------------------------------------------------------

    /**
     * What must agree about a queue: its dead-letter queue (logical name), receives before redrive, visibility
     * timeout. Not retention: ElasticMQ 1.7 accepts MessageRetentionPeriod but does not report it back (the
     * MessagingTest checks the template's retention against the manifest instead).
     */
    record QueueShape(String deadLetterQueue, Integer maxReceiveCount, String visibilityTimeout) {
    }

    @Test
    void queues_andTheirDeadLetterWiring_areTheSame() throws Exception {
        Map<String, QueueShape> local = new TreeMap<>();
        for (String url : sqs.listQueues(b -> b.queueNamePrefix(LOCAL.prefix())).queueUrls()) {
            String name = url.substring(url.lastIndexOf('/') + 1);
            if (name.startsWith(LOCAL_INTERNAL)) {
                continue;
            }
            Map<QueueAttributeName, String> attributes = sqs.getQueueAttributes(b -> b.queueUrl(url)
                    .attributeNames(QueueAttributeName.REDRIVE_POLICY, QueueAttributeName.VISIBILITY_TIMEOUT))
                    .attributes();
            String redrive = attributes.get(QueueAttributeName.REDRIVE_POLICY);
            String dlq = null;
            Integer receives = null;
            if (redrive != null) {
                JsonNode policy = JSON.readTree(redrive);
                String arn = policy.path("deadLetterTargetArn").asText();
                dlq = logical(LOCAL, arn.substring(arn.lastIndexOf(':') + 1));
                receives = policy.path("maxReceiveCount").asInt();
            }
            local.put(logical(LOCAL, name), new QueueShape(dlq, receives,
                    attributes.get(QueueAttributeName.VISIBILITY_TIMEOUT)));
        }

        Map<String, Map<String, Object>> queues = platform.findResources("AWS::SQS::Queue");
        Map<String, QueueShape> synthesized = new TreeMap<>();
        queues.values().forEach(resource -> {
            Map<String, Object> properties = Templates.properties(resource);
            Map<?, ?> redrive = (Map<?, ?>) properties.get("RedrivePolicy");
            String dlq = null;
            Integer receives = null;
            if (redrive != null) {
                List<?> target = (List<?>) ((Map<?, ?>) redrive.get("deadLetterTargetArn")).get("Fn::GetAtt");
                dlq = logical(CLOUD, (String) Templates.properties(queues.get((String) target.get(0))).get("QueueName"));
                receives = ((Number) redrive.get("maxReceiveCount")).intValue();
            }
            synthesized.put(logical(CLOUD, (String) properties.get("QueueName")), new QueueShape(dlq, receives,
                    String.valueOf(number(properties.get("VisibilityTimeout"), 30))));
        });

        assertThat(local).as("queues of the local cloud").isNotEmpty();
        assertThat(synthesized).as("queues of the CDK app vs the local cloud").isEqualTo(local);
    }

    // ---- functions ---------------------------------------------------------------------------------------------

    /** What must agree about a function. */
    record FunctionShape(String handlerClass, String handler, String runtime, int memory, int timeout,
                         Integer reservedConcurrency, Set<String> environment) {
    }

    /** Variables only the AWS deployment sets (Powertools configuration of the stage). */
    private static final Set<String> AWS_ONLY_VARIABLES = Set.of("POWERTOOLS_LOG_LEVEL",
            "POWERTOOLS_METRICS_NAMESPACE", "POWERTOOLS_TRACER_CAPTURE_RESPONSE");

    @Test
    void functions_runTheSameHandlers_withTheSameSizing_andEnvironment() {
        Map<String, FunctionShape> local = new TreeMap<>();
        for (FunctionConfiguration function : lambda.listFunctions().functions()) {
            String name = function.functionName();
            if (!name.startsWith(LOCAL.prefix()) || name.startsWith(LOCAL_INTERNAL)) {
                continue;
            }
            Integer reserved = lambda.getFunctionConcurrency(b -> b.functionName(name)).reservedConcurrentExecutions();
            local.put(logical(LOCAL, name), new FunctionShape(handlerClass(function.handler()), function.handler(),
                    function.runtimeAsString(), function.memorySize(), function.timeout(), reserved,
                    function.environment() == null ? Set.of() : new TreeSet<>(function.environment().variables().keySet())));
        }

        Map<String, FunctionShape> synthesized = new TreeMap<>();
        platform.findResources("AWS::Lambda::Function").values().forEach(resource -> {
            Map<String, Object> properties = Templates.properties(resource);
            Set<String> environment = new TreeSet<>();
            ((Map<?, ?>) ((Map<?, ?>) properties.get("Environment")).get("Variables")).keySet()
                    .forEach(key -> environment.add((String) key));
            environment.removeAll(AWS_ONLY_VARIABLES);
            synthesized.put(logical(CLOUD, (String) properties.get("FunctionName")), new FunctionShape(
                    handlerClass((String) properties.get("Handler")), (String) properties.get("Handler"),
                    (String) properties.get("Runtime"), number(properties.get("MemorySize"), 128),
                    number(properties.get("Timeout"), 3), properties.get("ReservedConcurrentExecutions") == null ? null
                            : number(properties.get("ReservedConcurrentExecutions"), 0), environment));
        });

        assertThat(local).as("functions of the local cloud").isNotEmpty();
        assertThat(synthesized).as("functions of the CDK app vs the local cloud").isEqualTo(local);
    }

    private static String handlerClass(String handler) {
        int separator = handler.indexOf("::");
        return separator < 0 ? handler : handler.substring(0, separator);
    }

    // ---- buckets -----------------------------------------------------------------------------------------------

    /** Buckets only the AWS deployment has: server access logs, and the console (served by :8080 locally). */
    private static final Set<String> AWS_ONLY_BUCKETS = Set.of("access-logs");

    @Test
    void buckets_ofTheManifest_existOnBothSides() {
        Set<String> local = new TreeSet<>();
        s3.listBuckets().buckets().forEach(bucket -> {
            if (bucket.name().startsWith(LOCAL.prefix()) && !bucket.name().startsWith(LOCAL_INTERNAL)) {
                local.add(logical(LOCAL, bucket.name()));
            }
        });
        Set<String> synthesized = new TreeSet<>();
        Pattern global = Pattern.compile(Pattern.quote(CLOUD.prefix()) + "(.+)-\\{AWS::AccountId}-\\{AWS::Region}");
        data.findResources("AWS::S3::Bucket").values().forEach(resource -> {
            Matcher name = global.matcher(Templates.render(Templates.properties(resource).get("BucketName"), data));
            assertThat(name.matches()).as("bucket name pattern").isTrue();
            synthesized.add(name.group(1));
        });
        synthesized.removeAll(AWS_ONLY_BUCKETS);

        assertThat(local).as("buckets of the local cloud").isNotEmpty();
        assertThat(synthesized).as("buckets of the CDK app vs the local cloud").isEqualTo(local);
    }

    // ---- state machines ----------------------------------------------------------------------------------------

    @Test
    void stateMachines_haveTheSameNames_andTheSameDefinitionsBeforeSubstitution() throws Exception {
        Map<String, String> synthesized = new TreeMap<>();
        platform.findResources("AWS::StepFunctions::StateMachine").values().forEach(resource -> {
            Map<String, Object> properties = Templates.properties(resource);
            synthesized.put(logical(CLOUD, (String) properties.get("StateMachineName")),
                    (String) properties.get("DefinitionString"));
        });

        Map<String, String> local = new TreeMap<>();
        for (StateMachineListItem machine : localStateMachines()) {
            if (machine.name().startsWith(LOCAL.prefix()) && !machine.name().startsWith(LOCAL_INTERNAL)) {
                local.put(logical(LOCAL, machine.name()), sfn.describeStateMachine(b -> b
                        .stateMachineArn(machine.stateMachineArn())).definition());
            }
        }

        assertThat(local).as("state machines of the local cloud").containsKey(PROBE);
        assertThat(local.keySet()).as("state machines of the local cloud vs the CDK app")
                .isEqualTo(synthesized.keySet());
        for (Map.Entry<String, String> machine : synthesized.entrySet()) {
            assertThat(sameBeforeSubstitution(JSON.readTree(machine.getValue()), JSON.readTree(local.get(machine.getKey()))))
                    .as("definition of " + machine.getKey()).isTrue();
        }
    }

    /**
     * The local cloud's state machines. A local cloud built without Step Functions answers
     * {@code UnknownServiceException}: it has none, and any state machine of the CDK app then breaks parity.
     */
    private static List<StateMachineListItem> localStateMachines() {
        try {
            return sfn.listStateMachines().stateMachines();
        } catch (AwsServiceException e) {
            if ("UnknownServiceException".equals(e.awsErrorDetails().errorCode())) {
                return List.of();
            }
            throw e;
        }
    }

    /**
     * Whether {@code deployed} is {@code template} with each {@code ${key}} filled in: same structure, equal
     * values, and every string with placeholders matching with the placeholders as wildcards.
     */
    static boolean sameBeforeSubstitution(JsonNode template, JsonNode deployed) {
        if (template.isTextual() && !DefinitionSubstitutions.referencedKeys(template.asText()).isEmpty()) {
            if (!deployed.isTextual()) {
                return false;
            }
            String[] literal = template.asText().split("\\$\\{[A-Za-z][A-Za-z0-9_]*}", -1);
            StringBuilder regex = new StringBuilder();
            for (int i = 0; i < literal.length; i++) {
                regex.append(Pattern.quote(literal[i]));
                if (i < literal.length - 1) {
                    regex.append(".+");
                }
            }
            return deployed.asText().matches(regex.toString());
        }
        if (template.isObject()) {
            if (!deployed.isObject() || template.size() != deployed.size()) {
                return false;
            }
            for (Iterator<String> names = template.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!deployed.has(name) || !sameBeforeSubstitution(template.get(name), deployed.get(name))) {
                    return false;
                }
            }
            return true;
        }
        if (template.isArray()) {
            if (!deployed.isArray() || template.size() != deployed.size()) {
                return false;
            }
            for (int i = 0; i < template.size(); i++) {
                if (!sameBeforeSubstitution(template.get(i), deployed.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return template.equals(deployed);
    }

    @Test
    void definitionComparison_treatsPlaceholdersAsWildcards_only() throws Exception {
        JsonNode template = JSON.readTree("{\"A\":{\"Resource\":\"${FunctionArn_api}\",\"N\":1}}");

        assertThat(sameBeforeSubstitution(template, JSON.readTree(
                "{\"A\":{\"Resource\":\"arn:aws:lambda:us-east-1:0:function:skyloom-api\",\"N\":1}}"))).isTrue();
        assertThat(sameBeforeSubstitution(template, JSON.readTree(
                "{\"A\":{\"Resource\":\"arn:x\",\"N\":2}}"))).isFalse();
        assertThat(sameBeforeSubstitution(template, JSON.readTree("{\"A\":{\"Resource\":\"arn:x\"}}"))).isFalse();
    }

    // ---- event buses, rules, schedule groups -------------------------------------------------------------------

    /** What must agree about a rule: bus, pattern, state, and each target's id, destination and dead-letter queue. */
    record RuleShape(String bus, JsonNode pattern, String state, Map<String, List<String>> targets) {
    }

    @Test
    void eventBuses_andRules_areTheSame_withTheSamePatterns_targets_andDeadLetterQueues() throws Exception {
        Set<String> localBuses = new TreeSet<>();
        events.listEventBuses(b -> b.namePrefix(LOCAL.prefix())).eventBuses().forEach(bus -> {
            // the local EventBridge ignores NamePrefix (and always has the default bus): filter here
            if (bus.name().startsWith(LOCAL.prefix()) && !bus.name().startsWith(LOCAL_INTERNAL)) {
                localBuses.add(logical(LOCAL, bus.name()));
            }
        });
        Set<String> synthesizedBuses = new TreeSet<>();
        platform.findResources("AWS::Events::EventBus").values().forEach(bus -> synthesizedBuses.add(
                logical(CLOUD, (String) Templates.properties(bus).get("Name"))));
        assertThat(localBuses).as("event buses of the local cloud").isNotEmpty();
        assertThat(synthesizedBuses).as("event buses of the CDK app vs the local cloud").isEqualTo(localBuses);

        Map<String, RuleShape> local = new TreeMap<>();
        for (String bus : localBuses) {
            String physicalBus = LOCAL.physical(bus);
            for (var rule : events.listRules(b -> b.eventBusName(physicalBus)).rules()) {
                Map<String, List<String>> targets = new TreeMap<>();
                events.listTargetsByRule(b -> b.eventBusName(physicalBus).rule(rule.name())).targets().forEach(t ->
                        targets.put(t.id(), List.of(logicalOfArn(LOCAL, t.arn()),
                                t.deadLetterConfig() == null ? "-" : logicalOfArn(LOCAL, t.deadLetterConfig().arn()))));
                local.put(logical(LOCAL, rule.name()), new RuleShape(bus, JSON.readTree(rule.eventPattern()),
                        rule.stateAsString(), targets));
            }
        }

        Map<String, Map<String, Object>> buses = platform.findResources("AWS::Events::EventBus");
        Map<String, Map<String, Object>> queues = platform.findResources("AWS::SQS::Queue");
        Map<String, RuleShape> synthesized = new TreeMap<>();
        for (Map<String, Object> resource : platform.findResources("AWS::Events::Rule").values()) {
            Map<String, Object> properties = Templates.properties(resource);
            String busId = (String) ((Map<?, ?>) properties.get("EventBusName")).get("Ref");
            Map<String, List<String>> targets = new TreeMap<>();
            for (Map<String, Object> target : maps(properties.get("Targets"))) {
                targets.put((String) target.get("Id"), List.of(
                        queueOf(queues, target.get("Arn")),
                        queueOf(queues, ((Map<?, ?>) target.get("DeadLetterConfig")).get("Arn"))));
            }
            synthesized.put(logical(CLOUD, (String) properties.get("Name")), new RuleShape(
                    logical(CLOUD, (String) Templates.properties(buses.get(busId)).get("Name")),
                    JSON.valueToTree(properties.get("EventPattern")), (String) properties.get("State"), targets));
        }

        assertThat(local).as("rules of the local cloud").isNotEmpty();
        assertThat(synthesized).as("rules of the CDK app vs the local cloud").isEqualTo(local);
    }

    /** The logical name of a queue that a template value ({@code Fn::GetAtt [queue, Arn]}) refers to. */
    private static String queueOf(Map<String, Map<String, Object>> queues, Object arn) {
        List<?> getAtt = (List<?>) ((Map<?, ?>) arn).get("Fn::GetAtt");
        return logical(CLOUD, (String) Templates.properties(queues.get((String) getAtt.get(0))).get("QueueName"));
    }

    private static String logicalOfArn(Naming naming, String arn) {
        return logical(naming, arn.substring(arn.lastIndexOf(':') + 1));
    }

    @Test
    void scheduleGroups_areTheSame() {
        Set<String> local = new TreeSet<>();
        cloud.provisioned().orElseThrow().scheduleGroups().values().forEach(name -> local.add(logical(LOCAL, name)));
        Set<String> synthesized = new TreeSet<>();
        platform.findResources("AWS::Scheduler::ScheduleGroup").values().forEach(group -> synthesized.add(
                logical(CLOUD, (String) Templates.properties(group).get("Name"))));

        assertThat(local).as("schedule groups recorded by the local cloud").isNotEmpty();
        assertThat(synthesized).as("schedule groups of the CDK app vs the local cloud").isEqualTo(local);
    }

    // ---- event source mappings ---------------------------------------------------------------------------------

    /** What must agree about an SQS event source mapping (locally the batching window is not emulated). */
    record MappingShape(String function, String queue, int batchSize, boolean reportBatchItemFailures) {
    }

    @Test
    void eventSourceMappings_areTheSame_withTheSameBatchSize_andPartialBatchResponses() {
        Map<String, MappingShape> local = new TreeMap<>();
        cloud.eventSourceMappings().orElseThrow().mappings().forEach(m -> local.put(m.config().name(),
                new MappingShape(logical(LOCAL, m.config().functionName()),
                        logicalOfArn(LOCAL, m.config().queueArn()), m.config().batchSize(),
                        m.config().reportBatchItemFailures())));

        Map<String, Map<String, Object>> aliases = platform.findResources("AWS::Lambda::Alias");
        Map<String, Map<String, Object>> functions = platform.findResources("AWS::Lambda::Function");
        Map<String, Map<String, Object>> queues = platform.findResources("AWS::SQS::Queue");
        Map<String, MappingShape> synthesized = new TreeMap<>();
        platform.findResources("AWS::Lambda::EventSourceMapping").values().forEach(resource -> {
            Map<String, Object> properties = Templates.properties(resource);
            String alias = (String) ((Map<?, ?>) properties.get("FunctionName")).get("Ref");
            String function = (String) ((Map<?, ?>) Templates.properties(aliases.get(alias)).get("FunctionName"))
                    .get("Ref");
            String functionName = logical(CLOUD, (String) Templates.properties(functions.get(function))
                    .get("FunctionName"));
            String queue = queueOf(queues, properties.get("EventSourceArn"));
            synthesized.put(queue + "-to-" + functionName, new MappingShape(functionName, queue,
                    number(properties.get("BatchSize"), 10),
                    strings(properties.get("FunctionResponseTypes")).contains("ReportBatchItemFailures")));
        });

        assertThat(local).as("event source mappings of the local cloud").isNotEmpty();
        assertThat(synthesized).as("event source mappings of the CDK app vs the local cloud").isEqualTo(local);
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(Object value) {
        return value == null ? List.of() : (List<String>) value;
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    private static String logical(Naming naming, String physical) {
        assertThat(physical).startsWith(naming.prefix());
        return physical.substring(naming.prefix().length());
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> maps(Object value) {
        return value == null ? List.of() : new ArrayList<>((List<Map<String, Object>>) value);
    }

    private static int number(Object value, int fallback) {
        return value == null ? fallback : ((Number) value).intValue();
    }
}
