/**
 * The tools an agent may call: each has a JSON schema, comes from the {@code ToolRegistry} and is offered to the
 * model only when the agent's allowlist names it (default deny).
 */
package dev.skyloom.core.agent.tools;
