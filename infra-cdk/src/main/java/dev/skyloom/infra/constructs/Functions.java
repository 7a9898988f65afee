package dev.skyloom.infra.constructs;

import dev.skyloom.manifest.EnvValue;
import dev.skyloom.manifest.FunctionSpec;
import dev.skyloom.manifest.Naming;
import io.github.cdklabs.cdknag.RegexAppliesTo;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.iam.PolicyDocument;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.lambda.Alias;
import software.amazon.awscdk.services.lambda.Architecture;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.lambda.SnapStartConf;
import software.amazon.awscdk.services.lambda.Tracing;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.secretsmanager.Secret;
import software.amazon.awscdk.services.secretsmanager.SecretStringGenerator;
import software.constructs.Construct;

/**
 * Every {@link FunctionSpec} of the manifest as a java21 Lambda function running the deployment jar: handler, memory,
 * timeout and reserved concurrency as declared; the environment with each {@link EnvValue.Ref} resolved to the
 * deployed resource; SnapStart on published versions behind the {@code live} alias; X-Ray active tracing;
 * Powertools configuration; its own log group; and its own IAM role holding exactly the manifest's grants.
 */
public final class Functions extends Construct {
    public static final String ENV_POWERTOOLS_SERVICE_NAME = "POWERTOOLS_SERVICE_NAME";
    public static final String ENV_POWERTOOLS_LOG_LEVEL = "POWERTOOLS_LOG_LEVEL";
    public static final String ENV_POWERTOOLS_METRICS_NAMESPACE = "POWERTOOLS_METRICS_NAMESPACE";
    /** Responses may carry secrets (the bootstrap returns a minted admin key): never put them in traces. */
    public static final String ENV_POWERTOOLS_TRACER_CAPTURE_RESPONSE = "POWERTOOLS_TRACER_CAPTURE_RESPONSE";

    private final Map<String, Function> functions = new LinkedHashMap<>();
    private final Map<String, Alias> aliases = new LinkedHashMap<>();
    private final Map<String, Role> roles = new LinkedHashMap<>();
    private final Map<String, Secret> generatedKeys = new LinkedHashMap<>();

    public Functions(Construct scope, String id, FunctionsProps props) {
        super(scope, id);
        DeployedResources resources = props.resources();
        Naming naming = resources.naming();
        for (FunctionSpec spec : resources.manifest().functions()) {
            String name = naming.physical(spec.name());
            LogGroup logGroup = LogGroup.Builder.create(this, "Logs-" + spec.name())
                    .logGroupName("/aws/lambda/" + name)
                    .retention(props.logRetention())
                    .removalPolicy(RemovalPolicy.DESTROY)
                    .build();

            PolicyDocument policy = new PolicyDocument();
            policy.addStatements(AccessPolicies.allow(List.of("logs:CreateLogStream", "logs:PutLogEvents"),
                    List.of(logGroup.getLogGroupArn())));
            for (PolicyStatement statement : AccessPolicies.forGrants(this, spec.grants(), resources)) {
                policy.addStatements(statement);
            }
            Role role = Role.Builder.create(this, "Role-" + spec.name())
                    .assumedBy(new ServicePrincipal("lambda.amazonaws.com"))
                    .description("Runs " + name + ": its log group and the grants declared in the manifest, nothing else")
                    .inlinePolicies(Map.of("manifest-grants", policy))
                    .build();

            Function.Builder builder = Function.Builder.create(this, "Function-" + spec.name())
                    .functionName(name)
                    .description(spec.description())
                    .runtime(Runtime.JAVA_21)
                    .architecture(Architecture.X86_64)
                    .handler(spec.handler())
                    .code(props.code())
                    .memorySize(spec.memoryMb())
                    .timeout(Duration.seconds(spec.timeoutSeconds()))
                    .role(role)
                    .logGroup(logGroup)
                    .tracing(Tracing.ACTIVE)
                    .snapStart(SnapStartConf.ON_PUBLISHED_VERSIONS)
                    .environment(environment(spec, resources, props));
            if (spec.reservedConcurrency() > 0) {
                builder.reservedConcurrentExecutions(spec.reservedConcurrency());
            }
            Function function = builder.build();
            Alias alias = Alias.Builder.create(this, "Alias-" + spec.name())
                    .aliasName(DeployedResources.FUNCTION_ALIAS)
                    .version(function.getCurrentVersion())
                    .description("The published version with the SnapStart snapshot; callers invoke this alias")
                    .build();

            Annotations.of(function).acknowledgeWarning("@aws-cdk/aws-lambda:snapStartRequirePublish",
                    "Every deploy publishes a version (currentVersion) and the live alias points at it.");
            Suppressions.suppress(role, "AwsSolutions-IAM5",
                    "X-Ray's PutTraceSegments/PutTelemetryRecords support no resource-level permissions (Resource *); "
                            + "S3 object actions name '<bucket ARN>/*' because run workspaces are keyed at run time; "
                            + "executions of a named state machine ('execution:<name>:*') are created per run; Bedrock "
                            + "grants name the region's 'foundation-model/*' and 'inference-profile/*' because the "
                            + "model is chosen per agent at run time; pipelines' state machines are created per "
                            + "pipeline at run time under one name prefix ('stateMachine:<prefix>-*' and their "
                            + "executions 'execution:<prefix>-*:*').",
                    List.<Object>of("Resource::*", RegexAppliesTo.builder().regex("/^Resource::.*\\/\\*$/g").build(),
                            RegexAppliesTo.builder().regex("/^Resource::.*:execution:[^:*]+:\\*$/g").build(),
                            RegexAppliesTo.builder().regex("/^Resource::.*:stateMachine:[a-z0-9-]+-\\*$/g").build(),
                            RegexAppliesTo.builder().regex("/^Resource::.*:execution:[a-z0-9-]+-\\*:\\*$/g")
                                    .build()));
            Suppressions.suppress(function, "AwsSolutions-L1",
                    "Skyloom targets Java 21 (maven release 21) and java21 is a supported Lambda runtime; "
                            + "moving to java25 is a deliberate platform upgrade, not a deploy-time choice.");
            Suppressions.suppress(function, "Serverless-LambdaLatestVersion",
                    "Skyloom targets Java 21 (maven release 21); java21 is supported until 2029.");
            Suppressions.suppress(function, "Serverless-LambdaDLQ",
                    "Invoked synchronously only (API Gateway proxy, Step Functions lambda:invoke, the deploy's "
                            + "bootstrap call, SQS event source mappings whose queues have their own DLQ): the caller "
                            + "sees every failure and retries; no asynchronous event source.");
            functions.put(spec.name(), function);
            aliases.put(spec.name(), alias);
            roles.put(spec.name(), role);
        }
    }

    private Map<String, String> environment(FunctionSpec spec, DeployedResources resources, FunctionsProps props) {
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put(ENV_POWERTOOLS_SERVICE_NAME, "skyloom-" + spec.name());
        environment.put(ENV_POWERTOOLS_LOG_LEVEL, props.logLevel());
        environment.put(ENV_POWERTOOLS_METRICS_NAMESPACE, props.metricsNamespace());
        environment.put(ENV_POWERTOOLS_TRACER_CAPTURE_RESPONSE, "false");
        spec.environment().forEach((variable, value) -> environment.put(variable, switch (value) {
            case EnvValue.Literal literal -> literal.value();
            case EnvValue.GeneratedKey key -> generatedKey(key.name(), resources.naming())
                    .getSecretValue().unsafeUnwrap();
            case EnvValue.IdentityValue id -> {
                String resolved = props.identity().get(id.field());
                if (resolved == null) {
                    throw new IllegalArgumentException("function " + spec.name() + " needs the identity provider's "
                            + id.field() + " for " + variable + ": give FunctionsProps.identity(...)");
                }
                yield resolved;
            }
            case EnvValue.Ref ref -> switch (ref.kind()) {
                case TABLE -> resources.table(ref.name()).getTableName();
                case QUEUE -> resources.queue(ref.name()).getQueueUrl();
                case BUCKET -> resources.bucket(ref.name()).getBucketName();
                case FUNCTION -> resources.functionInvokeName(ref.name());
                case EVENT_BUS -> resources.eventBus(ref.name()).getEventBusName();
                case STATE_MACHINE -> resources.stateMachineArn(this, ref.name());
                case ROLE -> resources.roleArn(this, ref.name());
                case MODEL -> throw new IllegalArgumentException("models are not environment values");
            };
        }));
        return environment;
    }

    /**
     * A generated key ({@link EnvValue.GeneratedKey}): a Secrets Manager secret of 64 random characters, created once
     * per stage and passed to the function as a CloudFormation dynamic reference, resolved at deploy time.
     */
    private Secret generatedKey(String name, Naming naming) {
        return generatedKeys.computeIfAbsent(name, n -> {
            Secret secret = Secret.Builder.create(this, "Key-" + n)
                    .secretName(naming.physical(n) + "-key")
                    .description("Key material of Skyloom's " + n + " (generated once; do not rotate: data is encrypted with it)")
                    .generateSecretString(SecretStringGenerator.builder().passwordLength(64).excludePunctuation(true)
                            .build())
                    .removalPolicy(RemovalPolicy.RETAIN)
                    .build();
            Suppressions.suppress(secret, "AwsSolutions-SMG4",
                    "This key encrypts stored secrets and signs tokens: rotating it would make every stored secret "
                            + "unreadable; key rotation belongs to the KMS envelope encryption that replaces it.");
            return secret;
        });
    }

    /** Functions by logical name. */
    public Map<String, Function> functions() {
        return Collections.unmodifiableMap(functions);
    }

    /** The {@code live} alias of each function, by logical name: what API Gateway and state machines invoke. */
    public Map<String, Alias> aliases() {
        return Collections.unmodifiableMap(aliases);
    }

    /** The execution role of each function, by logical name. */
    public Map<String, Role> roles() {
        return Collections.unmodifiableMap(roles);
    }

    /** Properties of {@link Functions}. */
    /**
     * @param identity the identity provider's values for {@link EnvValue.IdentityValue} variables (the Cognito user
     *                 pool's JWKS URL, issuer and app client ids)
     */
    public record FunctionsProps(DeployedResources resources, Code code, String logLevel, String metricsNamespace,
                                 RetentionDays logRetention, Map<EnvValue.IdentityValue.Field, String> identity) {
        private static final List<String> LOG_LEVELS = List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR");

        public FunctionsProps {
            Objects.requireNonNull(resources, "resources");
            Objects.requireNonNull(code, "code (the deployment jar)");
            Objects.requireNonNull(logRetention, "logRetention");
            identity = Map.copyOf(identity);
            if (!LOG_LEVELS.contains(logLevel)) {
                throw new IllegalArgumentException("log level '" + logLevel + "' is invalid; valid: " + LOG_LEVELS);
            }
            if (metricsNamespace == null || metricsNamespace.isBlank()) {
                throw new IllegalArgumentException("metricsNamespace must not be blank");
            }
        }

        public static Builder builder() {
            return new Builder();
        }

        /** Builds {@link FunctionsProps}: INFO logs kept a month, metrics in the {@code Skyloom} namespace. */
        public static final class Builder {
            private DeployedResources resources;
            private Code code;
            private String logLevel = "INFO";
            private String metricsNamespace = "Skyloom";
            private RetentionDays logRetention = RetentionDays.ONE_MONTH;
            private Map<EnvValue.IdentityValue.Field, String> identity = Map.of();

            public Builder identity(Map<EnvValue.IdentityValue.Field, String> identity) {
                this.identity = identity;
                return this;
            }

            public Builder resources(DeployedResources resources) {
                this.resources = resources;
                return this;
            }

            public Builder code(Code code) {
                this.code = code;
                return this;
            }

            public Builder logLevel(String logLevel) {
                this.logLevel = logLevel;
                return this;
            }

            public Builder metricsNamespace(String metricsNamespace) {
                this.metricsNamespace = metricsNamespace;
                return this;
            }

            public Builder logRetention(RetentionDays logRetention) {
                this.logRetention = logRetention;
                return this;
            }

            public FunctionsProps build() {
                return new FunctionsProps(resources, code, logLevel, metricsNamespace, logRetention, identity);
            }
        }
    }
}
