package dev.skyloom.aws.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skyloom.core.agent.model.ToolSpec;
import dev.skyloom.core.agent.tools.AddressPolicy;
import dev.skyloom.core.agent.tools.HttpFetcher;
import dev.skyloom.core.agent.tools.Tool;
import dev.skyloom.core.agent.tools.ToolContext;
import dev.skyloom.core.agent.tools.ToolException;
import dev.skyloom.core.agent.tools.ToolRegistry;
import dev.skyloom.core.agent.tools.ToolResult;
import dev.skyloom.core.agent.tools.UrlGuard;
import dev.skyloom.core.resources.Agent;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.json.jackson.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tools of an agent's MCP servers ({@code Agent.mcpServers}), over Streamable HTTP with the MCP Java SDK, as
 * {@link Tool}s named {@code <server>__<tool>} with the server's input schemas passed through (the
 * {@code ToolInvoker} validates against them; a schema with remote references is refused there).
 *
 * <p>Open one source per agent step and close it at the end. A server that cannot be reached or refuses to
 * initialise is left out and named in {@link #problems()}; the step goes on with the other tools.
 *
 * <p>Server URLs are checked like {@code http_request}'s ({@link UrlGuard} and the {@link AddressPolicy} on every
 * resolved address) before connecting. The SDK's transport uses the JDK HTTP client, which resolves the name again
 * when it connects: unlike {@link SafeHttpFetcher} this check does not survive a DNS rebinding by the server's own
 * DNS. MCP URLs are set by the tenant's agent authors, not by a model.
 *
 * <p>MCP has no idempotency key; each call carries {@code _meta.skyloom/callKey} (the {@link ToolContext#callKey()})
 * for servers that deduplicate. A tool is dangerous unless the server declares it read-only.
 */
public final class McpToolSource implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(McpToolSource.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_NAME = 64;
    private static final int MAX_TOOLS_PER_SERVER = 100;

    private final List<McpSyncClient> clients;
    private final List<Tool> tools;
    private final List<String> problems;

    private McpToolSource(List<McpSyncClient> clients, List<Tool> tools, List<String> problems) {
        this.clients = clients;
        this.tools = List.copyOf(tools);
        this.problems = List.copyOf(problems);
    }

    /** Connects to each server, lists its tools. */
    public static McpToolSource open(List<Agent.McpServer> servers, AddressPolicy policy,
                                     SafeHttpFetcher.HostResolver resolver, Duration timeout) {
        List<McpSyncClient> clients = new ArrayList<>();
        Map<String, Tool> tools = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (Agent.McpServer server : servers) {
            String prefix = serverName(server.name());
            try {
                URI url = checked(server.url(), policy, resolver);
                HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport
                        .builder(url.getScheme() + "://" + url.getRawAuthority())
                        .endpoint(url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath())
                        .jsonMapper(new JacksonMcpJsonMapper(JSON)).connectTimeout(timeout)
                        .customizeClient(b -> b.followRedirects(java.net.http.HttpClient.Redirect.NEVER)
                                .proxy(java.net.ProxySelector.of(null)))
                        .build();
                McpSyncClient client = McpClient.sync(transport).requestTimeout(timeout).initializationTimeout(timeout)
                        .clientInfo(new McpSchema.Implementation("skyloom", "0.1.0"))
                        .jsonSchemaValidator(new McpSchemaValidator()).build();
                clients.add(client);
                client.initialize();
                String cursor = null;
                int count = 0;
                do {
                    McpSchema.ListToolsResult page = cursor == null ? client.listTools() : client.listTools(cursor);
                    for (McpSchema.Tool tool : page.tools()) {
                        if (count++ >= MAX_TOOLS_PER_SERVER) {
                            break;
                        }
                        McpTool adapted = new McpTool(client, prefix, tool);
                        if (tools.putIfAbsent(adapted.name(), adapted) != null) {
                            problems.add(server.name() + ": two tools are named " + adapted.name()
                                    + " after sanitising; the second is left out");
                        }
                    }
                    cursor = page.nextCursor();
                } while (cursor != null && count < MAX_TOOLS_PER_SERVER);
            } catch (HttpFetcher.Refused e) {
                problems.add(server.name() + ": refused: " + e.getMessage());
            } catch (RuntimeException | IOException e) {
                LOG.warn("event=mcp_server_unavailable server={} error={}", server.name(), e.toString());
                problems.add(server.name() + ": unavailable (" + e.getClass().getSimpleName() + ")");
            }
        }
        return new McpToolSource(clients, new ArrayList<>(tools.values()), problems);
    }

    private static URI checked(String url, AddressPolicy policy, SafeHttpFetcher.HostResolver resolver)
            throws HttpFetcher.Refused, IOException {
        UrlGuard.Target target = UrlGuard.check(url, Optional.empty());
        InetAddress[] addresses = target.ipLiteral() ? new InetAddress[] {InetAddress.getByName(target.host())}
                : resolver.resolve(target.host());
        for (InetAddress address : addresses) {
            Optional<String> refusal = policy.refusal(address, target.port());
            if (refusal.isPresent()) {
                throw new HttpFetcher.Refused(refusal.get());
            }
        }
        return target.uri();
    }

    /** The tools of every server that answered, each named {@code <server>__<tool>}. */
    public List<Tool> tools() {
        return tools;
    }

    /** One line per server that was left out or tool that was dropped. */
    public List<String> problems() {
        return problems;
    }

    @Override
    public void close() {
        for (McpSyncClient client : clients) {
            try {
                client.closeGracefully();
            } catch (RuntimeException e) {
                LOG.debug("event=mcp_close_failed error={}", e.toString());
            }
        }
    }

    static String serverName(String name) {
        String cleaned = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-").replaceAll("-+", "-");
        cleaned = cleaned.replaceAll("^-|-$", "");
        if (cleaned.isEmpty() || !Character.isLetter(cleaned.charAt(0))) {
            cleaned = "mcp-" + cleaned;
        }
        return cleaned.length() > 24 ? cleaned.substring(0, 24) : cleaned;
    }

    static String toolName(String server, String tool) {
        String cleaned = tool.replaceAll("[^A-Za-z0-9_-]", "_");
        String name = server + ToolRegistry.MCP_SEPARATOR + cleaned;
        return name.length() > MAX_NAME ? name.substring(0, MAX_NAME) : name;
    }

    private static final class McpTool implements Tool {
        private final McpSyncClient client;
        private final String remoteName;
        private final ToolSpec spec;
        private final boolean readOnly;

        McpTool(McpSyncClient client, String server, McpSchema.Tool tool) {
            this.client = client;
            this.remoteName = tool.name();
            JsonNode schema = tool.inputSchema() == null ? JSON.createObjectNode().put("type", "object")
                    : JSON.valueToTree(tool.inputSchema());
            String description = tool.description() == null ? "" : tool.description();
            this.spec = new ToolSpec(toolName(server, tool.name()), "[MCP server " + server + "] "
                    + (description.length() > 2000 ? description.substring(0, 2000) : description), schema);
            this.readOnly = tool.annotations() != null && Boolean.TRUE.equals(tool.annotations().readOnlyHint());
        }

        @Override
        public ToolSpec spec() {
            return spec;
        }

        @Override
        public boolean dangerous() {
            return !readOnly;
        }

        @Override
        @SuppressWarnings("unchecked")
        public ToolResult call(JsonNode input, ToolContext context) {
            Map<String, Object> arguments = JSON.convertValue(input, Map.class);
            McpSchema.CallToolResult result;
            try {
                result = client.callTool(new McpSchema.CallToolRequest(remoteName, arguments,
                        Map.of("skyloom/callKey", context.callKey())));
            } catch (McpError e) {
                throw new ToolException("The MCP server refused the call: " + e.getMessage());
            }
            StringBuilder text = new StringBuilder();
            for (McpSchema.Content content : result.content() == null ? List.<McpSchema.Content>of()
                    : result.content()) {
                if (!text.isEmpty()) {
                    text.append('\n');
                }
                if (content instanceof McpSchema.TextContent t) {
                    text.append(t.text());
                } else {
                    text.append("[").append(content.type()).append(" content omitted]");
                }
            }
            if (text.isEmpty() && result.structuredContent() != null) {
                text.append(JSON.valueToTree(result.structuredContent()).toString());
            }
            return Boolean.TRUE.equals(result.isError()) ? ToolResult.error(text.toString())
                    : ToolResult.ok(text.toString());
        }
    }
}
