package dev.skyloom.local.cloud.sfn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skyloom.local.cloud.provision.ResourceProvisioner;
import dev.skyloom.local.sfn.SfnResponse;
import dev.skyloom.local.sfn.StepFunctionsEngine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Deploys the platform's state machines into the local engine through its API: CreateStateMachine, or
 * UpdateStateMachine (publishing a version) when the machine exists with another definition.
 */
public final class EngineStateMachineDeployer implements ResourceProvisioner.StateMachineDeployer {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final StepFunctionsEngine engine;
    private final String region;
    private final String accountId;

    public EngineStateMachineDeployer(StepFunctionsEngine engine, String region, String accountId) {
        this.engine = engine;
        this.region = region;
        this.accountId = accountId;
    }

    @Override
    public String arnOf(String name) {
        return "arn:aws:states:" + region + ":" + accountId + ":stateMachine:" + name;
    }

    @Override
    public String deploy(String name, String definition, String roleArn) {
        String arn = arnOf(name);
        JsonNode existing = call("DescribeStateMachine", JSON.createObjectNode().put("stateMachineArn", arn), true);
        if (existing == null) {
            call("CreateStateMachine", JSON.createObjectNode().put("name", name).put("definition", definition)
                    .put("roleArn", roleArn).put("type", "STANDARD"), false);
        } else if (!definition.equals(existing.path("definition").asText())) {
            call("UpdateStateMachine", JSON.createObjectNode().put("stateMachineArn", arn)
                    .put("definition", definition).put("publish", true), false);
        }
        return arn;
    }

    private JsonNode call(String action, JsonNode request, boolean missingIsNull) {
        SfnResponse response = engine.handle(action, request.toString().getBytes(StandardCharsets.UTF_8));
        try {
            JsonNode body = JSON.readTree(response.body());
            if (response.status() == 200) {
                return body;
            }
            if (missingIsNull && body.path("__type").asText().endsWith("StateMachineDoesNotExist")) {
                return null;
            }
            throw new IllegalStateException(action + " failed: " + body.path("message").asText(body.toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
