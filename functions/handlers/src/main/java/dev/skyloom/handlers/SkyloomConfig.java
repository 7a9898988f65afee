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
                            Optional<String> workspacesBucket, Optional<String> artifactsBucket,
                            Optional<String> secretsKey, int rateLimitPerKey, int rateLimitPerTenant,
                            Optional<ExternalIdentity> externalIdentity, Optional<String> kmsKeyId) {
    /** An external identity provider whose access tokens the API accepts (a Cognito user pool on AWS). */
    public record ExternalIdentity(URI jwksUrl, String issuer, List<String> clientIds) {
    }

    public static final String ENV_JWKS_URL = SkyloomResources.ENV_JWKS_URL;
    public static final String ENV_JWT_ISSUER = SkyloomResources.ENV_JWT_ISSUER;
    public static final String ENV_JWT_CLIENT_IDS = SkyloomResources.ENV_JWT_CLIENT_IDS;

    /** Requests per minute per API key (default 1200) and per tenant (default 6000). */
    public static final String ENV_RATE_LIMIT_PER_KEY = "SKYLOOM_RATE_LIMIT_PER_KEY";
    public static final String ENV_RATE_LIMIT_PER_TENANT = "SKYLOOM_RATE_LIMIT_PER_TENANT";

    /**
     * The base64 AES-256 key that seals secrets at rest when no KMS key is configured (locally), and from which the
     * access token signing key is derived (everywhere).
     */
    public static final String ENV_SECRETS_KEY = "SKYLOOM_SECRETS_KEY";

    /**
     * A KMS key (id, ARN or alias): when set, secrets are sealed by KMS envelope encryption under it instead of with
     * {@link #ENV_SECRETS_KEY}. The function needs {@code kms:GenerateDataKey} and {@code kms:Decrypt} on it.
     */
    public static final String ENV_KMS_KEY_ID = "SKYLOOM_KMS_KEY_ID";

    /** Access key pair handed to in-process functions by the local cloud. */
    public record Credentials(String accessKeyId, String secretAccessKey, String sessionToken) {
        @Override
        public String toString() {
            return "Credentials[accessKeyId=" + accessKeyId + ", secretAccessKey=<redacted>]";
        }
    }

    @Override
    public String toString() {
        return "SkyloomConfig[region=" + region + ", endpoint=" + endpoint + ", mainTable=" + mainTable
                + ", secretsKey=" + (secretsKey.isPresent() ? "<set>" : "<unset>") + ", kmsKeyId=" + kmsKeyId + "]";
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
        Optional.ofNullable(env.get(ENV_SECRETS_KEY)).filter(k -> !k.isBlank()).ifPresent(key -> {
            try {
                if (java.util.Base64.getDecoder().decode(key.strip()).length != 32) {
                    problems.add(ENV_SECRETS_KEY + " must be 32 bytes in base64 (openssl rand -base64 32)");
                }
            } catch (IllegalArgumentException e) {
                problems.add(ENV_SECRETS_KEY + " is not base64 (openssl rand -base64 32)");
            }
        });
        Optional<ExternalIdentity> external = Optional.empty();
        Optional<String> jwks = optional(env, ENV_JWKS_URL);
        if (jwks.isPresent()) {
            Optional<String> issuer = optional(env, ENV_JWT_ISSUER);
            Optional<String> clients = optional(env, ENV_JWT_CLIENT_IDS);
            if (issuer.isEmpty() || clients.isEmpty()) {
                problems.add(ENV_JWKS_URL + " needs " + ENV_JWT_ISSUER + " and " + ENV_JWT_CLIENT_IDS + " as well");
            } else {
                try {
                    external = Optional.of(new ExternalIdentity(URI.create(jwks.get()), issuer.get(),
                            List.of(clients.get().split("\\s*,\\s*"))));
                } catch (IllegalArgumentException e) {
                    problems.add(ENV_JWKS_URL + " '" + jwks.get() + "' is not a URL");
                }
            }
        }
        int perKey = positive(env, ENV_RATE_LIMIT_PER_KEY, 1200, problems);
        int perTenant = positive(env, ENV_RATE_LIMIT_PER_TENANT, 6000, problems);
        if (!problems.isEmpty()) {
            throw new IllegalStateException("invalid function configuration: " + String.join("; ", problems));
        }
        return new SkyloomConfig(region, endpoint, credentials,
                optional(env, SkyloomResources.ENV_TABLE_MAIN), optional(env, SkyloomResources.ENV_TABLE_EVENTS),
                optional(env, SkyloomResources.ENV_TABLE_IDEMPOTENCY), optional(env, SkyloomResources.ENV_QUEUE_EVENTS),
                optional(env, SkyloomResources.ENV_BUCKET_WORKSPACES),
                optional(env, SkyloomResources.ENV_BUCKET_ARTIFACTS), optional(env, ENV_SECRETS_KEY), perKey,
                perTenant, external, optional(env, ENV_KMS_KEY_ID).map(String::strip));
    }

    private static int positive(Map<String, String> env, String name, int defaultValue, List<String> problems) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return defaultValue;
        }
        try {
            int parsed = Integer.parseInt(value.strip());
            if (parsed > 0) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.add(name + " must be a positive integer (requests per minute), was '" + value + "'");
        return defaultValue;
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
