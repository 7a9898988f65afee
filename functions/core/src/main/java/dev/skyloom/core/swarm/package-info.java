/**
 * Swarms: a DAG of agent tasks run eagerly. Pure code, no I/O: {@link SwarmValidator} turns a request body into a
 * {@link SwarmSpec} or a 400 {@link dev.skyloom.core.api.ApiError} naming every problem (stored agents come through
 * the pipeline compiler's {@link dev.skyloom.core.pipeline.AgentDirectory} port); {@link CriticalPath} computes the
 * longest chain for the summary and the benchmark; {@link SwarmSchedule} is the scheduler's decision function (given
 * the DAG's state, which tasks to start, skip or cancel) and {@link SwarmSimulation} runs it against fixed task
 * durations. Design and proofs: {@code docs/decisions/0700-swarm-scheduling.md}.
 */
package dev.skyloom.core.swarm;
