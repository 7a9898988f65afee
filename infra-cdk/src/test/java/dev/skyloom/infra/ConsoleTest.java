package dev.skyloom.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Capture;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** The Console construct: private S3 behind CloudFront with origin access control and security headers. */
class ConsoleTest {
    private final SynthesizedApp app = SynthesizedApp.get();
    private final Template console = app.console;

    @Test
    void distribution_servesTheBucketThroughOriginAccessControl_overHttpsOnly_withLogs() {
        console.hasResourceProperties("AWS::CloudFront::OriginAccessControl", Match.objectLike(Map.of(
                "OriginAccessControlConfig", Match.objectLike(Map.of("OriginAccessControlOriginType", "s3",
                        "SigningBehavior", "always", "SigningProtocol", "sigv4")))));
        console.hasResourceProperties("AWS::CloudFront::Distribution", Match.objectLike(Map.of(
                "DistributionConfig", Match.objectLike(Map.of(
                        "DefaultRootObject", "index.html",
                        "DefaultCacheBehavior", Match.objectLike(Map.of(
                                "ViewerProtocolPolicy", "redirect-to-https",
                                "ResponseHeadersPolicyId", Match.anyValue(),
                                "FunctionAssociations", List.of(Match.objectLike(Map.of(
                                        "EventType", "viewer-request"))))),
                        "Logging", Match.objectLike(Map.of("Prefix", "cloudfront/")),
                        "Origins", Match.arrayWith(List.of(Match.objectLike(Map.of(
                                "OriginAccessControlId", Match.anyValue(),
                                "S3OriginConfig", Map.of("OriginAccessIdentity", ""))))))))));
    }

    @Test
    void onlyCloudFront_ofThisDistribution_mayReadTheBucket() {
        String distribution = console.findResources("AWS::CloudFront::Distribution").keySet().iterator().next();
        String site = console.findResources("AWS::S3::Bucket").entrySet().stream()
                .filter(e -> Templates.render(Templates.properties(e.getValue()).get("BucketName"), console)
                        .startsWith(SynthesizedApp.PREFIX + "console-{"))
                .map(Map.Entry::getKey).findFirst().orElseThrow();
        Capture statements = new Capture();
        console.hasResourceProperties("AWS::S3::BucketPolicy", Match.objectLike(Map.of(
                "Bucket", Map.of("Ref", site),
                "PolicyDocument", Match.objectLike(Map.of("Statement", statements)))));
        List<Object> allowed = statements.asArray().stream()
                .filter(s -> "Allow".equals(((Map<?, ?>) s).get("Effect"))).toList();
        assertThat(allowed).hasSize(1);
        Map<?, ?> allow = (Map<?, ?>) allowed.get(0);
        assertThat(allow.get("Principal")).isEqualTo(Map.of("Service", "cloudfront.amazonaws.com"));
        assertThat(allow.get("Action")).isEqualTo("s3:GetObject");
        assertThat(Templates.render(((Map<?, ?>) ((Map<?, ?>) allow.get("Condition")).get("StringEquals"))
                .get("AWS:SourceArn"), console)).contains("distribution/{Ref:" + distribution + "}");
    }

    @Test
    void responses_carryCspHstsNosniffFrameDenyAndReferrerPolicy() {
        Capture headers = new Capture();
        console.hasResourceProperties("AWS::CloudFront::ResponseHeadersPolicy", Match.objectLike(Map.of(
                "ResponseHeadersPolicyConfig", Match.objectLike(Map.of(
                        "Name", SynthesizedApp.PREFIX + "console-headers", "SecurityHeadersConfig", headers)))));
        Map<String, Object> security = headers.asObject();
        assertThat(security).containsKeys("ContentSecurityPolicy", "StrictTransportSecurity", "ContentTypeOptions",
                "FrameOptions", "ReferrerPolicy", "XSSProtection");
        assertThat(security.get("FrameOptions")).isEqualTo(Map.of("FrameOption", "DENY", "Override", true));
        assertThat(security.get("StrictTransportSecurity")).isEqualTo(Map.of("AccessControlMaxAgeSec", 63_072_000,
                "IncludeSubdomains", true, "Preload", true, "Override", true));
        assertThat(Templates.render(((Map<?, ?>) security.get("ContentSecurityPolicy")).get("ContentSecurityPolicy"),
                console)).contains("default-src 'self'", "frame-ancestors 'none'",
                "https://cognito-idp.{AWS::Region}.amazonaws.com");
    }

    @Test
    void apiPaths_goToTheRestApi_uncached_onTheSameOrigin() {
        console.hasResourceProperties("AWS::CloudFront::Distribution", Match.objectLike(Map.of(
                "DistributionConfig", Match.objectLike(Map.of("CacheBehaviors", List.of(Match.objectLike(Map.of(
                        "PathPattern", "/api/*",
                        "ViewerProtocolPolicy", "https-only",
                        "AllowedMethods", Match.arrayWith(List.of("POST", "DELETE")),
                        "CachePolicyId", "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"))))))));
    }

    @Test
    void spaRouting_rewritesExtensionlessPaths_only() {
        console.hasResourceProperties("AWS::CloudFront::Function", Match.objectLike(Map.of(
                "Name", SynthesizedApp.PREFIX + "console-routing",
                "FunctionConfig", Match.objectLike(Map.of("Runtime", "cloudfront-js-2.0")),
                "FunctionCode", Match.stringLikeRegexp("[\\s\\S]*indexOf\\('\\.'\\) < 0[\\s\\S]*/index\\.html[\\s\\S]*"))));
    }
}
