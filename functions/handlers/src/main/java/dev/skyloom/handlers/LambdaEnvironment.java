package dev.skyloom.handlers;

import dev.skyloom.manifest.LocalLambdaContract;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The function's environment: {@code System.getenv()}, overlaid with the per-function environment resource when the
 * local cloud hosts the function in-process (see {@link LocalLambdaContract}). On AWS the resource never exists.
 */
final class LambdaEnvironment {
    private LambdaEnvironment() {
    }

    static Map<String, String> read() {
        Map<String, String> environment = new HashMap<>(System.getenv());
        try (InputStream in = LambdaEnvironment.class.getClassLoader()
                .getResourceAsStream(LocalLambdaContract.ENVIRONMENT_RESOURCE)) {
            if (in != null) {
                Properties properties = new Properties();
                properties.load(in);
                properties.forEach((key, value) -> environment.put((String) key, (String) value));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + LocalLambdaContract.ENVIRONMENT_RESOURCE, e);
        }
        return Map.copyOf(environment);
    }
}
