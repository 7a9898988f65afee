/** Pipeline runs on Step Functions: the {@link dev.skyloom.core.runs.PipelineEngine} adapter. */
package dev.skyloom.aws.runs;
