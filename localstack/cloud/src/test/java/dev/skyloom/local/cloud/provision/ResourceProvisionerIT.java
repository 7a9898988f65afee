package dev.skyloom.local.cloud.provision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skyloom.local.cloud.LocalCloud;
import dev.skyloom.local.cloud.LocalCloudConfig;
import dev.skyloom.local.cloud.SdkClientsForTests;
import dev.skyloom.local.cloud.sfn.EngineStateMachineDeployer;
import dev.skyloom.manifest.EnvValue;
import dev.skyloom.manifest.EventBusSpec;
import dev.skyloom.manifest.RoleSpec;
import dev.skyloom.manifest.RuleSpec;
import dev.skyloom.manifest.ScheduleGroupSpec;
import dev.skyloom.manifest.FunctionSpec;
import dev.skyloom.manifest.Grant;
import dev.skyloom.manifest.IndexSpec;
import dev.skyloom.manifest.Key;
import dev.skyloom.manifest.Naming;
import dev.skyloom.manifest.QueueSpec;
import dev.skyloom.manifest.ResourceManifest;
import dev.skyloom.manifest.StateMachineSpec;
import dev.skyloom.manifest.TableSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;

/**
 * Provisioning a manifest into the local cloud: tables with their indexes and TTL, queues with their DLQ, functions,
 * and state machines whose placeholders are filled with the local names — idempotently.
 */
class ResourceProvisionerIT {
    @TempDir
    static Path dataDir;
    static LocalCloud cloud;
    static SdkClientsForTests clients;

    @BeforeAll
    static void start() throws Exception {
        cloud = new LocalCloud(LocalCloudConfig.ephemeral(dataDir, null)).start();
        clients = new SdkClientsForTests(cloud.edgeEndpoint());
    }

    @AfterAll
    static void stop() {
        clients.close();
        cloud.close();
    }

    private static ResourceManifest manifest() {
        return new ResourceManifest(
                List.of(new TableSpec("items", "", Key.string("pk"), Key.string("sk"),
                        List.of(IndexSpec.of("byOwner", Key.string("owner"), null)), "expiresAt")),
                List.of(new QueueSpec("work", "", 30, 3600, 3)), List.of(),
                List.of(new FunctionSpec("greet", "", "dev.skyloom.local.cloud.testfunctions.GreetingHandler", 256, 10, 0,
                        Map.of("TABLE", EnvValue.tableName("items"), "KEY", EnvValue.generatedKey("test"),
                                "BUS", EnvValue.eventBusName("bus"), "FLOW", EnvValue.stateMachineArn("flow"),
                                "ROLE", EnvValue.roleArn("runner")),
                        List.of())),
                List.of(new EventBusSpec("bus", "")),
                List.of(new RuleSpec("work-in", "", "bus", "{\"source\":[{\"prefix\":\"skyloom.\"}]}",
                                List.of(RuleSpec.Target.queue("work")), "work"),
                        new RuleSpec("audit", "", "bus", "{\"source\":[\"audit.only\"]}",
                                List.of(RuleSpec.Target.function("greet"), RuleSpec.Target.stateMachine("flow")),
                                "work")),
                List.of(new ScheduleGroupSpec("pulses", "", List.of("flow"))), List.of(),
                List.of(new RoleSpec("runner", "", "job-*", List.of(Grant.runAndWait("flow")))));
    }

    private static ResourceProvisioner.Provisioned provision(String definition) throws Exception {
        Path testClasses = Path.of(ResourceProvisionerIT.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        return new ResourceProvisioner(clients.dynamoDb, clients.sqs, clients.s3, cloud.lambda(), cloud.eventBridge(),
                Naming.LOCAL, new LocalKeys(dataDir.resolve("keys")))
                .provision(manifest(), testClasses, List.of(new StateMachineSpec("flow", definition)),
                        new EngineStateMachineDeployer(cloud.stepFunctions(), "us-east-1", "000000000000"));
    }

    @Test
    void provision_createsEverything_fillsPlaceholders_andIsIdempotent() throws Exception {
        String definition = """
                {"StartAt":"Greet","States":{"Greet":{"Type":"Task","Resource":"${FunctionArn_greet}",
                  "Parameters":{"name":"${TableName_items}"},"End":true}}}""";

        ResourceProvisioner.Provisioned first = provision(definition);
        ResourceProvisioner.Provisioned again = provision(definition);

        assertThat(again).isEqualTo(first);
        TableDescription table = clients.dynamoDb.describeTable(b -> b.tableName("skyloom-items")).table();
        assertThat(table.globalSecondaryIndexes()).extracting(i -> i.indexName()).containsExactly("byOwner");
        assertThat(clients.dynamoDb.describeTimeToLive(b -> b.tableName("skyloom-items")).timeToLiveDescription()
                .attributeName()).isEqualTo("expiresAt");
        assertThat(clients.sqs.getQueueAttributes(b -> b.queueUrl(first.queueUrls().get("work"))
                .attributeNamesWithStrings("RedrivePolicy")).attributesAsStrings().get("RedrivePolicy"))
                .contains("skyloom-work-dlq").contains("3");
        String key = java.nio.file.Files.readString(dataDir.resolve("keys/test.key")).strip();
        assertThat(java.util.Base64.getDecoder().decode(key)).hasSize(32);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(java.nio.file.Files.getPosixFilePermissions(
                dataDir.resolve("keys/test.key")))).isEqualTo("rw-------");
        assertThat(cloud.lambda().get("skyloom-greet").environment()).containsEntry("KEY", key);
        assertThat(first.stateMachines()).containsEntry("flow",
                "arn:aws:states:us-east-1:000000000000:stateMachine:skyloom-flow");
        assertThat(cloud.lambda().get("skyloom-greet").environment()).containsEntry("BUS", "skyloom-bus")
                .containsEntry("FLOW", "arn:aws:states:us-east-1:000000000000:stateMachine:skyloom-flow")
                // no IAM locally: the role's ARN has the AWS shape, and nothing is created
                .containsEntry("ROLE", "arn:aws:iam::000000000000:role/skyloom-runner");
        assertThat(first.eventBuses()).containsEntry("bus", "skyloom-bus");
        assertThat(first.scheduleGroups()).containsEntry("pulses", "skyloom-pulses");
        assertThat(first.rules()).containsEntry("work-in",
                "arn:aws:events:us-east-1:000000000000:rule/skyloom-bus/skyloom-work-in");
        assertThat(cloud.eventBridge().listTargets("skyloom-bus", "skyloom-audit"))
                .extracting(t -> t.path("Id").asText() + " " + t.path("Arn").asText())
                .containsExactlyInAnyOrder(
                        "function-greet arn:aws:lambda:us-east-1:000000000000:function:skyloom-greet",
                        "state-machine-flow arn:aws:states:us-east-1:000000000000:stateMachine:skyloom-flow");

        String execution = clients.sfn.startExecution(b -> b.stateMachineArn(first.stateMachines().get("flow")))
                .executionArn();
        DescribeExecutionResponse done = poll(execution);
        assertThat(done.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(done.output()).contains("hello skyloom-items");
    }

    @Test
    void provision_routesMatchingEventsOfTheBus_intoTheRulesQueue() throws Exception {
        ResourceProvisioner.Provisioned provisioned = provision(
                "{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\",\"End\":true}}}");
        String queue = provisioned.queueUrls().get("work");
        clients.sqs.purgeQueue(b -> b.queueUrl(queue));

        var targets = cloud.eventBridge().listTargets("skyloom-bus", "skyloom-work-in");
        assertThat(targets).hasSize(1);
        assertThat(targets.get(0).path("Id").asText()).isEqualTo("queue-work");
        assertThat(targets.get(0).path("Arn").asText()).endsWith(":skyloom-work");
        assertThat(targets.get(0).path("DeadLetterConfig").path("Arn").asText()).endsWith(":skyloom-work-dlq");
        var results = cloud.eventBridge().putEvents(new com.fasterxml.jackson.databind.ObjectMapper().readTree("""
                [{"EventBusName":"skyloom-bus","Source":"skyloom.runs","DetailType":"RUN_STARTED","Detail":"{\\"runId\\":\\"r1\\"}"},
                 {"EventBusName":"skyloom-bus","Source":"other.app","DetailType":"X","Detail":"{}"}]"""));
        assertThat(results.toString()).doesNotContain("ErrorCode");

        var messages = clients.sqs.receiveMessage(b -> b.queueUrl(queue).maxNumberOfMessages(10).waitTimeSeconds(1))
                .messages();
        assertThat(messages).hasSize(1);
        assertThat(messages.get(0).body()).contains("\"source\":\"skyloom.runs\"").contains("r1");
    }

    @Test
    void provision_updatesAChangedDefinition_andRefusesAnUnknownPlaceholder() throws Exception {
        provision("{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\",\"Result\":1,\"End\":true}}}");
        provision("{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\",\"Result\":2,\"End\":true}}}");

        assertThat(clients.sfn.describeStateMachine(b -> b.stateMachineArn(
                "arn:aws:states:us-east-1:000000000000:stateMachine:skyloom-flow")).definition()).contains("\"Result\":2");
        assertThatThrownBy(() -> provision("{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Task\","
                + "\"Resource\":\"${FunctionArn_nope}\",\"End\":true}}}"))
                .hasMessageContaining("state machine flow: placeholder ${FunctionArn_nope} has no value")
                .hasMessageContaining("FunctionArn_greet");
    }

    private static DescribeExecutionResponse poll(String execution) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            DescribeExecutionResponse d = clients.sfn.describeExecution(b -> b.executionArn(execution));
            if (d.status() != ExecutionStatus.RUNNING) {
                return d;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L);
        }
        throw new AssertionError("execution did not end within 20 s");
    }
}
