/**
 * The Amazon States Language model: {@link dev.skyloom.local.sfn.asl.AslParser} validates a definition and
 * compiles it into immutable {@link dev.skyloom.local.sfn.asl.State} objects that executions share.
 */
package dev.skyloom.local.sfn.asl;
