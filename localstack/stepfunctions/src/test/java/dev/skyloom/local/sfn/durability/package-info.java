/** Crash tests: an engine in a child JVM killed with SIGKILL mid-run, then recovered on the same data directory. */
package dev.skyloom.local.sfn.durability;
