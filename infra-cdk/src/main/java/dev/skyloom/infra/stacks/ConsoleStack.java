package dev.skyloom.infra.stacks;

import dev.skyloom.infra.constructs.Console;
import dev.skyloom.manifest.Naming;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.apigateway.RestApi;
import software.constructs.Construct;

/** The web console of a stage: S3 + CloudFront, with the REST API under {@code /api/*} on the same origin. */
public final class ConsoleStack extends Stack {
    private final Console console;

    public ConsoleStack(Construct scope, String id, StackProps props, Naming naming, RestApi api) {
        super(scope, id, props);
        console = new Console(this, "Console", Console.ConsoleProps.builder().naming(naming).api(api).build());
        CfnOutput.Builder.create(this, "ConsoleUrl")
                .value("https://" + console.distribution().getDistributionDomainName())
                .description("The console (and the API under /api/v1)").build();
        CfnOutput.Builder.create(this, "ConsoleBucket")
                .value(console.siteBucket().getBucketName())
                .description("Upload web/dist here: aws s3 sync web/dist s3://<bucket>/ --delete").build();
        CfnOutput.Builder.create(this, "DistributionId")
                .value(console.distribution().getDistributionId())
                .description("Invalidate after an upload: aws cloudfront create-invalidation --paths '/*'").build();
    }

    public Console console() {
        return console;
    }
}
