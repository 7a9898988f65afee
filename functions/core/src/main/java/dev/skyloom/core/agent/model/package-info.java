/**
 * The provider-neutral model port. Its shapes follow Bedrock's Converse API (messages of content blocks: text,
 * tool use, tool result), which every provider Skyloom speaks can be mapped onto.
 */
package dev.skyloom.core.agent.model;
