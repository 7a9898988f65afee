package dev.skyloom.infra.constructs;

import dev.skyloom.manifest.Naming;
import java.util.Objects;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.cognito.AccountRecovery;
import software.amazon.awscdk.services.cognito.AuthFlow;
import software.amazon.awscdk.services.cognito.AutoVerifiedAttrs;
import software.amazon.awscdk.services.cognito.FeaturePlan;
import software.amazon.awscdk.services.cognito.Mfa;
import software.amazon.awscdk.services.cognito.MfaSecondFactor;
import software.amazon.awscdk.services.cognito.PasswordPolicy;
import software.amazon.awscdk.services.cognito.SignInAliases;
import software.amazon.awscdk.services.cognito.StandardThreatProtectionMode;
import software.amazon.awscdk.services.cognito.UserPool;
import software.amazon.awscdk.services.cognito.UserPoolClient;
import software.amazon.awscdk.services.cognito.UserPoolClientOptions;
import software.constructs.Construct;

/**
 * Who may use the console: a Cognito user pool (e-mail sign-in, no self sign-up, TOTP MFA required, strong
 * passwords, threat protection enforced) and the console's public app client (SRP only, no client secret, token
 * revocation, no user-existence leaks).
 */
public final class Identity extends Construct {
    private final UserPool userPool;
    private final UserPoolClient consoleClient;

    public Identity(Construct scope, String id, IdentityProps props) {
        super(scope, id);
        Naming naming = props.naming();
        userPool = UserPool.Builder.create(this, "UserPool")
                .userPoolName(naming.physical("users"))
                .selfSignUpEnabled(false)
                .signInAliases(SignInAliases.builder().email(true).build())
                .autoVerify(AutoVerifiedAttrs.builder().email(true).build())
                .mfa(Mfa.REQUIRED)
                .mfaSecondFactor(MfaSecondFactor.builder().otp(true).sms(false).build())
                .passwordPolicy(PasswordPolicy.builder().minLength(12).requireDigits(true).requireLowercase(true)
                        .requireUppercase(true).requireSymbols(true)
                        .tempPasswordValidity(Duration.days(3)).build())
                .accountRecovery(AccountRecovery.EMAIL_ONLY)
                .featurePlan(props.featurePlan())
                .standardThreatProtectionMode(props.featurePlan() == FeaturePlan.PLUS
                        ? StandardThreatProtectionMode.FULL_FUNCTION : null)
                .deletionProtection(true)
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();
        consoleClient = userPool.addClient("ConsoleClient", UserPoolClientOptions.builder()
                .userPoolClientName(naming.physical("console"))
                .generateSecret(false)
                .authFlows(AuthFlow.builder().userSrp(true).build())
                .disableOAuth(true)
                .preventUserExistenceErrors(true)
                .enableTokenRevocation(true)
                .accessTokenValidity(Duration.hours(1))
                .idTokenValidity(Duration.hours(1))
                .refreshTokenValidity(Duration.days(30))
                .build());
        if (props.featurePlan() != FeaturePlan.PLUS) {
            Suppressions.suppress(userPool, "AwsSolutions-COG3",
                    "Threat protection needs the Plus feature plan (about 0.02 USD per monthly active user); this "
                            + "deployment chose " + props.featurePlan() + " in IdentityProps.featurePlan.");
        }
    }

    public UserPool userPool() {
        return userPool;
    }

    public UserPoolClient consoleClient() {
        return consoleClient;
    }

    /** Properties of {@link Identity}. */
    public record IdentityProps(Naming naming, FeaturePlan featurePlan) {
        public IdentityProps {
            Objects.requireNonNull(naming, "naming");
            Objects.requireNonNull(featurePlan, "featurePlan");
        }

        public static Builder builder() {
            return new Builder();
        }

        /** Builds {@link IdentityProps}; threat protection (feature plan PLUS) is on by default. */
        public static final class Builder {
            private Naming naming;
            private FeaturePlan featurePlan = FeaturePlan.PLUS;

            public Builder naming(Naming naming) {
                this.naming = naming;
                return this;
            }

            public Builder featurePlan(FeaturePlan featurePlan) {
                this.featurePlan = featurePlan;
                return this;
            }

            public IdentityProps build() {
                return new IdentityProps(naming, featurePlan);
            }
        }
    }
}
