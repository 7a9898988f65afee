/**
 * The pipeline compiler: a pure, staged function from a pipeline's YAML to one Step Functions state machine
 * (JSONata ASL) that runs every agent step as a child execution of {@code agent-step}. Stages: {@link YamlTree}
 * (parse, with line and column of every node) → {@link PipelineReader} (schema check, builds the IR
 * {@link PipelineIr}) → {@link CrossReferences} (agents, gotos, templates, reachability, exits, budgets) →
 * {@link AslWriter} (deterministic ASL). {@link PipelineCompiler} runs them and collects every error. No I/O: stored
 * agents come through the {@link AgentDirectory} port, ARNs and tenant limits through {@link CompileTarget}.
 * The format and the ASL mapping are documented in {@code docs/pipelines.md}.
 */
package dev.skyloom.core.pipeline;
