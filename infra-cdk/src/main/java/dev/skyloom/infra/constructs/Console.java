package dev.skyloom.infra.constructs;

import dev.skyloom.manifest.Naming;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.apigateway.RestApi;
import software.amazon.awscdk.services.cloudfront.AllowedMethods;
import software.amazon.awscdk.services.cloudfront.BehaviorOptions;
import software.amazon.awscdk.services.cloudfront.CachePolicy;
import software.amazon.awscdk.services.cloudfront.Distribution;
import software.amazon.awscdk.services.cloudfront.FunctionAssociation;
import software.amazon.awscdk.services.cloudfront.FunctionCode;
import software.amazon.awscdk.services.cloudfront.FunctionEventType;
import software.amazon.awscdk.services.cloudfront.FunctionRuntime;
import software.amazon.awscdk.services.cloudfront.HeadersFrameOption;
import software.amazon.awscdk.services.cloudfront.HeadersReferrerPolicy;
import software.amazon.awscdk.services.cloudfront.HttpVersion;
import software.amazon.awscdk.services.cloudfront.OriginRequestPolicy;
import software.amazon.awscdk.services.cloudfront.PriceClass;
import software.amazon.awscdk.services.cloudfront.ResponseHeadersContentSecurityPolicy;
import software.amazon.awscdk.services.cloudfront.ResponseHeadersContentTypeOptions;
import software.amazon.awscdk.services.cloudfront.ResponseHeadersFrameOptions;
import software.amazon.awscdk.services.cloudfront.ResponseHeadersPolicy;
import software.amazon.awscdk.services.cloudfront.ResponseHeadersReferrerPolicy;
import software.amazon.awscdk.services.cloudfront.ResponseHeadersStrictTransportSecurity;
import software.amazon.awscdk.services.cloudfront.ResponseHeadersXSSProtection;
import software.amazon.awscdk.services.cloudfront.ResponseSecurityHeadersBehavior;
import software.amazon.awscdk.services.cloudfront.ViewerProtocolPolicy;
import software.amazon.awscdk.services.cloudfront.origins.RestApiOrigin;
import software.amazon.awscdk.services.cloudfront.origins.S3BucketOrigin;
import software.amazon.awscdk.services.s3.BlockPublicAccess;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.s3.BucketEncryption;
import software.amazon.awscdk.services.s3.LifecycleRule;
import software.amazon.awscdk.services.s3.ObjectOwnership;
import software.constructs.Construct;

/**
 * The web console on AWS: the built {@code web/dist} in a private S3 bucket served only through CloudFront with
 * origin access control; every response carries security headers (CSP, HSTS, nosniff, frame DENY, referrer
 * policy); deep links of the single-page app are rewritten to {@code /index.html} by a CloudFront Function; and
 * {@code /api/*} goes to the REST API, so the console and the API share one origin (no CORS).
 */
public final class Console extends Construct {
    /** Single-page-app routing: paths without a file extension get the app shell; assets are served as they are. */
    static final String SPA_ROUTING = """
            function handler(event) {
              var request = event.request;
              var last = request.uri.substring(request.uri.lastIndexOf('/') + 1);
              if (last.indexOf('.') < 0) {
                request.uri = '/index.html';
              }
              return request;
            }
            """;

    private final Bucket siteBucket;
    private final Bucket logBucket;
    private final Distribution distribution;
    private final ResponseHeadersPolicy headers;

    public Console(Construct scope, String id, ConsoleProps props) {
        super(scope, id);
        Naming naming = props.naming();
        logBucket = Bucket.Builder.create(this, "Logs")
                .bucketName(Data.globalBucketName(naming, "console-logs"))
                .encryption(BucketEncryption.S3_MANAGED)
                .blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
                // CloudFront standard logging writes with ACLs: the bucket owner still owns every object
                .objectOwnership(ObjectOwnership.BUCKET_OWNER_PREFERRED)
                .enforceSsl(true)
                .minimumTlsVersion(1.2)
                .versioned(true)
                .lifecycleRules(List.of(LifecycleRule.builder().id("expire-logs").expiration(Duration.days(90))
                        .noncurrentVersionExpiration(Duration.days(1)).build()))
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();
        siteBucket = Bucket.Builder.create(this, "Site")
                .bucketName(Data.globalBucketName(naming, "console"))
                .encryption(BucketEncryption.S3_MANAGED)
                .blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
                .objectOwnership(ObjectOwnership.BUCKET_OWNER_ENFORCED)
                .enforceSsl(true)
                .minimumTlsVersion(1.2)
                .versioned(true)
                .serverAccessLogsBucket(logBucket)
                .serverAccessLogsPrefix("s3/console/")
                .lifecycleRules(List.of(LifecycleRule.builder().id("old-builds")
                        .noncurrentVersionExpiration(Duration.days(30)).build()))
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();

        String connectSources = "'self' https://cognito-idp." + Aws.REGION + ".amazonaws.com";
        headers = ResponseHeadersPolicy.Builder.create(this, "SecurityHeaders")
                .responseHeadersPolicyName(naming.physical("console-headers"))
                .comment("Security headers of the Skyloom console and API")
                .securityHeadersBehavior(ResponseSecurityHeadersBehavior.builder()
                        .contentSecurityPolicy(ResponseHeadersContentSecurityPolicy.builder()
                                .contentSecurityPolicy("default-src 'self'; script-src 'self'; "
                                        + "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                                        + "connect-src " + connectSources + "; frame-ancestors 'none'; "
                                        + "base-uri 'self'; form-action 'self'; object-src 'none'")
                                .override(true).build())
                        .strictTransportSecurity(ResponseHeadersStrictTransportSecurity.builder()
                                .accessControlMaxAge(Duration.days(730)).includeSubdomains(true).preload(true)
                                .override(true).build())
                        .contentTypeOptions(ResponseHeadersContentTypeOptions.builder().override(true).build())
                        .frameOptions(ResponseHeadersFrameOptions.builder().frameOption(HeadersFrameOption.DENY)
                                .override(true).build())
                        .referrerPolicy(ResponseHeadersReferrerPolicy.builder()
                                .referrerPolicy(HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN)
                                .override(true).build())
                        .xssProtection(ResponseHeadersXSSProtection.builder().protection(true).modeBlock(true)
                                .override(true).build())
                        .build())
                .build();

        software.amazon.awscdk.services.cloudfront.Function routing =
                software.amazon.awscdk.services.cloudfront.Function.Builder.create(this, "SpaRouting")
                        .functionName(naming.physical("console-routing"))
                        .runtime(FunctionRuntime.JS_2_0)
                        .code(FunctionCode.fromInline(SPA_ROUTING))
                        .comment("Serves /index.html for the console's client-side routes")
                        .build();

        Distribution.Builder distributionBuilder = Distribution.Builder.create(this, "Distribution")
                .comment("Skyloom console (" + naming.prefix() + "*)")
                .defaultRootObject("index.html")
                .httpVersion(HttpVersion.HTTP2_AND_3)
                .priceClass(props.priceClass())
                .enableLogging(true)
                .logBucket(logBucket)
                .logFilePrefix("cloudfront/")
                .defaultBehavior(BehaviorOptions.builder()
                        .origin(S3BucketOrigin.withOriginAccessControl(siteBucket))
                        .viewerProtocolPolicy(ViewerProtocolPolicy.REDIRECT_TO_HTTPS)
                        .cachePolicy(CachePolicy.CACHING_OPTIMIZED)
                        .responseHeadersPolicy(headers)
                        .functionAssociations(List.of(FunctionAssociation.builder().function(routing)
                                .eventType(FunctionEventType.VIEWER_REQUEST).build()))
                        .build());
        if (props.api() != null) {
            distributionBuilder.additionalBehaviors(Map.of("/api/*", BehaviorOptions.builder()
                    .origin(new RestApiOrigin(props.api()))
                    .viewerProtocolPolicy(ViewerProtocolPolicy.HTTPS_ONLY)
                    .allowedMethods(AllowedMethods.ALLOW_ALL)
                    .cachePolicy(CachePolicy.CACHING_DISABLED)
                    .originRequestPolicy(OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER)
                    .responseHeadersPolicy(headers)
                    .build()));
        }
        distribution = distributionBuilder.build();
        Suppressions.suppress(distribution, "AwsSolutions-CFR4",
                "The default *.cloudfront.net certificate cannot be pinned to TLS 1.2; a custom domain with an ACM "
                        + "certificate (TLSv1.2_2021) is a deploy-time choice outside this construct.");
        Suppressions.suppress(distribution, "AwsSolutions-CFR1",
                "Skyloom teams work from anywhere; access is controlled by Cognito sign-in and API keys, not geography.");
        Suppressions.suppress(distribution, "AwsSolutions-CFR2",
                "A CloudFront web ACL must live in us-east-1; the API behind /api/* is protected by the regional "
                        + "WAF of the Api construct, and the console itself is static files.");
    }

    public Bucket siteBucket() {
        return siteBucket;
    }

    public Bucket logBucket() {
        return logBucket;
    }

    public Distribution distribution() {
        return distribution;
    }

    public ResponseHeadersPolicy headers() {
        return headers;
    }

    /**
     * Properties of {@link Console}.
     *
     * @param api the REST API served under {@code /api/*}; null serves the static console only
     */
    public record ConsoleProps(Naming naming, RestApi api, PriceClass priceClass) {
        public ConsoleProps {
            Objects.requireNonNull(naming, "naming");
            Objects.requireNonNull(priceClass, "priceClass");
        }

        public static Builder builder() {
            return new Builder();
        }

        /** Builds {@link ConsoleProps}: edge locations of North America and Europe by default. */
        public static final class Builder {
            private Naming naming;
            private RestApi api;
            private PriceClass priceClass = PriceClass.PRICE_CLASS_100;

            public Builder naming(Naming naming) {
                this.naming = naming;
                return this;
            }

            public Builder api(RestApi api) {
                this.api = api;
                return this;
            }

            public Builder priceClass(PriceClass priceClass) {
                this.priceClass = priceClass;
                return this;
            }

            public ConsoleProps build() {
                return new ConsoleProps(naming, api, priceClass);
            }
        }
    }
}
