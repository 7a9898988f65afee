/**
 * The agent runtime: one durable agent turn at a time (one model call and the tool calls it asks for), the
 * provider-neutral model port ({@link dev.skyloom.core.agent.model}) and the tools an agent may use
 * ({@link dev.skyloom.core.agent.tools}). No AWS SDK here: adapters live in {@code functions/aws}.
 */
package dev.skyloom.core.agent;
