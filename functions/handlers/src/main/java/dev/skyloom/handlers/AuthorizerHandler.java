package dev.skyloom.handlers;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.core.api.ApiError;
import dev.skyloom.core.identity.IdentityService;
import dev.skyloom.core.identity.Principal;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * API Gateway's Lambda REQUEST authorizer: authenticates the {@code Authorization: Bearer <API key or access token>}
 * header with the API's own {@link IdentityService} (the same hashed-key lookup and token verification the API
 * function runs) and answers an IAM policy that allows every method of the stage, with the principal as context.
 *
 * <p>An invalid or missing credential fails the invocation with the message {@code Unauthorized}, which API Gateway
 * turns into a 401 without calling the API; any other failure (the table unreachable) is an error, a 500. The policy
 * covers the whole stage because API Gateway caches it per {@code Authorization} value and reuses it for other routes:
 * what a principal may do on a route (scopes, tenant) is still decided by the API function, which authenticates every
 * request again. The token is never logged, and the reason of a refusal is logged without it.
 */
public final class AuthorizerHandler implements RequestStreamHandler {
    /** The error message by which API Gateway answers 401 instead of calling the API. */
    static final String UNAUTHORIZED = "Unauthorized";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SnapStartPriming PRIMING = SnapStartPriming.registerForApi();

    private final Supplier<IdentityService> identity;

    public AuthorizerHandler() {
        this(Composition::identity);
    }

    AuthorizerHandler(Supplier<IdentityService> identity) {
        this.identity = identity;
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        JsonNode event = JSON.readTree(input);
        String methodArn = event.path("methodArn").asText("");
        Principal principal;
        try {
            principal = identity.get().authenticate(header(event.path("headers"), "Authorization"));
        } catch (ApiError e) {
            if (e.status() != 401) {
                throw e;
            }
            System.err.println("authorizer refused requestId=" + event.path("requestContext").path("requestId")
                    .asText("-") + " reason=\"" + e.getMessage() + "\"");
            throw new UnauthorizedException();
        }
        JSON.writeValue(output, response(principal, methodArn));
    }

    /** The authorizer response: principal id, an Allow on every method of the stage, and the principal as context. */
    static ObjectNode response(Principal principal, String methodArn) {
        ObjectNode response = JSON.createObjectNode();
        response.put("principalId", principal.userId() != null ? "user:" + principal.userId()
                : "key:" + principal.keyId());
        ObjectNode policy = response.putObject("policyDocument");
        policy.put("Version", "2012-10-17");
        ObjectNode statement = policy.putArray("Statement").addObject();
        statement.put("Action", "execute-api:Invoke");
        statement.put("Effect", "Allow");
        statement.put("Resource", stageArn(methodArn));
        ObjectNode context = response.putObject("context");
        context.put("tenant", principal.tenant().value());
        context.put("principalId", response.get("principalId").asText());
        if (principal.keyId() != null) {
            context.put("keyId", principal.keyId());
        }
        if (principal.userId() != null) {
            context.put("userId", principal.userId());
        }
        context.put("scopes", String.join(" ", new TreeSet<>(principal.scopes())));
        context.put("platformAdmin", principal.platformAdmin());
        return response;
    }

    /**
     * {@code arn:aws:execute-api:<region>:<account>:<api>/<stage>/*} from the method ARN
     * {@code arn:aws:execute-api:<region>:<account>:<api>/<stage>/<verb>/<path>}.
     */
    static String stageArn(String methodArn) {
        String[] parts = methodArn.split("/", 3);
        if (parts.length < 2 || !parts[0].startsWith("arn:") || parts[1].isEmpty()) {
            throw new IllegalArgumentException("methodArn '" + methodArn + "' is not an execute-api method ARN");
        }
        return parts[0] + "/" + parts[1] + "/*";
    }

    private static Optional<String> header(JsonNode headers, String name) {
        for (Iterator<Map.Entry<String, JsonNode>> fields = headers.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (field.getKey().equalsIgnoreCase(name) && field.getValue().isTextual()) {
                return Optional.of(field.getValue().asText());
            }
        }
        return Optional.empty();
    }

    /** Fails the invocation so that API Gateway answers 401; carries no stack trace and no credential. */
    static final class UnauthorizedException extends RuntimeException {
        UnauthorizedException() {
            super(UNAUTHORIZED, null, false, false);
        }
    }
}
