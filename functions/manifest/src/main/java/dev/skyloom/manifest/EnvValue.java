package dev.skyloom.manifest;

import java.util.Objects;

/** The value of a function's environment variable: a literal, or a reference resolved by the deployer. */
public sealed interface EnvValue {

    static EnvValue literal(String value) {
        return new Literal(value);
    }

    static EnvValue tableName(String table) {
        return new Ref(ResourceKind.TABLE, table);
    }

    static EnvValue queueUrl(String queue) {
        return new Ref(ResourceKind.QUEUE, queue);
    }

    static EnvValue bucketName(String bucket) {
        return new Ref(ResourceKind.BUCKET, bucket);
    }

    static EnvValue functionName(String function) {
        return new Ref(ResourceKind.FUNCTION, function);
    }

    static EnvValue eventBusName(String bus) {
        return new Ref(ResourceKind.EVENT_BUS, bus);
    }

    /** The ARN of a state machine ({@code statemachines/<name>.asl.json}), built from its name by each deployer. */
    static EnvValue stateMachineArn(String stateMachine) {
        return new Ref(ResourceKind.STATE_MACHINE, stateMachine);
    }

    /** The ARN of a declared execution role ({@link RoleSpec}), built from its name by each deployer. */
    static EnvValue roleArn(String role) {
        return new Ref(ResourceKind.ROLE, role);
    }

    static EnvValue generatedKey(String name) {
        return new GeneratedKey(name);
    }

    static EnvValue identity(IdentityValue.Field field) {
        return new IdentityValue(field);
    }

    /**
     * A value of the deployment's identity provider, whose tokens the API accepts: on AWS the Cognito user pool
     * (its JWKS URL, issuer and app client ids), locally the local cloud's development OIDC issuer.
     */
    record IdentityValue(Field field) implements EnvValue {
        public enum Field {
            /** where the provider's signing keys are published */
            JWKS_URL,
            /** the {@code iss} its tokens carry */
            ISSUER,
            /** the app client ids ({@code aud} / {@code client_id}) accepted, comma-separated */
            CLIENT_IDS
        }

        public IdentityValue {
            Objects.requireNonNull(field, "field");
        }
    }

    /** A fixed string. */
    record Literal(String value) implements EnvValue {
        public Literal {
            Objects.requireNonNull(value, "literal value");
        }
    }

    /**
     * A secret key the deployer generates once per deployment and keeps: at least 256 bits of randomness, as text
     * (the local cloud writes base64 of 32 random bytes to {@code <data-dir>/keys/<name>.key}, mode 0600; the CDK app
     * generates a Secrets Manager secret). Functions derive their AES and HMAC keys from it.
     */
    record GeneratedKey(String name) implements EnvValue {
        public GeneratedKey {
            Names.requireLogical("generated key", name);
        }
    }

    /**
     * A reference to a declared resource: a table's name, a queue's URL, a bucket's name, a function's name, an
     * event bus's name, a state machine's ARN, a role's ARN.
     */
    record Ref(ResourceKind kind, String name) implements EnvValue {
        public Ref {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(name, "name");
            if (kind == ResourceKind.MODEL) {
                throw new IllegalArgumentException("models are not referred to by environment variables");
            }
        }
    }
}
