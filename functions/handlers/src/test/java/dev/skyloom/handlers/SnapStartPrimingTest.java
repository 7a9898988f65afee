package dev.skyloom.handlers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skyloom.core.api.Api;
import dev.skyloom.core.api.ApiError;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * SnapStart priming runs the request hot paths without a single connection: the SDK client under priming points at a
 * listening socket that counts what connects to it, and the authenticator counts its calls.
 */
class SnapStartPrimingTest {

    @Test
    void prime_shouldRunEveryStep_withoutOpeningAConnection() throws Exception {
        AtomicInteger authentications = new AtomicInteger();
        List<String> logged = new ArrayList<>();
        Api api = new Api(ApiRoutes.router(null), request -> {
            authentications.incrementAndGet();
            throw ApiError.unauthorized("Authentication required: send Authorization: Bearer <API key>");
        }, Api.RateLimiter.NONE, 1024, logged::add);
        try (ServerSocket endpoint = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             DynamoDbClient dynamoDb = DynamoDbClient.builder()
                     .endpointOverride(URI.create("http://127.0.0.1:" + endpoint.getLocalPort()))
                     .region(Region.US_EAST_1)
                     .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))
                     .httpClient(UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofMillis(200)).build())
                     .build()) {
            SnapStartPriming priming = new SnapStartPriming(() -> api, () -> List.<SdkClient>of(dynamoDb));

            List<String> primed = priming.prime();

            assertThat(primed).containsExactly("jackson", "api", "authorizer", "sdk");
            assertThat(authentications).as("the dry run reached authentication once (the 401 path)").hasValue(1);
            assertThat(logged).as("no 5xx was logged by the dry run").isEmpty();
            endpoint.setSoTimeout(300);
            assertThatThrownBy(endpoint::accept).as("a connection to the SDK endpoint")
                    .isInstanceOf(SocketTimeoutException.class);
        }
    }

    @Test
    void prime_shouldSkipAFailingStep_andRunTheOthers() {
        SnapStartPriming priming = new SnapStartPriming(() -> {
            throw new IllegalStateException("invalid function configuration: AWS_REGION is not set");
        }, List::of);

        assertThat(priming.prime()).containsExactly("jackson", "authorizer", "sdk");
    }

    @Test
    void registerForApi_registersOnce() {
        assertThat(SnapStartPriming.registerForApi()).isSameAs(SnapStartPriming.registerForApi());
    }

    @Test
    void socketCheck_detectsAConnection_whenOneIsMade() throws Exception {
        // proves the check above can fail: a real connection to the counting socket is seen
        try (ServerSocket endpoint = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             java.net.Socket client = new java.net.Socket()) {
            client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), endpoint.getLocalPort()), 500);
            endpoint.setSoTimeout(300);
            try (java.net.Socket accepted = endpoint.accept()) {
                assertThat(accepted.isConnected()).isTrue();
            }
        }
    }
}
