/**
 * The tools an agent may call: each has a JSON schema, comes from the {@link dev.skyloom.core.agent.tools.ToolRegistry}
 * and is offered to the model only when the agent's allowlist names it (default deny; the step's completion tool,
 * {@code complete_step} or {@code gate_verdict}, always). {@link dev.skyloom.core.agent.tools.ToolInvoker} runs a
 * call: schema check, the tool, a capped result, never an exception.
 *
 * <p>Built-in tools: workspace files ({@code WorkspaceTools} on the {@code Workspace} port, paths checked by
 * {@code WorkspacePath}), {@code http_request} ({@code UrlGuard}, {@code AddressPolicy}, the {@code HttpFetcher}
 * port), memory ({@code MemoryTools} on the {@code MemoryStore} port, {@code MemoryRanking}), the project board
 * ({@code BoardTools} on {@code TaskService}) and {@code load_skill}. Adapters of the ports, and the tools of MCP
 * servers, live in {@code dev.skyloom.aws.agent}. Decisions: docs/decisions/0401-memory-and-tools.md.
 */
package dev.skyloom.core.agent.tools;
