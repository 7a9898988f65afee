package dev.skyloom.handlers;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import dev.skyloom.aws.agent.SafeHttpFetcher;
import dev.skyloom.core.agent.tools.AddressPolicy;
import dev.skyloom.core.agent.tools.HttpFetcher;
import dev.skyloom.core.agent.tools.HttpRequestTool;
import dev.skyloom.core.api.Json;
import dev.skyloom.core.builtins.BuiltInFunctionException;
import dev.skyloom.core.builtins.BuiltInFunctions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code builtins} function: the built-in functions of pipeline {@code lambda} steps ({@link BuiltInFunctions}),
 * invoked by a pipeline's state machine with {@code {tenantId, runId, stepId, function, input, parameters}}; the
 * answer is the step's output. A refused payload or a failed request throws {@link BuiltInFunctionException}, whose
 * message (what was wrong, what is valid) becomes the step's failure cause.
 *
 * <p>{@code http_request} reaches public addresses only, through the agent tool's {@link SafeHttpFetcher}.
 * {@value #ENV_HTTP_ALLOW_ADDRESSES} (not set by any deployment; an operator's or a test's explicit choice) may name
 * exact {@code ip:port} pairs that are reached besides, such as a CI server on a private network; every other private,
 * loopback or metadata address, also through redirects, stays refused.
 */
public final class BuiltInFunctionHandler implements RequestStreamHandler {
    /** Comma-separated {@code ip:port} (IPv6 as {@code [addr]:port}) that http_request may reach besides. */
    static final String ENV_HTTP_ALLOW_ADDRESSES = "SKYLOOM_HTTP_ALLOW_ADDRESSES";
    private static final Logger LOG = LoggerFactory.getLogger(BuiltInFunctionHandler.class);

    private static final class Engine {
        static final BuiltInFunctions FUNCTIONS = new BuiltInFunctions(new HttpRequestTool(new SafeHttpFetcher(
                policy(LambdaEnvironment.read().get(ENV_HTTP_ALLOW_ADDRESSES)), InetAddress::getAllByName,
                "Skyloom-Pipeline/0.1"), HttpFetcher.Limits.DEFAULT, HttpRequestTool.HostAllowlists.NONE,
                Clock.systemUTC()), Json.MAPPER);
    }

    /** Public addresses, plus exactly the {@code ip:port} pairs of {@code allowed} (comma-separated; may be null). */
    static AddressPolicy policy(String allowed) {
        AddressPolicy policy = AddressPolicy.publicOnly();
        if (allowed == null || allowed.isBlank()) {
            return policy;
        }
        for (String entry : List.of(allowed.split(","))) {
            String pair = entry.strip();
            int colon = pair.lastIndexOf(':');
            String host = colon > 0 ? pair.substring(0, colon) : "";
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            if (colon <= 0 || !(host.matches("[0-9.]+") || host.contains(":"))) {
                throw new IllegalStateException(ENV_HTTP_ALLOW_ADDRESSES + ": '" + pair + "' is not ip:port (an IP "
                        + "address, not a name, and a port)");
            }
            try {
                int port = Integer.parseInt(pair.substring(colon + 1));
                policy = AddressPolicy.allowingExactly(InetAddress.getByName(host), port, policy);
            } catch (NumberFormatException | UnknownHostException e) {
                throw new IllegalStateException(ENV_HTTP_ALLOW_ADDRESSES + ": '" + pair + "' is not ip:port", e);
            }
        }
        return policy;
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        JsonNode payload = Json.MAPPER.readTree(input);
        LOG.info("event=builtin_function function={} runId={} stepId={}", payload.path("function").asText(),
                payload.path("runId").asText(), payload.path("stepId").asText());
        Json.MAPPER.writeValue(output, Engine.FUNCTIONS.invoke(payload));
    }
}
