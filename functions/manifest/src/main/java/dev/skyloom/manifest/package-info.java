/**
 * The one declaration of Skyloom's cloud resources.
 *
 * <p>{@link dev.skyloom.manifest.SkyloomResources#manifest()} lists every table (keys, indexes, TTL), queue
 * (with its dead-letter queue), bucket, function (handler class, memory, timeout, environment, grants), the event
 * bus, its rules (pattern, targets) and the scheduler groups; state machines are the files of {@code statemachines/}.
 * The CDK app turns it into CloudFormation; the local cloud creates the same resources at start. Names here
 * are logical; a {@link dev.skyloom.manifest.Naming} turns them into physical names per deployment.
 *
 * <p>This module has no dependencies so that both deployers can read it without dragging in the Lambda code.
 */
package dev.skyloom.manifest;
