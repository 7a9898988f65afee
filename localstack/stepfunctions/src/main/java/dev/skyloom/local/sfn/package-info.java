/**
 * Skyloom's local AWS Step Functions: {@link dev.skyloom.local.sfn.StepFunctionsEngine} runs Amazon States
 * Language state machines behind the Step Functions API, durably, with pluggable
 * {@link dev.skyloom.local.sfn.TaskIntegration}s for the services tasks call.
 */
package dev.skyloom.local.sfn;
