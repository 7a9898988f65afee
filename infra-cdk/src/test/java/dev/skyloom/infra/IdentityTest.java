package dev.skyloom.infra;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** The Identity construct: a Cognito user pool with MFA required and the console's public client. */
class IdentityTest {
    private final Template platform = SynthesizedApp.get().platform;

    @Test
    void userPool_requiresTotpMfa_strongPasswords_adminCreatedUsers_andThreatProtection() {
        platform.hasResourceProperties("AWS::Cognito::UserPool", Match.objectLike(Map.of(
                "UserPoolName", SynthesizedApp.PREFIX + "users",
                "MfaConfiguration", "ON",
                "EnabledMfas", List.of("SOFTWARE_TOKEN_MFA"),
                "AdminCreateUserConfig", Match.objectLike(Map.of("AllowAdminCreateUserOnly", true)),
                "Policies", Map.of("PasswordPolicy", Match.objectLike(Map.of("MinimumLength", 12,
                        "RequireLowercase", true, "RequireUppercase", true, "RequireNumbers", true,
                        "RequireSymbols", true))),
                "UserPoolAddOns", Map.of("AdvancedSecurityMode", "ENFORCED"),
                "DeletionProtection", "ACTIVE")));
        platform.hasResource("AWS::Cognito::UserPool", Match.objectLike(Map.of("DeletionPolicy", "Retain")));
    }

    @Test
    void consoleClient_isPublic_usesSrp_andHidesWhetherAUserExists() {
        platform.hasResourceProperties("AWS::Cognito::UserPoolClient", Match.objectLike(Map.of(
                "ClientName", SynthesizedApp.PREFIX + "console",
                "GenerateSecret", false,
                "ExplicitAuthFlows", Match.arrayWith(List.of("ALLOW_USER_SRP_AUTH")),
                "PreventUserExistenceErrors", "ENABLED",
                "EnableTokenRevocation", true)));
    }
}
