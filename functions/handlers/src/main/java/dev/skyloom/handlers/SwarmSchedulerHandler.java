package dev.skyloom.handlers;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import dev.skyloom.aws.swarm.AwsSwarmStore;
import dev.skyloom.core.api.Json;
import dev.skyloom.core.swarm.SwarmRuntime;
import dev.skyloom.manifest.SkyloomResources;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.SfnException;

/**
 * The swarm scheduler, invoked by {@code statemachines/swarm.asl.json} ({@link SwarmRuntime}, decision 0700):
 * {@code {"op": "plan", "input": <the execution's input>}} (a planned swarm's planning step),
 * {@code {"op": "init", "input": <the execution's input>}}, {@code {"op": "next", tenantId, swarmId, worker, report}}, {@code {"op": "park", tenantId, swarmId, worker,
 * token}} (an idle worker's task token, released with {@code SendTaskSuccess} when tasks become ready) and
 * {@code {"op": "finish", tenantId, swarmId, reason}}. A lost race on the swarm's state ends as
 * {@code SwarmRuntime$ConflictException}, which the state machine retries. Every committed change puts its
 * {@code SWARM_*} events on the bus ({@link SwarmEventSink}).
 */
public final class SwarmSchedulerHandler implements RequestStreamHandler {

    private static final class Engine {
        static final SfnClient SFN = Composition.configure(SfnClient.builder()).build();
        static final software.amazon.awssdk.services.eventbridge.EventBridgeClient EVENTS = Composition.configure(
                software.amazon.awssdk.services.eventbridge.EventBridgeClient.builder()).build();
        static final SwarmRuntime RUNTIME = new SwarmRuntime(new AwsSwarmStore(Composition.DynamoDb.CLIENT,
                SkyloomConfig.require(Composition.CONFIG.mainTable(), SkyloomResources.ENV_TABLE_MAIN),
                Composition.S3.CLIENT,
                SkyloomConfig.require(Composition.CONFIG.workspacesBucket(), SkyloomResources.ENV_BUCKET_WORKSPACES),
                Json.MAPPER), SwarmSchedulerHandler::wake, Clock.systemUTC(),
                Json.MAPPER, SwarmEventSink.fromEnvironment(EVENTS));
    }

    private static final Logger LOG = LoggerFactory.getLogger(SwarmSchedulerHandler.class);

    /**
     * Releases a parked worker. A stale token (its park timed out, or it was already released) is expected and
     * ignored by the runtime; anything else — notably AccessDenied where the function lacks
     * {@code states:SendTaskSuccess} — is logged, since the worker then waits for its park timeout.
     */
    static void wake(String token, String output) {
        try {
            Engine.SFN.sendTaskSuccess(b -> b.taskToken(token).output(output));
        } catch (SfnException e) {
            String code = e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode();
            if (!"TaskTimedOut".equals(code) && !"InvalidToken".equals(code) && !"TaskDoesNotExist".equals(code)) {
                LOG.warn("swarm wake-up failed code={} message={}", code, e.getMessage());
            }
            throw e;
        }
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        JsonNode request = Json.MAPPER.readTree(input);
        String op = request.path("op").asText();
        if ("init".equals(op) || "plan".equals(op)) {
            request = request.path("input");
        }
        String tenant = request.path("tenantId").asText();
        String swarmId = request.path("swarmId").asText();
        if (tenant.isEmpty() || swarmId.isEmpty()) {
            throw new IllegalArgumentException("the payload must carry tenantId and swarmId");
        }
        JsonNode answer = switch (op) {
            case "plan" -> Engine.RUNTIME.planStep(request); // a planned swarm's planning step
            case "init" -> Engine.RUNTIME.init(request); // the swarm execution's input
            case "next" -> Engine.RUNTIME.next(tenant, swarmId, request.path("worker").asInt(),
                    request.get("report"));
            case "park" -> {
                Engine.RUNTIME.park(tenant, swarmId, request.path("worker").asInt(), request.path("token").asText());
                yield Json.MAPPER.createObjectNode().put("parked", true);
            }
            case "finish" -> Engine.RUNTIME.finish(tenant, swarmId, request.path("reason").asText("done"));
            default -> throw new IllegalArgumentException("op must be plan, init, next, park or finish, not '" + op
                    + "'");
        };
        Json.MAPPER.writeValue(output, answer);
    }
}
