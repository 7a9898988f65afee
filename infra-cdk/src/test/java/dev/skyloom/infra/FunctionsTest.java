package dev.skyloom.infra;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyloom.manifest.EnvValue;
import dev.skyloom.manifest.FunctionSpec;
import dev.skyloom.manifest.SkyloomResources;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Capture;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** The Functions construct: the manifest's functions, their environment, SnapStart alias and one role each. */
class FunctionsTest {
    private final SynthesizedApp app = SynthesizedApp.get();
    private final Template platform = app.platform;

    @Test
    void everyManifestFunction_runsItsHandler_onJava21_withItsMemoryTimeoutAndConcurrency() {
        for (FunctionSpec spec : SkyloomResources.manifest().functions()) {
            platform.hasResourceProperties("AWS::Lambda::Function", Match.objectLike(Map.of(
                    "FunctionName", SynthesizedApp.PREFIX + spec.name(),
                    "Handler", spec.handler(),
                    "Runtime", "java21",
                    "MemorySize", spec.memoryMb(),
                    "Timeout", spec.timeoutSeconds(),
                    "ReservedConcurrentExecutions", spec.reservedConcurrency() > 0 ? spec.reservedConcurrency()
                            : Match.absent(),
                    "SnapStart", Map.of("ApplyOn", "PublishedVersions"),
                    "TracingConfig", Map.of("Mode", "Active"))));
        }
        platform.resourceCountIs("AWS::Lambda::Function", SkyloomResources.manifest().functions().size());
    }

    @Test
    void code_isTheDeploymentJar_asAnAsset() {
        Capture code = new Capture();
        platform.hasResourceProperties("AWS::Lambda::Function", Match.objectLike(Map.of(
                "FunctionName", SynthesizedApp.PREFIX + "api", "Code", code)));
        assertThat(code.asObject()).containsKeys("S3Bucket", "S3Key");
        assertThat(Templates.render(code.asObject().get("S3Key"), platform)).endsWith(".jar");
    }

    @Test
    void environment_resolvesEveryReference_toTheDeployedResource_andConfiguresPowertools() {
        for (FunctionSpec spec : SkyloomResources.manifest().functions()) {
            Capture variables = new Capture();
            platform.hasResourceProperties("AWS::Lambda::Function", Match.objectLike(Map.of(
                    "FunctionName", SynthesizedApp.PREFIX + spec.name(),
                    "Environment", Map.of("Variables", variables))));
            Map<String, Object> environment = variables.asObject();
            assertThat(environment).containsEntry("POWERTOOLS_SERVICE_NAME", "skyloom-" + spec.name())
                    .containsEntry("POWERTOOLS_LOG_LEVEL", "INFO")
                    .containsEntry("POWERTOOLS_METRICS_NAMESPACE", "Skyloom")
                    .containsEntry("POWERTOOLS_TRACER_CAPTURE_RESPONSE", "false");
            spec.environment().forEach((name, value) -> {
                String resolved = Templates.render(environment.get(name), app.data);
                switch (value) {
                    case EnvValue.Literal literal -> assertThat(resolved).as(name).isEqualTo(literal.value());
                    case EnvValue.GeneratedKey key -> {
                        // a dynamic reference, resolved by CloudFormation at deploy time: the key is not in the template
                        assertThat(resolved).as(name).contains("{{resolve:secretsmanager:").contains(":SecretString:");
                        platform.hasResourceProperties("AWS::SecretsManager::Secret", Match.objectLike(Map.of(
                                "Name", SynthesizedApp.PREFIX + key.name() + "-key",
                                "GenerateSecretString", Match.objectLike(Map.of("PasswordLength", 64,
                                        "ExcludePunctuation", true)))));
                    }
                    case EnvValue.IdentityValue id -> {
                        String pool = "{Ref:" + Templates.logicalId(platform, "AWS::Cognito::UserPool",
                                "UserPoolName", SynthesizedApp.PREFIX + "users") + "}";
                        assertThat(resolved).as(name).isEqualTo(switch (id.field()) {
                            case ISSUER -> "https://cognito-idp.{AWS::Region}.amazonaws.com/" + pool;
                            case JWKS_URL -> "https://cognito-idp.{AWS::Region}.amazonaws.com/" + pool
                                    + "/.well-known/jwks.json";
                            case CLIENT_IDS -> "{Ref:" + Templates.logicalId(platform, "AWS::Cognito::UserPoolClient",
                                    "ClientName", SynthesizedApp.PREFIX + "console") + "}";
                        });
                    }
                    case EnvValue.Ref ref -> assertThat(resolved).as(name).isEqualTo(switch (ref.kind()) {
                        case TABLE -> "{Ref:" + Templates.logicalId(app.data, "AWS::DynamoDB::Table", "TableName",
                                SynthesizedApp.PREFIX + ref.name()) + "}";
                        case QUEUE -> "{Ref:" + Templates.logicalId(platform, "AWS::SQS::Queue", "QueueName",
                                SynthesizedApp.PREFIX + ref.name()) + "}";
                        case BUCKET -> "{Ref:" + bucketId(ref.name()) + "}";
                        case FUNCTION -> SynthesizedApp.PREFIX + ref.name() + ":live";
                        case EVENT_BUS -> "{Ref:" + Templates.logicalId(platform, "AWS::Events::EventBus", "Name",
                                SynthesizedApp.PREFIX + ref.name()) + "}";
                        case STATE_MACHINE -> "arn:{AWS::Partition}:states:{AWS::Region}:{AWS::AccountId}:stateMachine:"
                                + SynthesizedApp.PREFIX + ref.name();
                        case ROLE -> "arn:{AWS::Partition}:iam::{AWS::AccountId}:role/" + SynthesizedApp.PREFIX
                                + ref.name();
                        case MODEL -> throw new AssertionError("no model references in environments");
                    });
                }
            });
        }
    }

    @Test
    void everyFunction_isInvokedThroughALiveAlias_onAPublishedVersion() {
        for (FunctionSpec spec : SkyloomResources.manifest().functions()) {
            String function = Templates.logicalId(platform, "AWS::Lambda::Function", "FunctionName",
                    SynthesizedApp.PREFIX + spec.name());
            Capture version = new Capture();
            platform.hasResourceProperties("AWS::Lambda::Alias", Match.objectLike(Map.of(
                    "Name", "live", "FunctionName", Map.of("Ref", function), "FunctionVersion", version)));
            @SuppressWarnings("unchecked")
            List<Object> versionRef = (List<Object>) version.asObject().get("Fn::GetAtt");
            platform.hasResource("AWS::Lambda::Version", Match.objectLike(Map.of(
                    "Properties", Match.objectLike(Map.of("FunctionName", Map.of("Ref", function))))));
            assertThat(platform.findResources("AWS::Lambda::Version")).containsKey((String) versionRef.get(0));
        }
    }

    @Test
    void everyFunction_hasItsOwnRole_andItsOwnLogGroup() {
        Set<Object> roles = new HashSet<>();
        for (FunctionSpec spec : SkyloomResources.manifest().functions()) {
            Map<String, Object> function = Templates.resource(platform, "AWS::Lambda::Function", "FunctionName",
                    SynthesizedApp.PREFIX + spec.name());
            roles.add(function.get("Role"));
            platform.hasResourceProperties("AWS::Logs::LogGroup", Match.objectLike(Map.of(
                    "LogGroupName", "/aws/lambda/" + SynthesizedApp.PREFIX + spec.name(), "RetentionInDays", 30)));
        }
        assertThat(roles).hasSize(SkyloomResources.manifest().functions().size());
    }

    @Test
    void bootstrapRole_reachesOnlyTheMainTable_itsKeyAndItsLogs() {
        String role = ((List<?>) ((Map<?, ?>) Templates.resource(platform, "AWS::Lambda::Function", "FunctionName",
                SynthesizedApp.PREFIX + "bootstrap").get("Role")).get("Fn::GetAtt")).get(0).toString();
        String mainTable = "{GetAtt:" + Templates.logicalId(app.data, "AWS::DynamoDB::Table", "TableName",
                SynthesizedApp.PREFIX + "main") + ".Arn}";
        Set<String> resources = new HashSet<>();
        for (Templates.Statement statement : Templates.identityStatements(platform)) {
            if (statement.roles().contains(role)) {
                statement.resources().forEach(r -> resources.add(Templates.render(r, app.data)));
            }
        }
        assertThat(resources).contains(mainTable, mainTable + "/index/gsi1", mainTable + "/index/gsi2")
                .noneMatch(r -> r.contains("Tableevents") || r.contains("Queue") || r.contains("Bucket"));
    }

    @Test
    void apiRole_getsExactlyTheManifestGrants_withNamedActions() {
        Capture statements = new Capture();
        String role = ((List<?>) ((Map<?, ?>) Templates.resource(platform, "AWS::Lambda::Function", "FunctionName",
                SynthesizedApp.PREFIX + "api").get("Role")).get("Fn::GetAtt")).get(0).toString();
        platform.hasResourceProperties("AWS::IAM::Role", Match.objectLike(Map.of(
                "Description", Match.stringLikeRegexp(".*skyloom-test-api.*"),
                "Policies", List.of(Map.of("PolicyName", "manifest-grants",
                        "PolicyDocument", Match.objectLike(Map.of("Statement", statements)))))));
        assertThat(platform.findResources("AWS::IAM::Role")).containsKey(role);
        List<Object> all = statements.asArray();
        assertThat(all.toString())
                .contains("dynamodb:PutItem", "sqs:SendMessage", "s3:PutObject", "s3:ListBucket", "kms:ViaService")
                .doesNotContain("dynamodb:Scan", "dynamodb:*", "s3:*", "sqs:*", "\"*\"");
    }

    @Test
    void agentTurn_isSizedForModelCalls_andMayInvokeOnlyTheRegionsBedrockModels() {
        platform.hasResourceProperties("AWS::Lambda::Function", Match.objectLike(Map.of(
                "FunctionName", SynthesizedApp.PREFIX + "agent-turn",
                "Handler", "dev.skyloom.handlers.AgentTurnHandler::handleRequest",
                "MemorySize", 1536, "Timeout", 300,
                "SnapStart", Map.of("ApplyOn", "PublishedVersions"))));
        List<String> bedrock = statementsOf("agent-turn").stream()
                .filter(s -> s.actions().stream().anyMatch(a -> a.startsWith("bedrock:")))
                .flatMap(s -> {
                    assertThat(s.actions()).containsExactlyInAnyOrder("bedrock:InvokeModel",
                            "bedrock:InvokeModelWithResponseStream");
                    return s.resources().stream().map(r -> Templates.render(r, app.data));
                }).toList();
        assertThat(bedrock).containsExactlyInAnyOrder(
                "arn:{AWS::Partition}:bedrock:{AWS::Region}::foundation-model/*",
                "arn:{AWS::Partition}:bedrock:{AWS::Region}:{AWS::AccountId}:inference-profile/*");
        assertThat(statementsOf("api").stream().flatMap(s -> s.actions().stream())).noneMatch(a -> a.startsWith("bedrock:"));
    }

    @Test
    void apiAndAgentTurn_mayPutEventsOnThePlatformBus_only() {
        String bus = "{GetAtt:" + Templates.logicalId(platform, "AWS::Events::EventBus", "Name",
                SynthesizedApp.PREFIX + "bus") + ".Arn}";
        for (String function : List.of("api", "agent-turn")) {
            assertThat(statementsOf(function)).filteredOn(s -> s.actions().contains("events:PutEvents"))
                    .singleElement().satisfies(s -> assertThat(s.resources().stream()
                            .map(r -> Templates.render(r, app.data))).containsExactly(bus));
        }
        assertThat(statementsOf("bootstrap").stream().flatMap(s -> s.actions().stream()))
                .doesNotContain("events:PutEvents");
    }

    @Test
    void api_mayStartDescribeStopRedriveAndAnswer_theAgentStepAndSwarmWorkflows_only() {
        String machine = "arn:{AWS::Partition}:states:{AWS::Region}:{AWS::AccountId}:stateMachine:"
                + SynthesizedApp.PREFIX + "agent-step";
        String executions = "arn:{AWS::Partition}:states:{AWS::Region}:{AWS::AccountId}:execution:"
                + SynthesizedApp.PREFIX + "agent-step:*";
        String swarm = "arn:{AWS::Partition}:states:{AWS::Region}:{AWS::AccountId}:stateMachine:"
                + SynthesizedApp.PREFIX + "swarm";
        String swarmExecutions = "arn:{AWS::Partition}:states:{AWS::Region}:{AWS::AccountId}:execution:"
                + SynthesizedApp.PREFIX + "swarm:*";
        Map<String, java.util.SortedSet<String>> actions = new java.util.TreeMap<>();
        for (Templates.Statement s : statementsOf("api")) {
            if (s.actions().stream().anyMatch(a -> a.startsWith("states:"))) {
                s.resources().forEach(r -> actions.computeIfAbsent(Templates.render(r, app.data),
                        k -> new java.util.TreeSet<>()).addAll(s.actions()));
            }
        }
        Map<String, List<String>> byResource = new java.util.TreeMap<>();
        actions.forEach((r, a) -> {
            if (!r.contains(":" + SynthesizedApp.PREFIX + "pipeline-*")) { // checked in PipelinesIamTest
                byResource.put(r, List.copyOf(a));
            }
        });
        // the history and the agent-step task answers serve the tool-approvals API (decision 0502)
        assertThat(byResource).containsExactly(
                Map.entry(executions, List.of("states:DescribeExecution", "states:GetExecutionHistory",
                        "states:RedriveExecution", "states:StopExecution")),
                Map.entry(swarmExecutions, List.of("states:DescribeExecution", "states:GetExecutionHistory",
                        "states:RedriveExecution", "states:StopExecution")),
                Map.entry(machine, List.of("states:SendTaskFailure", "states:SendTaskSuccess",
                        "states:StartExecution")),
                Map.entry(swarm, List.of("states:StartExecution")));
    }

    private List<Templates.Statement> statementsOf(String function) {
        String role = ((List<?>) ((Map<?, ?>) Templates.resource(platform, "AWS::Lambda::Function", "FunctionName",
                SynthesizedApp.PREFIX + function).get("Role")).get("Fn::GetAtt")).get(0).toString();
        return Templates.identityStatements(platform).stream().filter(s -> s.roles().contains(role)).toList();
    }

    private String bucketId(String name) {
        return app.data.findResources("AWS::S3::Bucket").entrySet().stream()
                .filter(e -> Templates.render(Templates.properties(e.getValue()).get("BucketName"), app.data)
                        .startsWith(SynthesizedApp.PREFIX + name + "-"))
                .map(Map.Entry::getKey).findFirst().orElseThrow();
    }
}
