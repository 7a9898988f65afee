package dev.skyloom.local.sfn.journal;

/**
 * When journal writes reach the disk. Every record is written to the file (the kernel's page cache) before its
 * transition takes effect, which is what survives a kill -9 of the process; fsync additionally covers a crash of the
 * machine itself.
 */
public enum FsyncPolicy {
    /** fsync after every record: survives power loss at every transition; slowest. */
    ALWAYS,
    /** fsync by a background flusher at most every few milliseconds (default): a power loss loses that window. */
    BATCH,
    /** never fsync explicitly (the OS writes back); survives process crashes only. */
    NEVER
}
