/** The benchmark main comparing per-transition overhead with aws-local-stepfunctions and moto. */
package dev.skyloom.local.sfn.bench;
