/**
 * Expressions of the Amazon States Language: JSONPath (reference paths, payload templates, intrinsic functions)
 * and JSONata, compiled once per definition and evaluated on immutable Jackson trees.
 */
package dev.skyloom.local.sfn.expr;
