package dev.skyloom.core.agent.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The tool's own rules with a scripted fetcher; the real fetcher and the SSRF corpus are in skyloom-aws. */
class HttpRequestToolTest {
    private final List<HttpFetcher.Request> sent = new ArrayList<>();

    private ToolResult call(Function<HttpFetcher.Request, HttpFetcher.Response> server, String json) {
        HttpFetcher fetcher = (request, limits) -> {
            sent.add(request);
            return server.apply(request);
        };
        HttpRequestTool tool = new HttpRequestTool(fetcher, HttpFetcher.Limits.DEFAULT,
                HttpRequestTool.HostAllowlists.NONE, Clock.systemUTC());
        return ToolInvoker.create().invoke(List.of(tool), "http_request", ToolJson.parse(json),
                Contexts.agentStep());
    }

    private static HttpFetcher.Response ok(String body) {
        return new HttpFetcher.Response(200, Map.of("Content-Type", List.of("text/plain")), body.getBytes(), false);
    }

    private static HttpFetcher.Response redirect(String location) {
        return new HttpFetcher.Response(302, Map.of("Location", List.of(location)), new byte[0], false);
    }

    @Test
    void headerWithLineBreak_isRefusedByTheSchema() {
        ToolResult result = call(r -> ok("x"), "{\"url\": \"https://a.example/\", "
                + "\"headers\": {\"X-A\": \"v\\r\\nHost: evil\"}}");

        assertThat(result.error()).isTrue();
        assertThat(result.content()).contains("input.headers");
        assertThat(sent).isEmpty();
    }

    @Test
    void managedHeaders_areRefused() {
        ToolResult result = call(r -> ok("x"), "{\"url\": \"https://a.example/\", \"headers\": {\"Host\": \"b\"}}");

        assertThat(result.content()).contains("Host cannot be set");
        assertThat(sent).isEmpty();
    }

    @Test
    void authorization_isDroppedOnACrossOriginRedirect_keptOnTheSameOrigin() {
        call(r -> r.uri().getPath().equals("/start") ? redirect("/next") : r.uri().getPath().equals("/next")
                ? redirect("https://b.example/elsewhere") : ok("done"),
                "{\"url\": \"https://a.example/start\", \"headers\": {\"Authorization\": \"Bearer t\"}}");

        assertThat(sent).extracting(r -> r.uri().toString()).containsExactly("https://a.example/start",
                "https://a.example/next", "https://b.example/elsewhere");
        assertThat(sent.get(1).headers()).containsKey("Authorization");
        assertThat(sent.get(2).headers()).doesNotContainKey("Authorization");
    }

    @Test
    void redirectToANonHttpScheme_isRefused_withoutFetching() {
        ToolResult result = call(r -> redirect("file:///etc/passwd"), "{\"url\": \"https://a.example/\"}");

        assertThat(result.content()).startsWith("Refused: the redirect from https://a.example/");
        assertThat(sent).hasSize(1);
    }

    @Test
    void fetcherFailure_isAnErrorResult() {
        HttpFetcher failing = (request, limits) -> {
            throw new IOException("connection reset");
        };
        HttpRequestTool tool = new HttpRequestTool(failing, HttpFetcher.Limits.DEFAULT,
                HttpRequestTool.HostAllowlists.NONE, Clock.systemUTC());

        ToolResult result = ToolInvoker.create().invoke(List.of(tool), "http_request",
                ToolJson.parse("{\"url\": \"https://a.example/\"}"), Contexts.agentStep());

        assertThat(result.content()).contains("failed", "connection reset");
    }

    @Test
    void totalTimeout_coversAllRedirects() {
        Clock slow = new Clock() {
            private java.time.Instant now = java.time.Instant.EPOCH;

            @Override
            public java.time.ZoneId getZone() {
                return java.time.ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public java.time.Instant instant() {
                now = now.plus(Duration.ofSeconds(8));
                return now;
            }
        };
        HttpFetcher loop = (request, limits) -> redirect("/again");
        HttpRequestTool tool = new HttpRequestTool(loop, HttpFetcher.Limits.DEFAULT,
                HttpRequestTool.HostAllowlists.NONE, slow);

        ToolResult result = ToolInvoker.create().invoke(List.of(tool), "http_request",
                ToolJson.parse("{\"url\": \"https://a.example/\"}"), Contexts.agentStep());

        assertThat(result.content()).contains("longer than 30 s");
        assertThat(Optional.of(result.error())).contains(true);
    }
}
