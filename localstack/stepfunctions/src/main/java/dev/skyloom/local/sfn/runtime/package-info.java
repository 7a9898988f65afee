/**
 * The engine core: executions as frames driven by per-execution actors, the interpreter of state semantics, the
 * journal-backed model ({@code Model.apply} is the only mutator, used live and on replay) and the API operations.
 */
package dev.skyloom.local.sfn.runtime;
