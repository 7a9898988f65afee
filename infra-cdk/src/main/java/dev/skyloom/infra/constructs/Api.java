package dev.skyloom.infra.constructs;

import dev.skyloom.manifest.Naming;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.apigateway.AccessLogFormat;
import software.amazon.awscdk.services.apigateway.AuthorizationType;
import software.amazon.awscdk.services.apigateway.EndpointType;
import software.amazon.awscdk.services.apigateway.IResource;
import software.amazon.awscdk.services.apigateway.IdentitySource;
import software.amazon.awscdk.services.apigateway.LambdaIntegration;
import software.amazon.awscdk.services.apigateway.LambdaIntegrationOptions;
import software.amazon.awscdk.services.apigateway.LogGroupLogDestination;
import software.amazon.awscdk.services.apigateway.Method;
import software.amazon.awscdk.services.apigateway.MethodLoggingLevel;
import software.amazon.awscdk.services.apigateway.MethodOptions;
import software.amazon.awscdk.services.apigateway.RequestAuthorizer;
import software.amazon.awscdk.services.apigateway.RequestValidator;
import software.amazon.awscdk.services.apigateway.RequestValidatorOptions;
import software.amazon.awscdk.services.apigateway.Resource;
import software.amazon.awscdk.services.apigateway.RestApi;
import software.amazon.awscdk.services.apigateway.StageOptions;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.wafv2.CfnWebACL;
import software.amazon.awscdk.services.wafv2.CfnWebACLAssociation;
import software.constructs.Construct;

/**
 * The REST API: API Gateway proxies {@code ANY /api/v1/{proxy+}} to the API function's {@code live} alias, validates
 * that the path parameter is present, throttles per stage, writes JSON access logs and INFO execution logs, traces
 * with X-Ray, and sits behind a WAFv2 web ACL (AWS managed common, known-bad-inputs and IP-reputation rule groups,
 * plus a per-IP rate limit).
 *
 * <p>Authentication: {@link ApiProps#authorizer()}, a Lambda REQUEST authorizer (API key or access token from the
 * {@code Authorization} header, results cached per header value), guards every method but the
 * {@link ApiProps#publicRoutes()}, which get their own resources without it. The API function still authenticates
 * every request itself (defence in depth: a cached Allow outlives a revocation by the cache TTL at most, and the
 * function is also invoked directly, by the local cloud and by tests).
 */
public final class Api extends Construct {
    /** Public routes are declared as {@code METHOD /api/v1/...}. */
    static final String PUBLIC_ROUTE_PREFIX = "/api/v1/";

    private final RestApi restApi;
    private final LogGroup accessLogs;
    private final CfnWebACL webAcl;
    private final RequestAuthorizer authorizer;

    public Api(Construct scope, String id, ApiProps props) {
        super(scope, id);
        Naming naming = props.naming();
        accessLogs = LogGroup.Builder.create(this, "AccessLogs")
                .logGroupName("/aws/apigateway/" + naming.physical("api") + "/access")
                .retention(props.logRetention())
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        restApi = RestApi.Builder.create(this, "RestApi")
                .restApiName(naming.physical("api"))
                .description("Skyloom REST API (" + naming.prefix() + "*)")
                .endpointTypes(List.of(EndpointType.REGIONAL))
                .cloudWatchRole(true)
                .cloudWatchRoleRemovalPolicy(RemovalPolicy.RETAIN)
                .deployOptions(StageOptions.builder()
                        .stageName(props.stageName())
                        .accessLogDestination(new LogGroupLogDestination(accessLogs))
                        .accessLogFormat(AccessLogFormat.jsonWithStandardFields())
                        .loggingLevel(MethodLoggingLevel.INFO)
                        // request and response bodies may hold secrets and API keys: never log them
                        .dataTraceEnabled(false)
                        .metricsEnabled(true)
                        .tracingEnabled(true)
                        .throttlingRateLimit(props.throttlingRateLimit())
                        .throttlingBurstLimit(props.throttlingBurstLimit())
                        .build())
                .build();

        RequestValidator validator = restApi.addRequestValidator("Validator", RequestValidatorOptions.builder()
                .requestValidatorName(naming.physical("api-validator"))
                .validateRequestParameters(true)
                // bodies are validated by the API function, which answers 400 naming what was wrong
                .validateRequestBody(false)
                .build());
        authorizer = props.authorizer() == null ? null : RequestAuthorizer.Builder.create(this, "Authorizer")
                .authorizerName(naming.physical("api-authorizer"))
                .handler(props.authorizer())
                .identitySources(List.of(IdentitySource.header("Authorization")))
                .resultsCacheTtl(Duration.minutes(5))
                .build();

        Resource v1 = restApi.getRoot().addResource("api").addResource("v1");
        Resource proxy = v1.addResource("{proxy+}");
        LambdaIntegration integration = new LambdaIntegration(props.handler(), LambdaIntegrationOptions.builder()
                .proxy(true).build());
        MethodOptions.Builder method = MethodOptions.builder()
                .requestParameters(Map.of("method.request.path.proxy", true))
                .requestValidator(validator);
        if (authorizer != null) {
            method.authorizer(authorizer).authorizationType(AuthorizationType.CUSTOM);
        } else {
            method.authorizationType(AuthorizationType.NONE);
        }
        proxy.addMethod("ANY", integration, method.build());
        // the routes anyone may call get their own resources, more specific than {proxy+}, without the authorizer
        for (String route : props.publicRoutes()) {
            String[] parts = route.split(" ", 2);
            IResource resource = v1;
            for (String segment : parts[1].substring(PUBLIC_ROUTE_PREFIX.length()).split("/")) {
                IResource child = resource.getResource(segment);
                resource = child != null ? child : resource.addResource(segment);
            }
            Method open = resource.addMethod(parts[0], integration, MethodOptions.builder()
                    .authorizationType(AuthorizationType.NONE).build());
            Suppressions.suppress(open, "AwsSolutions-APIG4",
                    route + " is public by design (health, the OpenAPI document, password login and token refresh "
                            + "take no credential); every other route goes through the REQUEST authorizer.");
        }

        if (authorizer == null) {
            Suppressions.suppress(restApi, "AwsSolutions-APIG4",
                    "The API function authenticates every request itself (hashed API keys compared in constant "
                            + "time, tenant checks on every route); ApiProps.authorizer is the hook for a REQUEST authorizer.");
        }
        Suppressions.suppress(restApi, "AwsSolutions-COG4",
                "Callers authenticate with Skyloom API keys and Skyloom access tokens, which a Cognito authorizer "
                        + "would reject; the REQUEST authorizer (and, behind it, the API function) verifies both, and "
                        + "Cognito tokens through the user pool's JWKS when configured.");
        Suppressions.suppress(restApi, "AwsSolutions-APIG2",
                "A RequestValidator checks request parameters (the {proxy+} path) in API Gateway; bodies differ per "
                        + "route behind the proxy and are validated by the API function, which answers 400 saying what "
                        + "was wrong and what is valid. Models here would duplicate those schemas.");
        Suppressions.suppress(restApi.getLatestDeployment(), "CdkNagValidationFailure",
                "Serverless-APIGWStructuredLogging reads accessLogSetting from the Deployment, which has none: access "
                        + "logging (JSON, standard fields) is set on the Stage, where the rule passes.");
        Suppressions.suppress(restApi, "AwsSolutions-IAM4",
                "The account-level API Gateway CloudWatch role uses AWS's AmazonAPIGatewayPushToCloudWatchLogs, the "
                        + "documented policy for execution logging; API Gateway assumes it, no Skyloom code does.",
                List.of("Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"));

        webAcl = CfnWebACL.Builder.create(this, "WebAcl")
                .name(naming.physical("api-waf"))
                .scope("REGIONAL")
                .defaultAction(CfnWebACL.DefaultActionProperty.builder()
                        .allow(CfnWebACL.AllowActionProperty.builder().build()).build())
                .visibilityConfig(visibility(naming.physical("api-waf")))
                .rules(rules(props.rateLimitPerFiveMinutes()))
                .build();
        CfnWebACLAssociation.Builder.create(this, "WebAclAssociation")
                .resourceArn(restApi.getDeploymentStage().getStageArn())
                .webAclArn(webAcl.getAttrArn())
                .build();
    }

    private static List<CfnWebACL.RuleProperty> rules(int rateLimit) {
        List<CfnWebACL.RuleProperty> rules = new ArrayList<>();
        int priority = 0;
        for (String group : List.of("AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet",
                "AWSManagedRulesAmazonIpReputationList")) {
            CfnWebACL.ManagedRuleGroupStatementProperty.Builder statement =
                    CfnWebACL.ManagedRuleGroupStatementProperty.builder().vendorName("AWS").name(group);
            if (group.equals("AWSManagedRulesCommonRuleSet")) {
                // the common set blocks bodies over 8 KB; pipeline definitions and agent prompts are larger, and
                // the API function enforces its own size limits with a 413 that says what is allowed
                statement.ruleActionOverrides(List.of(CfnWebACL.RuleActionOverrideProperty.builder()
                        .name("SizeRestrictions_BODY")
                        .actionToUse(CfnWebACL.RuleActionProperty.builder()
                                .count(CfnWebACL.CountActionProperty.builder().build()).build())
                        .build()));
            }
            rules.add(CfnWebACL.RuleProperty.builder()
                    .name(group)
                    .priority(priority++)
                    .overrideAction(CfnWebACL.OverrideActionProperty.builder().none(Map.of()).build())
                    .statement(CfnWebACL.StatementProperty.builder()
                            .managedRuleGroupStatement(statement.build())
                            .build())
                    .visibilityConfig(visibility(group))
                    .build());
        }
        rules.add(CfnWebACL.RuleProperty.builder()
                .name("RateLimitPerIp")
                .priority(priority)
                .action(CfnWebACL.RuleActionProperty.builder()
                        .block(CfnWebACL.BlockActionProperty.builder().build()).build())
                .statement(CfnWebACL.StatementProperty.builder()
                        .rateBasedStatement(CfnWebACL.RateBasedStatementProperty.builder()
                                .limit(rateLimit).aggregateKeyType("IP").build())
                        .build())
                .visibilityConfig(visibility("RateLimitPerIp"))
                .build());
        return rules;
    }

    private static CfnWebACL.VisibilityConfigProperty visibility(String metric) {
        return CfnWebACL.VisibilityConfigProperty.builder().cloudWatchMetricsEnabled(true).metricName(metric)
                .sampledRequestsEnabled(true).build();
    }

    public RestApi restApi() {
        return restApi;
    }

    public LogGroup accessLogs() {
        return accessLogs;
    }

    public CfnWebACL webAcl() {
        return webAcl;
    }

    /** The REQUEST authorizer, when {@link ApiProps#authorizer()} was given. */
    public java.util.Optional<RequestAuthorizer> authorizer() {
        return java.util.Optional.ofNullable(authorizer);
    }

    /**
     * Properties of {@link Api}.
     *
     * @param handler    the API function (its {@code live} alias)
     * @param authorizer null when the API function authenticates requests itself
     */
    public record ApiProps(Naming naming, IFunction handler, IFunction authorizer, List<String> publicRoutes,
                           String stageName, int throttlingRateLimit, int throttlingBurstLimit,
                           int rateLimitPerFiveMinutes, RetentionDays logRetention) {
        public ApiProps {
            publicRoutes = List.copyOf(publicRoutes);
            for (String route : publicRoutes) {
                if (!route.matches("(GET|POST|PUT|PATCH|DELETE) " + java.util.regex.Pattern.quote(PUBLIC_ROUTE_PREFIX)
                        + "[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*")) {
                    throw new IllegalArgumentException("public route '" + route + "' is invalid: expected METHOD "
                            + PUBLIC_ROUTE_PREFIX + "path with literal segments, such as GET /api/v1/health");
                }
            }
            Objects.requireNonNull(naming, "naming");
            Objects.requireNonNull(handler, "handler (the API function)");
            Objects.requireNonNull(stageName, "stageName");
            Objects.requireNonNull(logRetention, "logRetention");
            if (throttlingRateLimit < 1 || throttlingBurstLimit < 1) {
                throw new IllegalArgumentException("throttling limits must be positive, were rate="
                        + throttlingRateLimit + " burst=" + throttlingBurstLimit);
            }
            if (rateLimitPerFiveMinutes < 10) {
                throw new IllegalArgumentException("the WAF rate limit must be at least 10 requests per 5 minutes (AWS "
                        + "minimum), was " + rateLimitPerFiveMinutes);
            }
        }

        public static Builder builder() {
            return new Builder();
        }

        /** Builds {@link ApiProps}: 50 requests/s (burst 100) per stage and 2,000 requests per 5 minutes per IP. */
        public static final class Builder {
            private Naming naming;
            private IFunction handler;
            private IFunction authorizer;
            private List<String> publicRoutes = List.of();
            private String stageName = "live";
            private int throttlingRateLimit = 50;
            private int throttlingBurstLimit = 100;
            private int rateLimitPerFiveMinutes = 2000;
            private RetentionDays logRetention = RetentionDays.ONE_MONTH;

            public Builder naming(Naming naming) {
                this.naming = naming;
                return this;
            }

            public Builder handler(IFunction handler) {
                this.handler = handler;
                return this;
            }

            public Builder authorizer(IFunction authorizer) {
                this.authorizer = authorizer;
                return this;
            }

            /** Routes ({@code METHOD /api/v1/path}) API Gateway passes on without the authorizer. */
            public Builder publicRoutes(List<String> publicRoutes) {
                this.publicRoutes = publicRoutes;
                return this;
            }

            public Builder stageName(String stageName) {
                this.stageName = stageName;
                return this;
            }

            public Builder throttling(int rateLimit, int burstLimit) {
                this.throttlingRateLimit = rateLimit;
                this.throttlingBurstLimit = burstLimit;
                return this;
            }

            public Builder rateLimitPerFiveMinutes(int requests) {
                this.rateLimitPerFiveMinutes = requests;
                return this;
            }

            public Builder logRetention(RetentionDays logRetention) {
                this.logRetention = logRetention;
                return this;
            }

            public ApiProps build() {
                return new ApiProps(naming, handler, authorizer, publicRoutes, stageName, throttlingRateLimit,
                        throttlingBurstLimit, rateLimitPerFiveMinutes, logRetention);
            }
        }
    }
}
