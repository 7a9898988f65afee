package dev.skyloom.infra;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyloom.infra.constructs.Api;
import dev.skyloom.manifest.Naming;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Capture;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.lambda.Function;

/** The Api construct: proxy to the API function, validation, logs, throttling, WAF, and the authorizer hook. */
class ApiTest {
    private final SynthesizedApp app = SynthesizedApp.get();
    private final Template platform = app.platform;

    @Test
    void proxy_sendsEveryMethodUnderApiV1_toTheLiveAliasOfTheApiFunction() {
        platform.hasResourceProperties("AWS::ApiGateway::RestApi", Match.objectLike(Map.of(
                "Name", SynthesizedApp.PREFIX + "api", "EndpointConfiguration", Map.of("Types", List.of("REGIONAL")))));
        for (String part : List.of("api", "v1", "{proxy+}")) {
            platform.hasResourceProperties("AWS::ApiGateway::Resource", Match.objectLike(Map.of("PathPart", part)));
        }
        String validator = platform.findResources("AWS::ApiGateway::RequestValidator").keySet().iterator().next();
        Capture uri = new Capture();
        String authorizer = platform.findResources("AWS::ApiGateway::Authorizer").keySet().iterator().next();
        platform.hasResourceProperties("AWS::ApiGateway::Method", Match.objectLike(Map.of(
                "HttpMethod", "ANY",
                "AuthorizationType", "CUSTOM",
                "AuthorizerId", Map.of("Ref", authorizer),
                "RequestParameters", Map.of("method.request.path.proxy", true),
                "RequestValidatorId", Map.of("Ref", validator),
                "Integration", Match.objectLike(Map.of("Type", "AWS_PROXY", "IntegrationHttpMethod", "POST",
                        "Uri", uri)))));
        String alias = Templates.logicalId(platform, "AWS::Lambda::Alias", "FunctionName",
                Map.of("Ref", Templates.logicalId(platform, "AWS::Lambda::Function", "FunctionName",
                        SynthesizedApp.PREFIX + "api")));
        assertThat(Templates.render(uri.asObject(), app.data)).contains("{Ref:" + alias + "}/invocations");
        platform.hasResourceProperties("AWS::ApiGateway::RequestValidator", Map.of(
                "RestApiId", Match.anyValue(), "Name", SynthesizedApp.PREFIX + "api-validator",
                "ValidateRequestParameters", true, "ValidateRequestBody", false));
    }

    @Test
    void stage_logsAccessAsJson_andExecutionAtInfo_withoutBodies_throttles_andTraces() {
        String accessLogs = Templates.logicalId(platform, "AWS::Logs::LogGroup", "LogGroupName",
                "/aws/apigateway/" + SynthesizedApp.PREFIX + "api/access");
        Capture format = new Capture();
        platform.hasResourceProperties("AWS::ApiGateway::Stage", Match.objectLike(Map.of(
                "StageName", SynthesizedApp.STAGE,
                "TracingEnabled", true,
                "AccessLogSetting", Map.of("DestinationArn", Map.of("Fn::GetAtt", List.of(accessLogs, "Arn")),
                        "Format", format),
                "MethodSettings", List.of(Match.objectLike(Map.of("HttpMethod", "*", "ResourcePath", "/*",
                        "LoggingLevel", "INFO", "DataTraceEnabled", false, "MetricsEnabled", true,
                        "ThrottlingRateLimit", 50, "ThrottlingBurstLimit", 100))))));
        assertThat(format.asString()).contains("\"requestId\":\"$context.requestId\"", "\"status\":\"$context.status\"");
    }

    @Test
    void webAcl_usesTheAwsManagedRuleGroups_andARateLimit_andProtectsTheStage() {
        Capture rules = new Capture();
        platform.hasResourceProperties("AWS::WAFv2::WebACL", Match.objectLike(Map.of(
                "Name", SynthesizedApp.PREFIX + "api-waf", "Scope", "REGIONAL",
                "DefaultAction", Map.of("Allow", Map.of()), "Rules", rules)));
        assertThat(rules.asArray().toString()).contains("AWSManagedRulesCommonRuleSet",
                "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesAmazonIpReputationList", "RateBasedStatement",
                "SizeRestrictions_BODY");
        String stage = platform.findResources("AWS::ApiGateway::Stage").keySet().iterator().next();
        Capture resourceArn = new Capture();
        platform.hasResourceProperties("AWS::WAFv2::WebACLAssociation", Match.objectLike(Map.of(
                "ResourceArn", resourceArn)));
        assertThat(Templates.render(resourceArn.asObject(), app.data)).contains("/stages/{Ref:" + stage + "}");
    }

    @Test
    void authorizer_isTheManifestsAuthorizerFunction_cachedPerAuthorizationHeader() {
        Capture uri = new Capture();
        platform.hasResourceProperties("AWS::ApiGateway::Authorizer", Match.objectLike(Map.of(
                "Type", "REQUEST", "Name", SynthesizedApp.PREFIX + "api-authorizer",
                "IdentitySource", "method.request.header.Authorization",
                "AuthorizerResultTtlInSeconds", 300, "AuthorizerUri", uri)));
        String alias = Templates.logicalId(platform, "AWS::Lambda::Alias", "FunctionName",
                Map.of("Ref", Templates.logicalId(platform, "AWS::Lambda::Function", "FunctionName",
                        SynthesizedApp.PREFIX + "authorizer")));
        assertThat(uri.asObject().toString()).contains("{Ref=" + alias + "}");
    }

    @Test
    void publicRoutes_haveTheirOwnMethods_withoutTheAuthorizer() {
        for (String route : dev.skyloom.manifest.SkyloomResources.PUBLIC_API_ROUTES) {
            String method = route.substring(0, route.indexOf(' '));
            String last = route.substring(route.lastIndexOf('/') + 1);
            String resource = Templates.logicalId(platform, "AWS::ApiGateway::Resource", "PathPart", last);
            platform.hasResourceProperties("AWS::ApiGateway::Method", Match.objectLike(Map.of(
                    "HttpMethod", method, "AuthorizationType", "NONE", "ResourceId", Map.of("Ref", resource))));
        }
        // the four public methods and ANY {proxy+}: nothing else
        platform.resourceCountIs("AWS::ApiGateway::Method", 5);
        platform.resourcePropertiesCountIs("AWS::ApiGateway::Method", Match.objectLike(Map.of(
                "AuthorizationType", "NONE")), 4);
    }

    @Test
    void authorizerHook_putsALambdaRequestAuthorizer_onEveryMethod() {
        Stack stack = new Stack(SynthesizedApp.newApp(), "ApiWithAuthorizer");
        String arn = "arn:aws:lambda:us-east-1:123456789012:function:";
        new Api(stack, "Api", Api.ApiProps.builder()
                .naming(Naming.forStage("hook"))
                .handler(Function.fromFunctionArn(stack, "Handler", arn + "skyloom-hook-api:live"))
                .authorizer(Function.fromFunctionArn(stack, "Authorizer", arn + "skyloom-hook-authorizer:live"))
                .build());
        Template template = Template.fromStack(stack);

        String authorizer = template.findResources("AWS::ApiGateway::Authorizer").keySet().iterator().next();
        template.hasResourceProperties("AWS::ApiGateway::Authorizer", Match.objectLike(Map.of(
                "Type", "REQUEST", "Name", "skyloom-hook-api-authorizer",
                "IdentitySource", "method.request.header.Authorization",
                "AuthorizerResultTtlInSeconds", 300)));
        template.hasResourceProperties("AWS::ApiGateway::Method", Match.objectLike(Map.of(
                "AuthorizationType", "CUSTOM", "AuthorizerId", Map.of("Ref", authorizer))));
    }

    @Test
    void apig4_isSuppressedOnlyOnThePublicMethods_andCompliantOnTheAuthorizedProxy() {
        List<NagReports.Line> apig4 = app.nag.lines().stream()
                .filter(l -> l.ruleId().equals("AwsSolutions-APIG4") && l.resourceId().contains("/Api/")).toList();

        assertThat(apig4).filteredOn(l -> l.compliance().equals("Suppressed")).hasSize(
                dev.skyloom.manifest.SkyloomResources.PUBLIC_API_ROUTES.size())
                .allSatisfy(l -> assertThat(l.reason()).contains("is public by design"));
        assertThat(apig4).filteredOn(l -> l.resourceId().contains("{proxy+}/ANY"))
                .singleElement().satisfies(l -> assertThat(l.compliance()).isEqualTo("Compliant"));
    }
}
