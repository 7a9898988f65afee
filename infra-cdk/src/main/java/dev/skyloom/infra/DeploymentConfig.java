package dev.skyloom.infra;

import dev.skyloom.manifest.Naming;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * What one deployment of Skyloom is made of, read once and validated: the stage (which names every resource through
 * {@link Naming#forStage(String)}), the Lambda asset (the deployment jar built by {@code functions/handlers}), the
 * folder whose {@code *.asl.json} files become state machines, and where alarms are e-mailed.
 *
 * <p>Each value comes from CDK context ({@code cdk synth -c skyloom:stage=prod}), else from the environment
 * ({@code SKYLOOM_STAGE}), else its default. Relative paths are resolved against the {@code infra-cdk} folder, where
 * {@code cdk.json} lives.
 *
 * @param alarmEmail null when alarms only go to the SNS topic (subscribe to it later)
 */
public record DeploymentConfig(String stage, Path functionsJar, Path stateMachinesDir, String alarmEmail) {
    public static final String CONTEXT_STAGE = "skyloom:stage";
    public static final String CONTEXT_FUNCTIONS_JAR = "skyloom:functionsJar";
    public static final String CONTEXT_STATE_MACHINES = "skyloom:stateMachinesDir";
    public static final String CONTEXT_ALARM_EMAIL = "skyloom:alarmEmail";

    public static final String DEFAULT_STAGE = "dev";
    public static final String DEFAULT_FUNCTIONS_JAR = "../functions/handlers/target/skyloom-functions.jar";
    public static final String DEFAULT_STATE_MACHINES = "../statemachines";

    /** Short enough that the longest physical name (an S3 bucket with account and region) stays within 63. */
    private static final Pattern STAGE = Pattern.compile("[a-z][a-z0-9]{0,11}");
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");

    public DeploymentConfig {
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(functionsJar, "functionsJar");
        Objects.requireNonNull(stateMachinesDir, "stateMachinesDir");
        if (!STAGE.matcher(stage).matches()) {
            throw new IllegalArgumentException("stage '" + stage + "' is invalid: use 1-12 characters of a-z and 0-9, "
                    + "starting with a letter (for example dev, staging, prod)");
        }
        if (!Files.isRegularFile(functionsJar)) {
            throw new IllegalArgumentException("the Lambda asset " + functionsJar.toAbsolutePath().normalize()
                    + " does not exist: build the functions jar first with './skyloom build' "
                    + "(or 'mvn -pl functions/handlers -am package'), or point -c " + CONTEXT_FUNCTIONS_JAR
                    + "=<path> at it");
        }
        if (alarmEmail != null && !EMAIL.matcher(alarmEmail).matches()) {
            throw new IllegalArgumentException("alarm e-mail '" + alarmEmail + "' is not an e-mail address");
        }
    }

    /** The physical names of this stage: {@code skyloom-<stage>-<logical name>}. */
    public Naming naming() {
        return Naming.forStage(stage);
    }

    /** The CloudFormation stack name prefix of this stage: {@code Skyloom-<stage>}. */
    public String stackPrefix() {
        return "Skyloom-" + stage;
    }

    public Optional<String> alarmEmailAddress() {
        return Optional.ofNullable(alarmEmail);
    }

    /**
     * Reads the configuration.
     *
     * @param context     CDK context lookup (null when a key is absent)
     * @param environment the process environment
     * @param baseDir     the folder relative paths are resolved against (the {@code infra-cdk} folder)
     */
    public static DeploymentConfig resolve(Function<String, Object> context, Map<String, String> environment,
                                           Path baseDir) {
        String stage = value(context, CONTEXT_STAGE, environment, "SKYLOOM_STAGE", DEFAULT_STAGE);
        Path jar = baseDir.resolve(value(context, CONTEXT_FUNCTIONS_JAR, environment, "SKYLOOM_FUNCTIONS_JAR",
                DEFAULT_FUNCTIONS_JAR)).normalize();
        Path stateMachines = baseDir.resolve(value(context, CONTEXT_STATE_MACHINES, environment,
                "SKYLOOM_STATE_MACHINES_DIR", DEFAULT_STATE_MACHINES)).normalize();
        String email = value(context, CONTEXT_ALARM_EMAIL, environment, "SKYLOOM_ALARM_EMAIL", null);
        return new DeploymentConfig(stage, jar, stateMachines, email == null || email.isBlank() ? null : email);
    }

    private static String value(Function<String, Object> context, String contextKey, Map<String, String> environment,
                                String variable, String fallback) {
        Object fromContext = context.apply(contextKey);
        if (fromContext != null && !fromContext.toString().isBlank()) {
            return fromContext.toString().trim();
        }
        String fromEnvironment = environment.get(variable);
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return fromEnvironment.trim();
        }
        return fallback;
    }
}
