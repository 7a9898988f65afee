package dev.skyloom.handlers;

import dev.skyloom.manifest.LocalLambdaContract;
import dev.skyloom.manifest.SkyloomResources;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The configuration of Skyloom's functions, read once from the environment and validated: a missing or malformed
 * variable fails the cold start with a message that names it.
 *
 * @param endpoint    the endpoint every SDK client uses (the local cloud's edge); empty on AWS
 * @param credentials static credentials given by the local cloud; empty on AWS (the default chain is used)
 */
public record SkyloomConfig(String region, Optional<URI> endpoint, Optional<Credentials> credentials,
                            Optional<String> mainTable, Optional<String> eventsTable,
                            Optional<String> idempotencyTable, Optional<String> eventsQueueUrl,
                            Optional<String> workspacesBucket, Optional<String> artifactsBucket) {

    /** Access key pair handed to in-process functions by the local cloud. */
    public record Credentials(String accessKeyId, String secretAccessKey, String sessionToken) {
        @Override
        public String toString() {
            return "Credentials[accessKeyId=" + accessKeyId + ", secretAccessKey=<redacted>]";
        }
    }

    public static SkyloomConfig fromEnv(Map<String, String> env) {
        List<String> problems = new ArrayList<>();
        String region = env.get("AWS_REGION");
        if (region == null || region.isBlank()) {
            problems.add("AWS_REGION is not set");
        }
        Optional<URI> endpoint = Optional.ofNullable(env.get(LocalLambdaContract.ENDPOINT_VARIABLE))
                .filter(s -> !s.isBlank()).map(value -> {
                    try {
                        URI uri = URI.create(value);
                        if (uri.getScheme() == null || uri.getHost() == null) {
                            throw new IllegalArgumentException("no scheme or host");
                        }
                        return uri;
                    } catch (IllegalArgumentException e) {
                        problems.add(LocalLambdaContract.ENDPOINT_VARIABLE + " '" + value
                                + "' is not an absolute URL such as http://localhost:4566");
                        return null;
                    }
                });
        Optional<Credentials> credentials = endpoint.isPresent() && env.containsKey("AWS_ACCESS_KEY_ID")
                ? Optional.of(new Credentials(env.get("AWS_ACCESS_KEY_ID"), env.getOrDefault("AWS_SECRET_ACCESS_KEY", ""),
                        env.get("AWS_SESSION_TOKEN")))
                : Optional.empty();
        if (!problems.isEmpty()) {
            throw new IllegalStateException("invalid function configuration: " + String.join("; ", problems));
        }
        return new SkyloomConfig(region, endpoint, credentials,
                optional(env, SkyloomResources.ENV_TABLE_MAIN), optional(env, SkyloomResources.ENV_TABLE_EVENTS),
                optional(env, SkyloomResources.ENV_TABLE_IDEMPOTENCY), optional(env, SkyloomResources.ENV_QUEUE_EVENTS),
                optional(env, SkyloomResources.ENV_BUCKET_WORKSPACES),
                optional(env, SkyloomResources.ENV_BUCKET_ARTIFACTS));
    }

    private static Optional<String> optional(Map<String, String> env, String name) {
        return Optional.ofNullable(env.get(name)).filter(s -> !s.isBlank());
    }

    /** A variable this function needs: fails with its name when the deployment did not set it. */
    public static String require(Optional<String> value, String variable) {
        return value.orElseThrow(() -> new IllegalStateException("invalid function configuration: " + variable
                + " is not set; the resource manifest must give this function that variable"));
    }
}
