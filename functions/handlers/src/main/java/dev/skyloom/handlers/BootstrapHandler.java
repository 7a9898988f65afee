package dev.skyloom.handlers;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.core.identity.BootstrapService;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Bootstraps a deployment (default tenant, admin user, platform admin key). Input {@code {"rotateAdminKey": bool}};
 * output {@code {"tenantId", "adminUserId", "created", "adminKey"?}} where {@code adminKey} appears only when a key
 * was minted by this call. The caller stores it where only the operator can read it; it is never logged.
 */
public final class BootstrapHandler implements RequestStreamHandler {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        JsonNode request = JSON.readTree(input);
        JsonNode rotate = request == null ? null : request.get("rotateAdminKey");
        if (rotate != null && !rotate.isBoolean()) {
            throw new IllegalArgumentException("rotateAdminKey must be a boolean, was " + rotate.getNodeType());
        }
        BootstrapService.Result result = Composition.bootstrap().bootstrap(rotate != null && rotate.asBoolean());
        ObjectNode response = JSON.createObjectNode();
        response.put("tenantId", result.tenant().value());
        response.put("adminUserId", result.adminUserId());
        response.put("created", result.created());
        result.adminKey().ifPresent(key -> response.put("adminKey", key));
        context.getLogger().log("bootstrap done tenant=" + result.tenant() + " created=" + result.created()
                + " keyMinted=" + result.adminKey().isPresent());
        JSON.writeValue(output, response);
    }
}
