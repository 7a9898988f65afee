package dev.skyloom.local.sfn.runtime;

/** Where a frame is within its current state. */
enum Phase {
    /** Entered (StateEntered recorded); the state's work has not been recorded yet. */
    ENTER,
    /** A Task's resource was scheduled; waiting for its result, its token, or a timeout. */
    TASK,
    /** A Wait state is waiting until {@code Frame.until}. */
    WAIT,
    /** Waiting until {@code Frame.until} to retry the current state. */
    RETRY,
    /** A Parallel or Map state waits for its branches or iterations. */
    CHILDREN,
    /** The frame failed (kept for redrive). */
    FAILED,
    /** The frame was stopped because a sibling failed or the execution stopped (kept for redrive). */
    ABORTED
}
