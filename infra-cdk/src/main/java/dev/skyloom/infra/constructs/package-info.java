/**
 * Constructs with Props builders, one per concern: {@link dev.skyloom.infra.constructs.Data},
 * {@link dev.skyloom.infra.constructs.Messaging}, {@link dev.skyloom.infra.constructs.Functions},
 * {@link dev.skyloom.infra.constructs.Workflows}, {@link dev.skyloom.infra.constructs.Api},
 * {@link dev.skyloom.infra.constructs.Identity}, {@link dev.skyloom.infra.constructs.Console},
 * {@link dev.skyloom.infra.constructs.Scheduling} and {@link dev.skyloom.infra.constructs.Observability}.
 * IAM is least privilege by construction ({@link dev.skyloom.infra.constructs.AccessPolicies},
 * {@link dev.skyloom.infra.constructs.Placeholders}); every cdk-nag suppression sits in the construct that causes it
 * ({@link dev.skyloom.infra.constructs.Suppressions}).
 */
package dev.skyloom.infra.constructs;
