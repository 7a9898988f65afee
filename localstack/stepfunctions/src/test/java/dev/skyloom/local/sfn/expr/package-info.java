/** Tests of JSONPath evaluation, error matching and intrinsic functions. */
package dev.skyloom.local.sfn.expr;
