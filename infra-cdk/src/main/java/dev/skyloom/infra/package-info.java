/**
 * The CDK (Java) app that deploys Skyloom to AWS.
 *
 * <p>{@link dev.skyloom.infra.SkyloomApp} reads a {@link dev.skyloom.infra.DeploymentConfig} and adds one
 * {@link dev.skyloom.infra.SkyloomDeployment} (data, platform and console stacks). Stacks
 * ({@code dev.skyloom.infra.stacks}) only compose constructs ({@code dev.skyloom.infra.constructs}); constructs build
 * every table, bucket, queue and function from the resource manifest and every state machine from
 * {@code statemachines/*.asl.json}, so AWS gets exactly what the local cloud runs.
 */
package dev.skyloom.infra;
