/**
 * Pipeline runs: deploying compiled pipelines as state machines ({@link dev.skyloom.core.runs.PipelineDeployments}),
 * starting, following, cancelling, retrying and approving their executions ({@link dev.skyloom.core.runs.RunService})
 * through the {@link dev.skyloom.core.runs.PipelineEngine} port (Step Functions on AWS and locally).
 */
package dev.skyloom.core.runs;
