package dev.skyloom.local.cloud;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code skyloom up}: starts the local cloud in the foreground until Ctrl-C or SIGTERM. */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Start the Skyloom local cloud in the foreground: AWS-compatible edge, local API Gateway and "
                + "console, with Skyloom's resources and a default tenant.")
public final class LocalCloudMain implements Callable<Integer> {
    /** Written into a data directory the local cloud created, so --fresh never wipes a directory it does not own. */
    static final String MARKER = ".skyloom-data";

    @Option(names = "--data-dir", description = "Where all local state lives (default: ${DEFAULT-VALUE}).",
            defaultValue = "${env:SKYLOOM_DATA_DIR:-.skyloom/data}")
    Path dataDir;

    @Option(names = "--fresh", description = "Wipe the data directory before starting.")
    boolean fresh;

    @Option(names = "--edge-port", description = "Port of the AWS-compatible edge (default: ${DEFAULT-VALUE}).",
            defaultValue = "${env:SKYLOOM_EDGE_PORT:-4566}")
    int edgePort;

    @Option(names = "--api-port", description = "Port of the API Gateway and console (default: ${DEFAULT-VALUE}).",
            defaultValue = "${env:SKYLOOM_API_PORT:-8080}")
    int apiPort;

    @Option(names = "--host", description = "Address to listen on (default: ${DEFAULT-VALUE}).",
            defaultValue = "127.0.0.1")
    String host;

    @Option(names = "--functions", required = true,
            description = "Skyloom's deployment jar (functions/handlers/target/skyloom-functions.jar).")
    Path functions;

    @Option(names = "--web", description = "The console build to serve (default: ${DEFAULT-VALUE}).",
            defaultValue = "web/dist")
    Path web;

    @Option(names = "--state-machines", description = "The platform's ASL definitions (default: ${DEFAULT-VALUE}).",
            defaultValue = "statemachines")
    Path stateMachines;

    @Option(names = "--models-dir", description = "The local model server's scripted scenarios, <name>.yaml "
            + "(default: <data-dir>/models).", defaultValue = "${env:SKYLOOM_MODELS_DIR}")
    Path modelsDir;

    @Override
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        if (!Files.exists(functions)) {
            System.err.println("skyloom: the functions jar " + functions + " does not exist; build it with "
                    + "'./skyloom up' (or mvn -pl functions/handlers -am package)");
            return 2;
        }
        prepareDataDir();
        LocalCloudConfig config = new LocalCloudConfig(dataDir.toAbsolutePath(), host, edgePort, apiPort,
                functions.toAbsolutePath(), web.toAbsolutePath(), LocalCloudConfig.DEFAULT_REGION,
                LocalCloudConfig.DEFAULT_ACCOUNT, 256, 5, stateMachines.toAbsolutePath(),
                modelsDir == null ? null : modelsDir.toAbsolutePath());
        LocalCloud cloud = new LocalCloud(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("\nskyloom: stopping the local cloud ...");
            cloud.close();
            System.out.println("skyloom: stopped; data kept in " + config.dataDir());
            stopped.countDown();
        }, "skyloom-shutdown"));
        cloud.start();
        double seconds = (System.nanoTime() - t0) / 1e9;
        String api = cloud.apiEndpoint().orElseThrow().toString();
        var bootstrap = cloud.bootstrap().orElseThrow();
        try {
            // the example pipelines (engineering, research) and their agents in the default tenant, once
            var created = new dev.skyloom.local.cloud.provision.ExamplePipelines(cloud.apiEndpoint().orElseThrow(),
                    Files.readString(bootstrap.keyFile()).trim()).ensure(stateMachines.toAbsolutePath()
                    .resolve("examples"));
            if (!created.isEmpty()) {
                System.out.println("skyloom: example pipelines created: " + String.join(", ", created));
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("skyloom: the example pipelines were not created: " + e.getMessage());
        }
        System.out.printf("""

                Skyloom local cloud is up (%.1f s)
                  console    %s/
                  REST API   %s/api/v1        health: %s/api/v1/health
                  AWS edge   %s       aws --endpoint-url %s dynamodb list-tables
                  data       %s
                  admin key  %s%s
                Press Ctrl-C to stop.
                %n""", seconds, api, api, api, cloud.edgeEndpoint(), cloud.edgeEndpoint(), config.dataDir(),
                bootstrap.keyFile(), bootstrap.minted() ? "  (new; mode 0600; the key is not printed)" : "");
        stopped.await();
        return 0;
    }

    private void prepareDataDir() throws IOException {
        Path dir = dataDir.toAbsolutePath();
        if (fresh && Files.isDirectory(dir)) {
            boolean empty;
            try (Stream<Path> entries = Files.list(dir)) {
                empty = entries.findAny().isEmpty();
            }
            if (!empty && !Files.exists(dir.resolve(MARKER))) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--fresh refuses to wipe " + dir
                        + ": it is not a Skyloom data directory (no " + MARKER + " file in it)");
            }
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    if (!p.equals(dir)) {
                        Files.delete(p);
                    }
                }
            }
        }
        Files.createDirectories(dir);
        if (!Files.exists(dir.resolve(MARKER))) {
            Files.writeString(dir.resolve(MARKER), "Skyloom local cloud data. Safe to delete when it is stopped.\n");
        }
    }

    public static void main(String[] args) {
        // several emulator jars ship a logback.xml: ours comes first; do not print logback's status about the others
        System.setProperty("logback.statusListenerClass", "ch.qos.logback.core.status.NopStatusListener");
        int code;
        try {
            code = new CommandLine(new LocalCloudMain()).execute(args);
        } catch (RuntimeException e) {
            code = 1;
        }
        if (code != 0) {
            // emulators start non-daemon threads (Jetty, Pekko): a failed boot must exit explicitly
            System.exit(code);
        }
    }
}
