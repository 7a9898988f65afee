/** Read models of model usage: the LLM call log and per-day usage summaries, filled by the agent runtime. */
package dev.skyloom.core.usage;
