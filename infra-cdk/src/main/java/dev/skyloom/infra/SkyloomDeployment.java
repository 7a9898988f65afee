package dev.skyloom.infra;

import dev.skyloom.infra.stacks.ConsoleStack;
import dev.skyloom.infra.stacks.DataStack;
import dev.skyloom.infra.stacks.PlatformStack;
import dev.skyloom.manifest.ResourceManifest;
import dev.skyloom.manifest.StateMachineSpec;
import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import io.github.cdklabs.cdknag.NagReportFormat;
import io.github.cdklabs.cdknag.NagPackProps;
import io.github.cdklabs.cdknag.ServerlessChecks;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.Tags;

/**
 * One stage of Skyloom as three stacks: {@code Skyloom-<stage>-Data} (tables, buckets, data key; retained),
 * {@code Skyloom-<stage>-Platform} (everything that runs) and {@code Skyloom-<stage>-Console} (S3 + CloudFront).
 */
public record SkyloomDeployment(DataStack data, PlatformStack platform, ConsoleStack console,
                                List<StateMachineSpec> stateMachines) {

    /**
     * Adds the stacks of {@code config} to {@code app}.
     *
     * @param environment null for environment-agnostic stacks (account and region resolved at deploy time)
     */
    public static SkyloomDeployment create(App app, DeploymentConfig config, ResourceManifest manifest,
                                           Environment environment) {
        List<StateMachineSpec> stateMachines = StateMachineSpec.discover(config.stateMachinesDir());
        String prefix = config.stackPrefix();
        boolean protect = config.stage().equals("prod");
        DataStack data = new DataStack(app, prefix + "-Data", props(environment,
                "Skyloom " + config.stage() + ": tables, buckets and their KMS key (retained on deletion)", protect),
                manifest, config.naming());
        PlatformStack platform = new PlatformStack(app, prefix + "-Platform", props(environment,
                "Skyloom " + config.stage() + ": functions, workflows, messaging, API, identity, observability",
                protect), config, manifest, stateMachines, data.data());
        platform.addStackDependency(data, "the platform reads the data stack's tables, buckets and key");
        ConsoleStack console = new ConsoleStack(app, prefix + "-Console", props(environment,
                "Skyloom " + config.stage() + ": the web console on S3 and CloudFront", protect),
                config.naming(), platform.api().restApi());
        console.addStackDependency(platform, "the console serves the platform's REST API under /api/*");
        for (var stack : List.of(data, platform, console)) {
            Tags.of(stack).add("skyloom:stage", config.stage());
            Tags.of(stack).add("skyloom:component", stack.getStackName().substring(prefix.length() + 1).toLowerCase());
        }
        return new SkyloomDeployment(data, platform, console, stateMachines);
    }

    /**
     * Runs the cdk-nag AwsSolutions and Serverless rule packs over every construct of {@code app}. An unsuppressed
     * error fails synthesis; each pack also writes its report per stack into the cloud assembly
     * ({@code <pack>-<stack>-NagReport.csv} and {@code .json}).
     */
    public static void addNagChecks(App app) {
        List<NagReportFormat> formats = List.of(NagReportFormat.CSV, NagReportFormat.JSON);
        Aspects.of(app).add(new AwsSolutionsChecks(NagPackProps.builder().verbose(true).reports(true)
                .reportFormats(formats).build()));
        Aspects.of(app).add(new ServerlessChecks(NagPackProps.builder().verbose(true).reports(true)
                .reportFormats(formats).build()));
    }

    /** The environment of {@code CDK_DEFAULT_ACCOUNT}/{@code CDK_DEFAULT_REGION} when the CDK CLI sets them. */
    public static Environment environmentFrom(Map<String, String> variables) {
        String account = variables.get("CDK_DEFAULT_ACCOUNT");
        String region = variables.get("CDK_DEFAULT_REGION");
        if (account == null || region == null) {
            return null;
        }
        return Environment.builder().account(account).region(region).build();
    }

    private static StackProps props(Environment environment, String description, boolean terminationProtection) {
        StackProps.Builder builder = StackProps.builder().description(description)
                .terminationProtection(terminationProtection);
        if (environment != null) {
            builder.env(environment);
        }
        return builder.build();
    }
}
