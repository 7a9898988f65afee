package dev.skyloom.aws.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.skyloom.core.agent.tools.AddressPolicy;
import dev.skyloom.core.agent.tools.Tool;
import dev.skyloom.core.agent.tools.ToolInvoker;
import dev.skyloom.core.agent.tools.ToolRegistry;
import dev.skyloom.core.agent.tools.ToolResult;
import dev.skyloom.core.resources.Agent;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.jackson.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpStatelessServerHandler;
import io.modelcontextprotocol.server.McpStatelessSyncServer;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpStatelessServerTransport;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * {@link McpToolSource} against a real MCP server built with the same SDK (its stateless server, served over
 * Streamable HTTP by a small JDK HTTP server transport written here: the SDK ships only servlet transports).
 */
class McpToolSourceTest {
    private static final JacksonMcpJsonMapper MAPPER = new JacksonMcpJsonMapper(new ObjectMapper());
    private static final ObjectMapper JSON = new ObjectMapper();
    static HttpServer http;
    static McpStatelessSyncServer mcp;
    static final List<Map<String, Object>> metas = new CopyOnWriteArrayList<>();

    /** Streamable HTTP, stateless: each POST carries one JSON-RPC message and is answered with JSON. */
    static final class JdkHttpTransport implements McpStatelessServerTransport {
        private volatile McpStatelessServerHandler handler;

        @Override
        public void setMcpHandler(McpStatelessServerHandler handler) {
            this.handler = handler;
        }

        @Override
        public Mono<Void> closeGracefully() {
            return Mono.empty();
        }

        void handle(HttpExchange exchange) throws IOException {
            try (exchange) {
                if (!exchange.getRequestMethod().equals("POST")) {
                    exchange.sendResponseHeaders(405, -1);
                    return;
                }
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                McpSchema.JSONRPCMessage message = McpSchema.deserializeJsonRpcMessage(MAPPER, body);
                if (message instanceof McpSchema.JSONRPCRequest request) {
                    McpSchema.JSONRPCResponse response = handler.handleRequest(McpTransportContext.EMPTY, request)
                            .block();
                    byte[] bytes = MAPPER.writeValueAsBytes(response);
                    exchange.getResponseHeaders().add("Content-Type", "application/json");
                    exchange.sendResponseHeaders(200, bytes.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(bytes);
                    }
                } else if (message instanceof McpSchema.JSONRPCNotification notification) {
                    handler.handleNotification(McpTransportContext.EMPTY, notification).block();
                    exchange.sendResponseHeaders(202, -1);
                } else {
                    exchange.sendResponseHeaders(400, -1);
                }
            }
        }
    }

    @BeforeAll
    static void startServer() throws Exception {
        JdkHttpTransport transport = new JdkHttpTransport();
        McpSchema.Tool echo = McpSchema.Tool.builder().name("echo").description("Echo the text back")
                .inputSchema(MAPPER, """
                        {"type": "object", "properties": {"text": {"type": "string", "maxLength": 20}},
                         "required": ["text"]}""")
                .annotations(new McpSchema.ToolAnnotations(null, true, false, true, false, null)).build();
        McpSchema.Tool fail = McpSchema.Tool.builder().name("file.delete").description("Always fails")
                .inputSchema(MAPPER, "{\"type\": \"object\"}").build();
        mcp = McpServer.sync(transport).serverInfo("test-server", "1.0.0").jsonMapper(MAPPER)
                .jsonSchemaValidator(new McpSchemaValidator())
                .capabilities(McpSchema.ServerCapabilities.builder().tools(true).build())
                .toolCall(echo, (context, request) -> {
                    metas.add(request.meta());
                    return new McpSchema.CallToolResult("echo: " + request.arguments().get("text"), false);
                })
                .toolCall(fail, (context, request) -> new McpSchema.CallToolResult("disk is read-only", true))
                .build();
        http = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        http.createContext("/mcp", transport::handle);
        http.setExecutor(Executors.newCachedThreadPool());
        http.start();
    }

    @AfterAll
    static void stopServer() {
        http.stop(0);
        mcp.close();
    }

    private static McpToolSource open(String url) throws Exception {
        AddressPolicy onlyTheServer = AddressPolicy.allowingExactly(InetAddress.getByName("127.0.0.1"),
                http.getAddress().getPort(), AddressPolicy.publicOnly());
        return McpToolSource.open(List.of(new Agent.McpServer("Files Server", url)), onlyTheServer,
                InetAddress::getAllByName, Duration.ofSeconds(10));
    }

    private static String url() {
        return "http://127.0.0.1:" + http.getAddress().getPort() + "/mcp";
    }

    @Test
    void tools_areListed_prefixed_withTheirSchemas() throws Exception {
        try (McpToolSource source = open(url())) {
            assertThat(source.problems()).isEmpty();
            assertThat(source.tools()).extracting(Tool::name)
                    .containsExactlyInAnyOrder("files-server__echo", "files-server__file_delete");
            Tool echo = source.tools().stream().filter(t -> t.name().endsWith("echo")).findFirst().orElseThrow();
            assertThat(echo.spec().inputSchema().path("required").get(0).asText()).isEqualTo("text");
            assertThat(echo.spec().description()).contains("Echo the text back");
            assertThat(echo.dangerous()).isFalse();
            assertThat(source.tools().stream().filter(t -> t.name().endsWith("delete")).findFirst().orElseThrow()
                    .dangerous()).isTrue();
        }
    }

    @Test
    void call_goesToTheServer_withTheCallKey_andErrorsStayErrors() throws Exception {
        try (McpToolSource source = open(url())) {
            List<Tool> offered = ToolRegistry.of(List.of()).forAgent(List.of("files-server"), "agent",
                    source.tools());
            ToolInvoker invoker = ToolInvoker.create();

            ToolResult echoed = invoker.invoke(offered, "files-server__echo", JSON.readTree("{\"text\": \"hi\"}"),
                    TestServers.context());
            ToolResult invalid = invoker.invoke(offered, "files-server__echo", JSON.readTree("{\"text\": 5}"),
                    TestServers.context());
            ToolResult failed = invoker.invoke(offered, "files-server__file_delete", JSON.readTree("{}"),
                    TestServers.context());

            assertThat(echoed.error()).as(echoed.content()).isFalse();
            assertThat(echoed.content()).isEqualTo("echo: hi");
            assertThat(metas).anySatisfy(meta -> assertThat(meta).containsEntry("skyloom/callKey", "exec/1/0"));
            assertThat(invalid.error()).isTrue();
            assertThat(invalid.content()).contains("input.text");
            assertThat(failed.error()).isTrue();
            assertThat(failed.content()).isEqualTo("disk is read-only");
        }
    }

    @Test
    void serverOnARefusedAddress_isLeftOut_withoutBeingContacted() throws Exception {
        try (McpToolSource source = open("http://169.254.169.254/mcp")) {
            assertThat(source.tools()).isEmpty();
            assertThat(source.problems()).singleElement().asString().contains("refused", "link-local");
        }
        try (McpToolSource source = open("http://127.0.0.1:1/mcp")) {
            assertThat(source.problems()).singleElement().asString().contains("refused", "loopback");
        }
    }
}
