/** Tests of the journal: replay order, torn tails, compaction and large records. */
package dev.skyloom.local.sfn.journal;
