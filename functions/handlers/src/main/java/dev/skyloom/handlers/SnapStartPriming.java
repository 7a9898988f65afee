package dev.skyloom.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skyloom.core.api.Api;
import dev.skyloom.core.api.ApiRequest;
import dev.skyloom.core.api.ApiResponse;
import dev.skyloom.core.identity.Principal;
import dev.skyloom.core.identity.TenantId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;
import software.amazon.awssdk.core.SdkClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;

/**
 * SnapStart priming: before Lambda snapshots an initialised execution environment ({@link #beforeCheckpoint}), runs
 * the hot paths of a request that need no AWS call, so their classes are loaded, linked and JIT-warmed in the
 * snapshot rather than on the first request after each restore:
 * <ul>
 *   <li>Jackson: a proxy event and a proxy response through the same {@link ObjectMapper} configuration;</li>
 *   <li>the API: the composition root (config, SDK clients, services, router) and two dry-run requests that end
 *       before any AWS call — {@code GET /api/v1/openapi.json} (public, computed) and {@code GET /api/v1/projects}
 *       without a credential (a 401 from authentication, before the identity store is read);</li>
 *   <li>the authorizer's response builder;</li>
 *   <li>the AWS SDK: the clients' configuration and the request model classes of the calls the API makes (built,
 *       never sent).</li>
 * </ul>
 * No step opens a connection: a snapshot must not hold sockets, and a network call during deployment could fail or
 * wait. A step that fails is logged and skipped: priming makes restores faster, it must never fail the snapshot.
 */
public final class SnapStartPriming implements Resource {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Strong references: org.crac keeps registered resources weakly. */
    private static final List<SnapStartPriming> REGISTERED = Collections.synchronizedList(new ArrayList<>());

    private final Supplier<Api> api;
    private final Supplier<List<SdkClient>> clients;
    private final List<String> primed = Collections.synchronizedList(new ArrayList<>());

    SnapStartPriming(Supplier<Api> api, Supplier<List<SdkClient>> clients) {
        this.api = api;
        this.clients = clients;
    }

    /**
     * Registers priming of the API's paths (the API and the authorizer share the composition root) with the global CRaC context; idempotent. Called from a handler's static
     * initialiser, so Lambda runs it while initialising the function, before the snapshot. On a JVM without CRaC
     * (tests, the local cloud) the hook is never called.
     */
    static synchronized SnapStartPriming registerForApi() {
        if (REGISTERED.isEmpty()) {
            // the SDK clients are built by the composition root while the API is primed; none is passed separately
            SnapStartPriming priming = new SnapStartPriming(Composition::api, List::of);
            REGISTERED.add(priming);
            Core.getGlobalContext().register(priming);
        }
        return REGISTERED.get(0);
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        prime();
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        // nothing to refresh: no connection is opened before the snapshot, and credentials come from the environment
    }

    /** Runs every priming step; returns the names of those that completed. */
    List<String> prime() {
        step("jackson", this::jackson);
        step("api", this::apiDryRun);
        step("authorizer", () -> AuthorizerHandler.response(new Principal(new TenantId("priming"), "k", null,
                Set.of("projects:read"), false), "arn:aws:execute-api:us-east-1:000000000000:api/stage/GET/x"));
        step("sdk", this::sdk);
        return List.copyOf(primed);
    }

    private void step(String name, Runnable step) {
        long started = System.nanoTime();
        try {
            step.run();
            primed.add(name);
            System.err.println("snapstart priming step=" + name + " ms=" + (System.nanoTime() - started) / 1_000_000);
        } catch (RuntimeException | LinkageError e) {
            System.err.println("snapstart priming skipped step=" + name + " reason=\"" + e + "\"");
        }
    }

    private void jackson() {
        try {
            JsonNode event = JSON.readTree("{\"httpMethod\":\"GET\",\"path\":\"/api/v1/projects\",\"headers\":"
                    + "{\"Accept\":\"application/json\"},\"queryStringParameters\":{\"limit\":\"10\"},"
                    + "\"requestContext\":{\"requestId\":\"priming\"},\"body\":null,\"isBase64Encoded\":false}");
            ApiHandler.request(event, null);
            JSON.writeValueAsBytes(Map.of("statusCode", 200, "headers", Map.of("Content-Type", "application/json"),
                    "body", "{}", "isBase64Encoded", false));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void apiDryRun() {
        Api instance = api.get();
        ApiResponse document = instance.handle(new ApiRequest("priming-1", "GET", "/api/v1/openapi.json", Map.of(),
                Map.of(), Map.of(), ""));
        ApiResponse unauthenticated = instance.handle(new ApiRequest("priming-2", "GET", "/api/v1/projects",
                Map.of(), Map.of(), Map.of(), ""));
        if (document.status() != 200 || unauthenticated.status() != 401) {
            throw new IllegalStateException("unexpected dry-run statuses " + document.status() + " and "
                    + unauthenticated.status());
        }
        JSON.valueToTree(document.body());
    }

    private void sdk() {
        for (SdkClient client : clients.get()) {
            client.serviceName();
            client.serviceClientConfiguration();
        }
        Map<String, AttributeValue> key = Map.of("pk", AttributeValue.fromS("TENANT#priming"),
                "sk", AttributeValue.fromS("PROJECT#priming"));
        GetItemRequest.builder().tableName("priming").key(key).consistentRead(true).build();
        PutItemRequest.builder().tableName("priming").item(key).conditionExpression("attribute_not_exists(pk)")
                .build();
        QueryRequest.builder().tableName("priming").keyConditionExpression("pk = :pk")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("TENANT#priming"))).limit(1).build();
        TransactWriteItemsRequest.builder().transactItems(List.of()).build();
    }
}
