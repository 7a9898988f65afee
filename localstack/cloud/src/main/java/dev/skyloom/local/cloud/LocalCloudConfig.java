package dev.skyloom.local.cloud;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How to run the local cloud.
 *
 * @param host          the loopback address every listener binds to
 * @param edgePort      the AWS-compatible edge (0 picks a free port, for tests)
 * @param apiPort       the local API Gateway and console (0 picks a free port)
 * @param functionsCode the deployment jar (or class directory) of Skyloom's functions; null runs the cloud with no
 *                      platform functions (emulators, edge and Lambda service only)
 * @param webRoot       the console's static build; null or missing serves a placeholder page
 * @param stateMachines the folder of the platform's {@code *.asl.json} definitions (statemachines/); null deploys none
 * @param modelsDir     the local model server's scenario scripts ({@code <name>.yaml}); null means
 *                      {@code <dataDir>/models}
 */
public record LocalCloudConfig(Path dataDir, String host, int edgePort, int apiPort, Path functionsCode, Path webRoot,
                               String region, String accountId, int lambdaConcurrency, int asyncRetryDelaySeconds,
                               Path stateMachines, Path modelsDir) {
    public static final String DEFAULT_REGION = "us-east-1";
    public static final String DEFAULT_ACCOUNT = "000000000000";

    public LocalCloudConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(host, "host");
        if (edgePort < 0 || edgePort > 65_535 || apiPort < 0 || apiPort > 65_535) {
            throw new IllegalArgumentException("ports must be between 0 and 65535");
        }
        if (lambdaConcurrency < 1) {
            throw new IllegalArgumentException("lambdaConcurrency must be at least 1, was " + lambdaConcurrency);
        }
    }

    /** A configuration with the default models directory ({@code <dataDir>/models}). */
    public LocalCloudConfig(Path dataDir, String host, int edgePort, int apiPort, Path functionsCode, Path webRoot,
                            String region, String accountId, int lambdaConcurrency, int asyncRetryDelaySeconds,
                            Path stateMachines) {
        this(dataDir, host, edgePort, apiPort, functionsCode, webRoot, region, accountId, lambdaConcurrency,
                asyncRetryDelaySeconds, stateMachines, null);
    }

    /** Where the local model server reads its scenarios. */
    public Path effectiveModelsDir() {
        return modelsDir != null ? modelsDir : dataDir.resolve("models");
    }

    /** The defaults of {@code ./skyloom up}. */
    public static LocalCloudConfig defaults(Path dataDir, Path functionsCode, Path webRoot) {
        return new LocalCloudConfig(dataDir, "127.0.0.1", 4566, 8080, functionsCode, webRoot, DEFAULT_REGION,
                DEFAULT_ACCOUNT, 256, 5, null);
    }

    /** Free ports, for tests that run several clouds or run beside a developer's own. */
    public static LocalCloudConfig ephemeral(Path dataDir, Path functionsCode) {
        return new LocalCloudConfig(dataDir, "127.0.0.1", 0, 0, functionsCode, null, DEFAULT_REGION,
                DEFAULT_ACCOUNT, 64, 1, null);
    }

    /** The same configuration, deploying the state machines of {@code folder}. */
    public LocalCloudConfig withStateMachines(Path folder) {
        return new LocalCloudConfig(dataDir, host, edgePort, apiPort, functionsCode, webRoot, region, accountId,
                lambdaConcurrency, asyncRetryDelaySeconds, folder, modelsDir);
    }

    /** The same configuration, with the local model server's scenarios read from {@code folder}. */
    public LocalCloudConfig withModelsDir(Path folder) {
        return new LocalCloudConfig(dataDir, host, edgePort, apiPort, functionsCode, webRoot, region, accountId,
                lambdaConcurrency, asyncRetryDelaySeconds, stateMachines, folder);
    }
}
