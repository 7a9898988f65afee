/** Durable storage of the engine: an append-only, checksummed journal with atomic snapshots. */
package dev.skyloom.local.sfn.journal;
