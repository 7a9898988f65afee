package dev.skyloom.infra;

import dev.skyloom.manifest.SkyloomResources;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Template;

/**
 * One synthesized Skyloom stage shared by every test class of the JVM: synthesis starts Node (jsii) and takes
 * seconds, so it runs once. The stage is {@code test}, the Lambda asset is the real deployment jar, the state
 * machines are the fixtures in {@code src/test/resources/statemachines}, and cdk-nag's AwsSolutions and Serverless
 * packs have run over it.
 */
final class SynthesizedApp {
    static final String STAGE = "test";
    static final String PREFIX = "skyloom-test-";

    private static SynthesizedApp instance;

    final App app;
    final SkyloomDeployment deployment;
    final Template data;
    final Template platform;
    final Template console;
    /** What cdk-nag's AwsSolutions and Serverless packs decided about every resource of the three stacks. */
    final NagReports nag;

    private SynthesizedApp() {
        app = newApp();
        DeploymentConfig config = new DeploymentConfig(STAGE, functionsJar(), fixtureStateMachines(),
                "ops@example.com");
        deployment = SkyloomDeployment.create(app, config, SkyloomResources.manifest(), null);
        SkyloomDeployment.addNagChecks(app);
        app.synth();
        data = Template.fromStack(deployment.data());
        platform = Template.fromStack(deployment.platform());
        console = Template.fromStack(deployment.console());
        nag = NagReports.read(Path.of(app.getOutdir()));
    }

    /** An app with the feature flags of cdk.json, as the CDK CLI and ./skyloom synth run it. */
    static App newApp() {
        return new App(AppProps.builder().context(CdkJson.context(root().resolve("infra-cdk/cdk.json"))).build());
    }

    static synchronized SynthesizedApp get() {
        if (instance == null) {
            instance = new SynthesizedApp();
        }
        return instance;
    }


    List<Stack> stacks() {
        return List.of(deployment.data(), deployment.platform(), deployment.console());
    }

    static Annotations annotations(Stack stack) {
        return Annotations.fromStack(stack);
    }

    /** The deployment jar of functions/handlers, as the reactor built it before this module's tests. */
    static Path functionsJar() {
        return Path.of(Objects.requireNonNull(System.getProperty("skyloom.functionsJar"),
                "system property skyloom.functionsJar (set by the pom)"));
    }

    /** The repository root. */
    static Path root() {
        return Path.of(Objects.requireNonNull(System.getProperty("skyloom.root"), "system property skyloom.root"));
    }

    static Path fixtureStateMachines() {
        try {
            return Path.of(Objects.requireNonNull(SynthesizedApp.class.getResource("/statemachines"),
                    "test resource /statemachines").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
