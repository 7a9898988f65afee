package dev.skyloom.infra;

import dev.skyloom.manifest.SkyloomResources;
import java.nio.file.Files;
import java.nio.file.Path;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;

/**
 * The CDK app: {@code cdk synth} / {@code ./skyloom synth} run this class. Every resource comes from the manifest
 * ({@link SkyloomResources#manifest()}) and {@code statemachines/*.asl.json}; see {@link DeploymentConfig} for the
 * context keys.
 */
public final class SkyloomApp {
    private SkyloomApp() {
    }

    public static void main(String[] args) {
        Path cdkJson = Path.of("cdk.json");
        App app = Files.isRegularFile(cdkJson)
                ? new App(AppProps.builder().context(CdkJson.context(cdkJson)).build())
                : new App();
        DeploymentConfig config;
        try {
            config = DeploymentConfig.resolve(key -> app.getNode().tryGetContext(key), System.getenv(),
                    Path.of("").toAbsolutePath());
        } catch (IllegalArgumentException e) {
            System.err.println("skyloom synth: " + e.getMessage());
            System.exit(2);
            return;
        }
        SkyloomDeployment.create(app, config, SkyloomResources.manifest(),
                SkyloomDeployment.environmentFrom(System.getenv()));
        SkyloomDeployment.addNagChecks(app);
        app.synth();
    }
}
