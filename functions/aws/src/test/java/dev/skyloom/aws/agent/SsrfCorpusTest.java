package dev.skyloom.aws.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skyloom.core.agent.tools.AddressPolicy;
import dev.skyloom.core.agent.tools.HttpFetcher;
import dev.skyloom.core.agent.tools.HttpRequestTool;
import dev.skyloom.core.agent.tools.Tool;
import dev.skyloom.core.agent.tools.ToolInvoker;
import dev.skyloom.core.agent.tools.ToolResult;
import java.net.InetAddress;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SSRF: the real {@link SafeHttpFetcher} behind {@code http_request}. Every URL of the corpus is refused before a
 * connection is made (a trap server on loopback counts what reaches it: nothing). Redirect tests run a loopback
 * server the policy allows exactly (its address and port); the targets it redirects to, another loopback port,
 * {@code ::1}, {@code localhost}, metadata addresses, are still refused.
 */
class SsrfCorpusTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Fake DNS: names resolve only through this table, so the test needs no network. */
    private static final Map<String, List<String>> DNS = Map.of(
            "internal.example.com", List.of("10.0.0.5"),
            "mixed.example.com", List.of("93.184.216.34", "127.0.0.1"),
            "nat64.example.com", List.of("64:ff9b::a9fe:a9fe"),
            "mapped.example.com", List.of("::ffff:169.254.169.254"),
            "ula.example.com", List.of("fd00:ec2::254"),
            "cgnat.example.com", List.of("100.100.100.200"));

    static TestServers.Server allowed;
    static TestServers.Server trap;

    @BeforeAll
    static void startServers() throws Exception {
        allowed = new TestServers.Server();
        trap = new TestServers.Server();
    }

    @AfterAll
    static void stopServers() {
        allowed.close();
        trap.close();
    }

    private static InetAddress[] fakeDns(String host) throws UnknownHostException {
        List<String> addresses = DNS.get(host);
        if (addresses == null) {
            throw new UnknownHostException(host);
        }
        List<InetAddress> out = new ArrayList<>();
        for (String address : addresses) {
            out.add(InetAddress.getByName(address));
        }
        return out.toArray(InetAddress[]::new);
    }

    private static AddressPolicy onlyTheAllowedServer() throws UnknownHostException {
        return AddressPolicy.allowingExactly(InetAddress.getByName("127.0.0.1"), allowed.port(),
                AddressPolicy.publicOnly());
    }

    private static ToolResult fetch(AddressPolicy policy, SafeHttpFetcher.HostResolver dns, String json)
            throws Exception {
        HttpRequestTool tool = new HttpRequestTool(new SafeHttpFetcher(policy, dns, "test"),
                new HttpFetcher.Limits(Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(5), 20_000),
                HttpRequestTool.HostAllowlists.NONE, Clock.systemUTC());
        return ToolInvoker.create().invoke(List.<Tool>of(tool), "http_request", JSON.readTree(json),
                TestServers.context());
    }

    private static ToolResult get(AddressPolicy policy, String url) throws Exception {
        return fetch(policy, SsrfCorpusTest::fakeDns, JSON.createObjectNode().put("url", url).toString());
    }

    static List<String> corpus() {
        String t = Integer.toString(trap.port());
        return List.of(
                // loopback in every spelling
                "http://127.0.0.1:" + t + "/", "http://localhost:" + t + "/", "http://localhost.:" + t + "/",
                "http://LOCALHOST:" + t + "/", "http://foo.localhost:" + t + "/", "http://127.1:" + t + "/",
                "http://0:" + t + "/", "http://0.0.0.0:" + t + "/", "http://[::]:" + t + "/",
                "http://[::1]:" + t + "/", "http://0x7f.1:" + t + "/", "http://0x7f000001:" + t + "/",
                "http://2130706433:" + t + "/", "http://017700000001:" + t + "/", "http://0177.0.0.1:" + t + "/",
                "http://127.000.000.001:" + t + "/", "http://127.0.0.1.:" + t + "/", "http://127.0.0.2:" + t + "/",
                // IPv4 embedded in IPv6
                "http://[::ffff:127.0.0.1]:" + t + "/", "http://[::ffff:7f00:1]:" + t + "/",
                "http://[0:0:0:0:0:ffff:127.0.0.1]:" + t + "/", "http://[::127.0.0.1]:" + t + "/",
                "http://[64:ff9b::7f00:1]:" + t + "/", "http://[64:ff9b::a9fe:a9fe]/", "http://[64:ff9b:1::1]/",
                "http://[2002:7f00:1::]/", "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/",
                "http://[::ffff:0.0.0.0]/", "http://[::ffff:10.0.0.1]/",
                // cloud metadata
                "http://169.254.169.254/latest/meta-data/", "http://[fd00:ec2::254]/latest/meta-data/",
                "http://[::ffff:169.254.169.254]/", "https://[::ffff:a9fe:a9fe]/", "http://100.100.100.200/",
                "http://metadata.google.internal/computeMetadata/v1/", "http://instance-data/latest/",
                // private, shared, link-local, multicast, reserved
                "http://10.0.0.1/", "http://172.16.0.1/", "http://172.31.255.255/", "http://192.168.1.1/",
                "http://100.64.0.1/", "http://[fe80::1]/", "http://[fe80::1%25eth0]/", "http://[fc00::1]/",
                "http://224.0.0.1/", "http://[ff02::1]/", "http://255.255.255.255/", "http://240.0.0.1/",
                "http://198.18.0.1/", "http://192.0.2.1/",
                // schemes other than http(s)
                "file:///etc/passwd", "gopher://127.0.0.1:25/_HELO", "ftp://example.com/",
                "jar:http://example.com/x.jar!/",
                "dict://127.0.0.1:11211/stats", "ldap://127.0.0.1/", "javascript:alert(1)", "data:text/plain,hi",
                "netdoc:///etc/passwd", "HTTP://127.0.0.1:" + t + "/",
                // user info and parser confusion
                "http://example.com@127.0.0.1:" + t + "/", "http://user:pass@example.com/",
                "http://127.0.0.1:" + t + "#@example.com/", "http:///etc/passwd", "http://%31%32%37.0.0.1/",
                "http://\u2460\u2461\u2466.0.0.1/", "http:\\\\127.0.0.1\\",
                // names that resolve to refused addresses (fake DNS)
                "http://internal.example.com/", "http://mixed.example.com/", "http://nat64.example.com/",
                "http://mapped.example.com/", "http://ula.example.com/", "http://cgnat.example.com/");
    }

    @Test
    void corpus_isLargeEnough() {
        assertThat(corpus()).hasSizeGreaterThanOrEqualTo(30);
    }

    @ParameterizedTest
    @MethodSource("corpus")
    void corpusUrl_isRefused_andNothingIsReached(String url) throws Exception {
        int before = trap.hits.size() + allowed.hits.size();

        ToolResult result = get(AddressPolicy.publicOnly(), url);

        assertThat(result.error()).as(url).isTrue();
        assertThat(result.content()).as(url).startsWith("Refused");
        assertThat(trap.hits.size() + allowed.hits.size()).as("requests that reached a server").isEqualTo(before);
    }

    @Test
    void testPolicy_allowsExactlyItsServer() throws Exception {
        ToolResult ok = get(onlyTheAllowedServer(), allowed.url("/ok"));
        ToolResult otherPort = get(onlyTheAllowedServer(), trap.url("/ok"));

        assertThat(ok.error()).isFalse();
        assertThat(JSON.readTree(ok.content()).path("body").asText()).isEqualTo("hello from /ok");
        assertThat(otherPort.content()).startsWith("Refused").contains("loopback");
        assertThat(trap.hits).isEmpty();
    }

    static Stream<String> refusedRedirectTargets() {
        return Stream.of("http://127.0.0.1:" + trap.port() + "/secret", "http://[::1]:" + allowed.port() + "/ok",
                "http://localhost:" + allowed.port() + "/ok", "http://169.254.169.254/latest/meta-data/",
                "http://[fd00:ec2::254]/", "http://10.0.0.1/", "http://[::ffff:127.0.0.1]:" + trap.port() + "/",
                "file:///etc/passwd", "gopher://127.0.0.1:" + trap.port() + "/_x", "http://0x7f.1:" + trap.port() + "/",
                "http://internal.example.com/");
    }

    @ParameterizedTest
    @MethodSource("refusedRedirectTargets")
    void redirectToARefusedTarget_isRefused_evenFromAnAllowedServer(String target) throws Exception {
        String url = allowed.url("/redirect?to=" + URLEncoder.encode(target, StandardCharsets.UTF_8));

        ToolResult result = get(onlyTheAllowedServer(), url);

        assertThat(result.error()).isTrue();
        assertThat(result.content()).startsWith("Refused: the redirect from");
        assertThat(trap.hits).isEmpty();
    }

    @Test
    void redirect_307_keepsMethodAndBody_302_becomesGet() throws Exception {
        String to = URLEncoder.encode("/landing", StandardCharsets.UTF_8);
        allowed.hits.clear();

        ToolResult kept = fetch(onlyTheAllowedServer(), SsrfCorpusTest::fakeDns, JSON.createObjectNode()
                .put("url", allowed.url("/redirect?status=307&to=" + to)).put("method", "POST").put("body", "b")
                .toString());
        ToolResult changed = fetch(onlyTheAllowedServer(), SsrfCorpusTest::fakeDns, JSON.createObjectNode()
                .put("url", allowed.url("/redirect?status=302&to=" + to)).put("method", "POST").put("body", "b")
                .toString());

        assertThat(kept.error()).as(kept.content()).isFalse();
        assertThat(JSON.readTree(kept.content()).path("status").asInt()).isEqualTo(200);
        assertThat(JSON.readTree(changed.content()).path("redirects").size()).isEqualTo(1);
        assertThat(allowed.hits).containsSubsequence("POST /landing body=b", "GET /landing");
    }

    @Test
    void redirectLoop_stopsAfterFive() throws Exception {
        ToolResult result = get(onlyTheAllowedServer(), allowed.url("/loop"));

        assertThat(result.error()).isTrue();
        assertThat(result.content()).contains("Too many redirects");
    }

    @Test
    void dnsRebinding_cannotSwitchTheAddress_afterTheCheck() throws Exception {
        // GIVEN a name that answers the allowed server's address once, then a private address
        AtomicInteger lookups = new AtomicInteger();
        SafeHttpFetcher.HostResolver rebinding = host -> new InetAddress[] {InetAddress.getByName(
                lookups.getAndIncrement() == 0 ? "127.0.0.1" : "10.0.0.1")};
        allowed.hits.clear();

        // WHEN it is fetched
        ToolResult result = fetch(onlyTheAllowedServer(), rebinding, JSON.createObjectNode()
                .put("url", "http://rebind.example.com:" + allowed.port() + "/ok").toString());

        // THEN it was looked up once and the connection went to the address that was checked
        assertThat(result.error()).as(result.content()).isFalse();
        assertThat(lookups).hasValue(1);
        assertThat(allowed.hits).containsExactly("GET /ok");
    }

    @Test
    void largeBody_isCapped() throws Exception {
        JsonNode body = JSON.readTree(get(onlyTheAllowedServer(), allowed.url("/big")).content());

        assertThat(body.path("truncated").asBoolean()).isTrue();
        assertThat(body.path("body").asText()).hasSize(20_000);
    }

    @Test
    void slowServer_hitsTheReadTimeout() throws Exception {
        ToolResult result = get(onlyTheAllowedServer(), allowed.url("/slow"));

        assertThat(result.error()).isTrue();
        assertThat(result.content()).contains("failed");
    }

    @Test
    void hostAllowlist_refusesOtherHosts() throws Exception {
        HttpRequestTool tool = new HttpRequestTool(new SafeHttpFetcher(onlyTheAllowedServer(),
                SsrfCorpusTest::fakeDns, "test"), HttpFetcher.Limits.DEFAULT,
                context -> Optional.of(List.of("api.example.com", "*.docs.example.com")), Clock.systemUTC());

        ToolResult result = ToolInvoker.create().invoke(List.of(tool), "http_request",
                JSON.readTree("{\"url\": \"" + allowed.url("/ok") + "\"}"), TestServers.context());

        assertThat(result.content()).startsWith("Refused").contains("allowlist");
    }

    @Test
    void onlyGetAndHead_areSafe() throws Exception {
        HttpRequestTool tool = new HttpRequestTool(SafeHttpFetcher.create());

        assertThat(tool.dangerous(JSON.readTree("{\"url\": \"https://a.example\"}"))).isFalse();
        assertThat(tool.dangerous(JSON.readTree("{\"url\": \"https://a.example\", \"method\": \"HEAD\"}"))).isFalse();
        for (String method : List.of("POST", "PUT", "PATCH", "DELETE")) {
            assertThat(tool.dangerous(JSON.readTree("{\"url\": \"https://a.example\", \"method\": \"" + method
                    + "\"}"))).as(method).isTrue();
        }
    }
}
